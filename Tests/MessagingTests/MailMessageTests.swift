import Foundation
import Testing

@testable import Messaging
import SwitchboardBase

@Suite struct MailMessageTests {
    static let calendar = """
        BEGIN:VCALENDAR
        VERSION:2.0
        METHOD:REQUEST
        PRODID:-//Switchboard//VI
        BEGIN:VEVENT
        UID:1@bo.gov.vn
        SUMMARY:Họp giao ban tuần
        END:VEVENT
        END:VCALENDAR

        """

    static func message() throws -> MailMessage {
        MailMessage(
            from: try Mailbox(displayName: "Bộ phận hỗ trợ CNTT", address: "helpdesk@bo.gov.vn", role: "sender"),
            to: [try Mailbox(displayName: "Nguyễn Thị Thu Hà", address: "ha@bo.gov.vn", role: "recipient")],
            subject: "Chào mừng Nguyễn Thị Thu Hà",
            textBody: "Xin chào,\nđây là thư thử.\n.\nTrân trọng\n",
            date: Date(timeIntervalSince1970: 1_748_916_300),  // 2025-06-03 02:05:00 UTC
            timeZone: try #require(TimeZone(identifier: "Asia/Ho_Chi_Minh"))
        )
    }

    @Test func textOnlyMessageIsOneQuotedPrintablePart() throws {
        let rendered = try Self.message().render()
        #expect(TestSupport.bareLineBreaks(in: rendered).isEmpty)
        #expect(rendered.hasSuffix("\r\n"))
        #expect(rendered.unicodeScalars.allSatisfy { $0.isASCII }, "the wire form is 7-bit")
        let entity = TestSupport.Entity(rendered)
        #expect(entity.header("MIME-Version") == "1.0")
        #expect(entity.header("Date") == "Tue, 3 Jun 2025 09:05:00 +0700")
        #expect(entity.header("Content-Type") == "text/plain; charset=UTF-8")
        #expect(entity.header("Content-Transfer-Encoding") == "quoted-printable")
        #expect(entity.header("To") == "=?UTF-8?B?Tmd1eeG7hW4gVGjhu4sgVGh1IEjDoA==?= <ha@bo.gov.vn>")
        #expect(entity.decodedText == "Xin chào,\r\nđây là thư thử.\r\n.\r\nTrân trọng\r\n")
        for line in TestSupport.lines(rendered) {
            #expect(!line.hasPrefix("."), "a body line starting with a dot would be eaten by SMTP")
            #expect(line.utf8.count <= 78)
        }
    }

    @Test func alternativeHoldsTextThenHTMLThenCalendar() throws {
        var message = try Self.message()
        message.htmlBody = "<p>Xin chào <b>Hà</b></p>"
        message.alternativeParts = [
            MIMEPart(contentType: "text/calendar; charset=UTF-8; method=REQUEST", text: Self.calendar)
        ]
        let rendered = try message.render()
        #expect(TestSupport.bareLineBreaks(in: rendered).isEmpty)
        let entity = TestSupport.Entity(rendered)
        let boundary = try #require(entity.boundary)
        #expect(entity.header("Content-Type") == "multipart/alternative; boundary=\"\(boundary)\"")
        #expect(entity.header("Content-Transfer-Encoding") == nil)
        let lines = TestSupport.lines(rendered)
        #expect(lines.filter { $0 == "--" + boundary }.count == 3)
        #expect(lines.filter { $0 == "--" + boundary + "--" }.count == 1)

        let parts = try #require(entity.parts, "parts must be delimited by the declared boundary")
        #expect(parts.map { $0.header("Content-Type") ?? "" } == [
            "text/plain; charset=UTF-8", "text/html; charset=UTF-8", "text/calendar; charset=UTF-8; method=REQUEST",
        ])
        #expect(parts[0].decodedText == TestSupport.crlf(message.textBody))
        #expect(parts[1].decodedText == "<p>Xin chào <b>Hà</b></p>")
        #expect(parts[2].decodedText == TestSupport.crlf(Self.calendar))
    }

    @Test func attachmentsWrapTheAlternativeInMixed() throws {
        var message = try Self.message()
        message.htmlBody = "<p>Xin chào</p>"
        let pdf = Data((0..<300).map { UInt8($0 % 256) })
        message.attachments = [.attachment(filename: "Hướng dẫn.pdf", contentType: "application/pdf", data: pdf)]
        let rendered = try message.render()
        #expect(TestSupport.bareLineBreaks(in: rendered).isEmpty)
        let entity = TestSupport.Entity(rendered)
        #expect(entity.header("Content-Type")?.hasPrefix("multipart/mixed;") == true)
        let outer = try #require(entity.parts)
        #expect(outer.count == 2)
        #expect(outer[0].header("Content-Type")?.hasPrefix("multipart/alternative;") == true)
        #expect(outer[0].boundary != entity.boundary)
        #expect(try #require(outer[0].parts).count == 2)
        #expect(outer[1].header("Content-Transfer-Encoding") == "base64")
        #expect(outer[1].header("Content-Disposition") == "attachment; filename*=UTF-8''H%C6%B0%E1%BB%9Bng%20d%E1%BA%ABn.pdf")
        #expect(Data(base64Encoded: outer[1].body.replacingOccurrences(of: "\r\n", with: "")) == pdf)
        #expect(TestSupport.lines(outer[1].body).allSatisfy { $0.count <= 76 })
    }

    @Test func boundaryIsRedrawnWhenAPartContainsIt() throws {
        var message = try Self.message()
        message.alternativeParts = [
            MIMEPart(contentType: "text/x-note", text: "--=_COLLIDE\r\nnot a boundary", transferEncoding: .sevenBit)
        ]
        var draws = ["=_COLLIDE", "=_fresh"].makeIterator()
        let rendered = try message.render { draws.next() ?? "=_exhausted" }
        let entity = TestSupport.Entity(rendered)
        #expect(entity.boundary == "=_fresh")
        #expect(try #require(entity.parts).count == 2)
    }

    @Test func randomBoundariesDiffer() {
        let first = MailMessage.randomBoundary()
        #expect(first != MailMessage.randomBoundary())
        #expect(first.hasPrefix("=_") && first.count > 30)
    }

    @Test func displayNamesAreAtomsQuotedOrEncoded() throws {
        #expect(try Mailbox(address: "ha@bo.gov.vn").headerValue == "ha@bo.gov.vn")
        #expect(try Mailbox(displayName: "", address: "ha@bo.gov.vn").headerValue == "ha@bo.gov.vn")
        #expect(try Mailbox(displayName: "Helpdesk IT", address: "hd@bo.gov.vn").headerValue == "Helpdesk IT <hd@bo.gov.vn>")
        #expect(
            try Mailbox(displayName: "Smith, J. \"IT\"", address: "js@bo.gov.vn").headerValue
                == #""Smith, J. \"IT\"" <js@bo.gov.vn>"#)
        let encoded = try Mailbox(displayName: "Lê & Hà", address: "le@bo.gov.vn").headerValue
        #expect(encoded.hasPrefix("=?UTF-8?B?") && !encoded.hasPrefix("\""), "no encoded-word inside quotes")
        #expect(EncodedWord.decode(encoded) == "Lê & Hà <le@bo.gov.vn>")
    }

    @Test func longRecipientListsFoldWithin78Characters() throws {
        var message = try Self.message()
        message.to = try (1...12).map {
            try Mailbox(displayName: "Nguyễn Văn Thành Trung Kiên số \($0)", address: "nguoi\($0)@bo.gov.vn")
        }
        message.cc = try (1...5).map { try Mailbox(displayName: "Phòng \($0)", address: "phong\($0)@bo.gov.vn") }
        let rendered = try message.render()
        let head = TestSupport.Entity(rendered).rawHeaders.joined(separator: "\r\n")
        for line in TestSupport.lines(head) {
            #expect(line.count <= 78, "header line of \(line.count): \(line)")
        }
        let view = try TestSupport.python(rendered)
        #expect(view.to.count == 12)
        #expect(view.to[11] == ["Nguyễn Văn Thành Trung Kiên số 12", "nguoi12@bo.gov.vn"])
        #expect(view.cc.map(\.[0]) == (1...5).map { "Phòng \($0)" })
    }

    @Test func messageIDIsUniqueAndOnTheSendersDomain() throws {
        let id = MailMessage.makeMessageID(domain: "bo.gov.vn")
        #expect(id.wholeMatch(of: #/<[0-9a-f-]{36}@bo\.gov\.vn>/#) != nil)
        #expect(id != MailMessage.makeMessageID(domain: "bo.gov.vn"))
        #expect(try Self.message().messageID.hasSuffix("@bo.gov.vn>"))
    }

    @Test(arguments: ["no-brackets@bo.gov.vn", "<no-at>", "<a b@bo.gov.vn>", "<@bo.gov.vn>", "<x@y>\r\nBcc: a@b"])
    func malformedMessageIDIsRefused(id: String) throws {
        var message = try Self.message()
        message.messageID = id
        let error = try #require(throws: MessageError.self) { try message.render() }
        #expect(error.code == .invalidMessageID || error.code == .headerInjection)
    }

    @Test func dateUsesEnglishNamesAndTheZoneOffset() throws {
        let date = Date(timeIntervalSince1970: 1_735_689_599)  // 2024-12-31 23:59:59 UTC
        #expect(MailMessage.formatDate(date, timeZone: try #require(TimeZone(identifier: "Asia/Ho_Chi_Minh"))) == "Wed, 1 Jan 2025 06:59:59 +0700")
        #expect(MailMessage.formatDate(date, timeZone: try #require(TimeZone(identifier: "America/St_Johns"))) == "Tue, 31 Dec 2024 20:29:59 -0330")
        #expect(MailMessage.formatDate(date, timeZone: try #require(TimeZone(identifier: "UTC"))) == "Tue, 31 Dec 2024 23:59:59 +0000")
    }

    @Test func noRecipientIsRefused() throws {
        var message = try Self.message()
        message.to = []
        let error = try #require(throws: MessageError.self) { try message.render() }
        #expect(error.code == .noRecipients)
    }

    @Test func extraHeadersAreWrittenAndEncoded() throws {
        var message = try Self.message()
        message.extraHeaders = [("Auto-Submitted", "auto-generated"), ("X-Ticket", "Yêu cầu #42")]
        let entity = TestSupport.Entity(try message.render())
        #expect(entity.header("Auto-Submitted") == "auto-generated")
        #expect(EncodedWord.decode(try #require(entity.header("X-Ticket"))) == "Yêu cầu #42")
    }

    @Test(arguments: ["", "X Ticket", "X-Ticket:", "Bcc", "subject", "Content-Type", "X-Tíc"])
    func badOrReservedHeaderNamesAreRefused(name: String) throws {
        var message = try Self.message()
        message.extraHeaders = [(name, "value")]
        let error = try #require(throws: MessageError.self) { try message.render() }
        #expect(error.code == .invalidHeaderName)
    }

    @Test func sevenBitPartsMustBeASCII() throws {
        var message = try Self.message()
        message.alternativeParts = [MIMEPart(contentType: "text/calendar; charset=UTF-8", text: "Họp", transferEncoding: .sevenBit)]
        let error = try #require(throws: MessageError.self) { try message.render() }
        #expect(error.code == .invalidBody)
        #expect(error.description.contains("alternative part 1"))
    }

    @Test(arguments: ["text", "multipart/mixed", "text/plain; charset=\"é\"", "te xt/plain"])
    func malformedContentTypesAreRefused(type: String) throws {
        var message = try Self.message()
        message.attachments = [MIMEPart(contentType: type, data: Data([1, 2, 3]))]
        let error = try #require(throws: MessageError.self) { try message.render() }
        #expect(error.code == .invalidContentType)
        #expect(error.description.contains("attachment 1 content type"))
    }
}

extension MailMessageTests {
    /// A name too long for one encoded-word is cut after a space, never inside a word.
    @Test func longDisplayNameIsCutBetweenWords() throws {
        let name = "Bộ phận Hỗ trợ Kỹ thuật Công nghệ Thông tin và Chuyển đổi số của Văn phòng Bộ"
        var message = try Self.message()
        message.to = [try Mailbox(displayName: name, address: "hotro@bo.gov.vn")]
        let rendered = try message.render()
        let raw = try #require(TestSupport.Entity(rendered).rawHeader("To"))
        let words = EncodedWordTests.encodedWords(in: raw)
        #expect(words.count >= 2)
        for word in words.dropLast() {
            let payload = try #require(EncodedWordTests.decodedPayload(of: word))
            #expect(payload.hasSuffix(" "), "word \(payload.debugDescription) is cut inside a word")
        }
        for line in TestSupport.lines(raw) {
            #expect(line.count <= 78)
        }
        #expect(EncodedWord.decode(String(raw.dropFirst("To: ".count))) == name + " <hotro@bo.gov.vn>")
        // Python keeps the whitespace between adjacent encoded-words in a display name (RFC 2047
        // section 6.2 says to drop it), so it reads a double space where a word ends; the words
        // themselves must be intact.
        let view = try TestSupport.python(rendered)
        #expect(view.to.first?.first?.replacingOccurrences(of: "  ", with: " ") == name)
    }
}
