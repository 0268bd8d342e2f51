import Foundation
import Messaging
import SwitchboardBase
import Testing

/// Python's email package is a strict, widely used reader: if it reads back what we meant, so
/// will the recipients' mail clients. These tests need python3 (apt-get install -y python3).
@Suite struct PythonInteropTests {
    @Test func pythonReadsSubjectNamesAndEveryPart() throws {
        let subject = EncodedWordTests.vietnameseSubject
        let text = "Kính gửi chị Hà,\n.\nHộp thư của chị đã sẵn sàng: " + String(repeating: "dòng rất dài ", count: 12) + "\nTrân trọng,\n"
        let html = "<p>Kính gửi chị <b>Hà</b></p>\n<p>" + String(repeating: "nội dung ", count: 20) + "</p>\n"
        let pdf = Data((0..<1000).map { UInt8(($0 * 7) % 256) })
        var message = MailMessage(
            from: try Mailbox(displayName: "Bộ phận hỗ trợ CNTT", address: "helpdesk@bo.gov.vn"),
            to: [
                try Mailbox(displayName: "Nguyễn Thị Thu Hà", address: "ha@bo.gov.vn"),
                try Mailbox(displayName: "Smith, John", address: "js@bo.gov.vn"),
            ],
            cc: [try Mailbox(address: "an@bộ.vn")],
            replyTo: try Mailbox(displayName: "Hỗ trợ", address: "hotro@bo.gov.vn"),
            subject: subject, textBody: text, htmlBody: html,
            date: Date(timeIntervalSince1970: 1_748_916_300),
            timeZone: try #require(TimeZone(identifier: "Asia/Ho_Chi_Minh"))
        )
        message.alternativeParts = [
            MIMEPart(contentType: "text/calendar; charset=UTF-8; method=REQUEST", text: MailMessageTests.calendar)
        ]
        message.attachments = [.attachment(filename: "Hướng dẫn.pdf", contentType: "application/pdf", data: pdf)]

        let view = try TestSupport.python(try message.render())
        #expect(view.defects.isEmpty, "python found defects: \(view.defects)")
        #expect(view.subject == subject)
        #expect(view.from == [["Bộ phận hỗ trợ CNTT", "helpdesk@bo.gov.vn"]])
        #expect(view.to == [["Nguyễn Thị Thu Hà", "ha@bo.gov.vn"], ["Smith, John", "js@bo.gov.vn"]])
        #expect(view.cc == [["", "an@xn--b-8xm.vn"]])
        #expect(view.date == "Tue, 03 Jun 2025 09:05:00 +0700")
        #expect(view.messageID == message.messageID)
        #expect(view.parts.map(\.type) == [
            "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar", "application/pdf",
        ])
        #expect(view.text == TestSupport.crlf(text))
        #expect(view.html == TestSupport.crlf(html))
        #expect(view.parts[4].content == TestSupport.crlf(MailMessageTests.calendar))
        #expect(view.parts[4].params["method"] == "REQUEST")
        #expect(view.parts[5].filename == "Hướng dẫn.pdf")
        #expect(view.parts[5].base64.flatMap { Data(base64Encoded: $0) } == pdf)
    }

    @Test func pythonReadsATextOnlyMessageWithAwkwardLines() throws {
        let text = ".\n..two dots\nFrom the helpdesk\ntrailing space \n" + String(repeating: "ễ", count: 100) + "\n=?UTF-8?B?SMOg?= literal\n"
        let message = MailMessage(
            from: try Mailbox(address: "helpdesk@bo.gov.vn"), to: [try Mailbox(address: "ha@bo.gov.vn")],
            subject: "Plain ASCII subject that is long enough to need folding at the seventy-eighth column, surely",
            textBody: text
        )
        let rendered = try message.render()
        let view = try TestSupport.python(rendered)
        #expect(view.defects.isEmpty, "python found defects: \(view.defects)")
        #expect(view.subject == message.subject)
        #expect(view.text == TestSupport.crlf(text))
        #expect(view.parts.map(\.type) == ["text/plain"])
    }
}
