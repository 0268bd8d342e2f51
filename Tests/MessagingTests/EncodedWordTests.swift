import Foundation
import Testing

@testable import Messaging
import SwitchboardBase

@Suite struct EncodedWordTests {
    static let vietnameseSubject = "Chào mừng Nguyễn Thị Thu Hà đến với hệ thống thư điện tử của Bộ"

    /// All encoded-words in a header value.
    static func encodedWords(in value: String) -> [String] {
        let pattern = #/=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=/#
        return value.matches(of: pattern).map { String($0.output) }
    }

    /// The text one B word holds, or nil when its bytes are not whole UTF-8.
    static func decodedPayload(of word: String) -> String? {
        let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
        guard let data = Data(base64Encoded: String(base64)) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    @Test func vietnameseSubjectFoldsWithinLimitsAndDecodesExactly() throws {
        let message = MailMessage(
            from: try Mailbox(address: "helpdesk@bo.gov.vn"), to: [try Mailbox(address: "ha@bo.gov.vn")],
            subject: Self.vietnameseSubject, textBody: "x"
        )
        let rendered = try message.render()
        let entity = TestSupport.Entity(rendered)
        let raw = try #require(entity.rawHeader("Subject"))

        let words = Self.encodedWords(in: raw)
        #expect(words.count >= 2, "a subject this long needs several encoded-words")
        for word in words {
            #expect(word.count <= 75, "encoded-word of \(word.count) characters: \(word)")
            #expect(word.hasPrefix("=?UTF-8?B?"))
        }
        for line in TestSupport.lines(raw) {
            #expect(line.count <= 78, "header line of \(line.count) characters: \(line)")
        }
        // Nothing but encoded-words and folding whitespace: no raw UTF-8 in the header.
        #expect(raw.unicodeScalars.allSatisfy { $0.isASCII })
        let value = try #require(entity.header("Subject"))
        #expect(EncodedWord.decode(value) == Self.vietnameseSubject)
        #expect(EncodedWord.decode(String(raw.dropFirst("Subject: ".count))) == Self.vietnameseSubject)
    }

    @Test func encodeFoldsWithCRLFSpaceAndKeepsTheFirstLineShort() {
        let encoded = EncodedWord.encode(Self.vietnameseSubject, prefixLength: "Subject: ".count)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.count >= 2)
        #expect("Subject: ".count + lines[0].count <= 78)
        for line in lines.dropFirst() {
            #expect(line.hasPrefix(" ") && line.count <= 76)
        }
        #expect(EncodedWord.decode(encoded) == Self.vietnameseSubject)
    }

    /// Decomposed Vietnamese (a letter followed by combining marks) must never be cut between
    /// the letter and its marks: a client decoding word by word would show a bare "e" and a
    /// floating accent.
    @Test func splitsOnlyBetweenCharacters() throws {
        let decomposed = String(repeating: "Nguyễn Thị Thu Hà ", count: 8).decomposedStringWithCanonicalMapping
        let words = EncodedWord.words(for: decomposed)
        #expect(words.count > 3)
        var joined = ""
        for word in words {
            #expect(word.count <= 75)
            let payload = try #require(Self.decodedPayload(of: word), "word \(word) is not whole UTF-8")
            let first = try #require(payload.unicodeScalars.first)
            #expect(first.properties.generalCategory != .nonspacingMark, "word starts with a combining mark")
            joined += payload
        }
        #expect(joined == decomposed)
        #expect(EncodedWord.decode(words.joined(separator: "\r\n ")) == decomposed)
    }

    @Test func aCharacterLongerThanAWordIsCutBetweenScalarsOnly() throws {
        let zalgo = "a" + String(repeating: "\u{301}", count: 40)  // one grapheme, 81 bytes
        let words = EncodedWord.words(for: zalgo)
        #expect(words.count >= 2)
        for word in words {
            #expect(word.count <= 75)
            #expect(Self.decodedPayload(of: word) != nil, "word \(word) cuts a UTF-8 sequence")
        }
        #expect(EncodedWord.decode(words.joined(separator: " ")) == zalgo)
    }

    @Test func plainASCIIIsLeftAlone() {
        #expect(EncodedWord.encode("Mailbox ready: ha@bo.gov.vn") == "Mailbox ready: ha@bo.gov.vn")
        #expect(!EncodedWord.needsEncoding("Plain (ASCII) subject, with specials: <>@"))
        #expect(EncodedWord.needsEncoding("looks like =?UTF-8?B?x?="))
        #expect(EncodedWord.needsEncoding("Hà"))
    }

    @Test(arguments: [
        ("=?ISO-8859-1?Q?Caf=E9_cr=E8me?=", "Café crème"),
        ("=?utf-8?q?Nguy=E1=BB=85n_Th=E1=BB=8B?=", "Nguyễn Thị"),
        ("=?UTF-8?B?SOG7mSB0aMawIG3hu5tp?=", "Hộ thư mới"),
        ("Re: =?UTF-8?B?SMOg?= =?UTF-8?Q?_=C4=91=C3=A3_tr=E1=BA=A3_l=E1=BB=9Di?= ok", "Re: Hà đã trả lời ok"),
        ("=?UTF-8?B?SMOg?=\r\n =?UTF-8?B?IE7hu5lp?=", "Hà Nội"),
        ("=?UTF-8?Q?Nguy=E1=BB?= =?UTF-8?Q?=85n?=", "Nguyễn"),
        ("=?UTF-8*vi?Q?H=C3=A0?=", "Hà"),
        ("=?UTF-8?B?SMOg", "=?UTF-8?B?SMOg"),
        ("=?KOI8-R?B?SMOg?=", "=?KOI8-R?B?SMOg?="),
        ("plain text", "plain text"),
    ])
    func decodesWords(encoded: String, expected: String) {
        #expect(EncodedWord.decode(encoded) == expected)
    }
}
