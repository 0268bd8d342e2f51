import Foundation
import Testing

@testable import Messaging
import SwitchboardBase

@Suite struct QuotedPrintableTests {
    static let longVietnamese = """
        Kính gửi anh/chị,
        Hộp thư điện tử của anh/chị đã được tạo trên hệ thống thư điện tử của Bộ. Để bảo đảm an toàn thông tin, mật khẩu không được gửi qua thư này; bộ phận hỗ trợ sẽ trao trực tiếp.
        .
        ..Dòng bắt đầu bằng dấu chấm
        From Hà Nội, with trailing spaces   
        tab at end\t
        a=b, 100% đúng
        """

    static func roundTrip(_ text: String) -> String {
        String(decoding: QuotedPrintable.decode(QuotedPrintable.encode(text)), as: UTF8.self)
    }

    /// What a careless SMTP path does to a line starting with "." (dot-stuffing lost) or "From "
    /// (mbox escaping): neither can happen to an encoded line that never starts that way.
    static func checkSafeLines(_ encoded: String) {
        for line in TestSupport.lines(encoded) {
            #expect(line.utf8.count <= 76, "line of \(line.utf8.count): \(line)")
            #expect(!line.hasPrefix("."), "line starts with a dot: \(line)")
            #expect(!line.hasPrefix("From "), "line starts with From: \(line)")
            #expect(line.last != " " && line.last != "\t", "line ends with whitespace: \(line)")
            #expect(line.unicodeScalars.allSatisfy { $0.isASCII && ($0.value >= 0x20 || $0 == "\t") })
        }
        #expect(TestSupport.bareLineBreaks(in: encoded).isEmpty)
    }

    @Test func lineStartingWithDotIsEncoded() {
        let encoded = QuotedPrintable.encode(".\r\n.hidden\nend")
        #expect(encoded == "=2E\r\n=2Ehidden\r\nend")
        #expect(Self.roundTrip(".\r\n.hidden\nend") == ".\r\n.hidden\r\nend")
    }

    @Test func dotAfterASoftLineBreakIsEncodedToo() {
        let text = String(repeating: "a", count: 75) + ".b"
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded == String(repeating: "a", count: 75) + "=\r\n=2Eb")
        Self.checkSafeLines(encoded)
        #expect(Self.roundTrip(text) == text)
    }

    @Test func equalsSignTrailingWhitespaceAndFromAreEncoded() {
        #expect(QuotedPrintable.encode("a=b") == "a=3Db")
        #expect(QuotedPrintable.encode("end \nend\t\nmid dle") == "end=20\r\nend=09\r\nmid dle")
        #expect(QuotedPrintable.encode("From me\nFromage") == "=46rom me\r\nFromage")
    }

    @Test func utf8BytesAreEncodedAndNeverSplitAcrossSoftBreaks() {
        #expect(QuotedPrintable.encode("Hà") == "H=C3=A0")
        let text = String(repeating: "ễ", count: 40)  // 3 bytes, 9 encoded characters each
        let encoded = QuotedPrintable.encode(text)
        for line in TestSupport.lines(encoded) {
            // Each physical line holds whole characters: 8 of "=E1=BB=85" and a soft break.
            let content = line.hasSuffix("=") ? String(line.dropLast()) : line
            #expect(content.utf8.count % 9 == 0, "line splits a character: \(line)")
        }
        #expect(Self.roundTrip(text) == text)
    }

    @Test func longVietnameseTextRoundTrips() {
        let encoded = QuotedPrintable.encode(Self.longVietnamese)
        Self.checkSafeLines(encoded)
        #expect(Self.roundTrip(Self.longVietnamese) == TestSupport.crlf(Self.longVietnamese))
    }

    /// Many generated texts mixing the characters that matter: dots, spaces, tabs, "=",
    /// Vietnamese letters, decomposed marks and line breaks of every kind.
    @Test func generatedTextsRoundTrip() {
        let alphabet: [String] = ["a", "Z", ".", " ", "\t", "=", "ễ", "đ", "e\u{301}", "\n", "\r\n", "\r", "F", "rom ", "😀"]
        var state: UInt64 = 0x5EED
        for _ in 0..<300 {
            var text = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state >> 58) * 8
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += alphabet[Int(state >> 33) % alphabet.count]
            }
            let encoded = QuotedPrintable.encode(text)
            Self.checkSafeLines(encoded)
            #expect(Self.roundTrip(text) == TestSupport.crlf(text), "text \(text.debugDescription)")
        }
    }

    @Test func binaryDataKeepsLineBreakBytes() {
        let data = Data([0x41, 0x0D, 0x0A, 0x2E, 0x00, 0xFF, 0x0A])
        let encoded = QuotedPrintable.encode(data)
        #expect(encoded == "A=0D=0A.=00=FF=0A")
        #expect(QuotedPrintable.decode(encoded) == data)
    }

    @Test func decoderIsLenientWithWhatOthersSend() {
        #expect(QuotedPrintable.decode("caf=c3=a9 =\r\nau lait  \r\nx=") == Data("café au lait\r\nx".utf8))
        #expect(QuotedPrintable.decode("100%=ZZ=4") == Data("100%=ZZ=4".utf8))
        #expect(QuotedPrintable.decode("a\nb") == Data("a\r\nb".utf8))
    }
}
