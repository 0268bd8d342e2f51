import Foundation
import Messaging
import SwitchboardBase
import Testing

/// A line break in any header value would let its author add headers (a Bcc to everyone) or
/// replace the body. Each place a value enters a header must refuse CR, LF and NUL, and say
/// which field was at fault.
@Suite struct HeaderInjectionTests {
    static let breaks = ["\r\nBcc: everyone@bo.gov.vn", "\nX-Evil: 1", "\rX", "\0"]

    static func message() throws -> MailMessage {
        MailMessage(
            from: try Mailbox(address: "helpdesk@bo.gov.vn"), to: [try Mailbox(address: "ha@bo.gov.vn")],
            subject: "Thư thử", textBody: "x"
        )
    }

    static func expectRefused(_ error: MessageError, field: String) {
        #expect(error.code == .headerInjection)
        #expect(error.field == field)
        #expect(error.description.hasPrefix("\(field) contains "), "\(error.description)")
        #expect(error.description.contains("refused before sending"))
        #expect(!error.description.contains("\r") && !error.description.contains("\n"))
    }

    @Test(arguments: breaks)
    func inSubject(bad: String) throws {
        var message = try Self.message()
        message.subject = "Chào mừng" + bad
        let error = try #require(throws: MessageError.self) { try message.render() }
        Self.expectRefused(error, field: "subject")
    }

    @Test(arguments: breaks)
    func inDisplayName(bad: String) throws {
        let error = try #require(throws: MessageError.self) {
            try Mailbox(displayName: "Nguyễn Thị Thu Hà" + bad, address: "ha@bo.gov.vn", role: "recipient")
        }
        Self.expectRefused(error, field: "recipient display name")
    }

    @Test(arguments: breaks)
    func inAddress(bad: String) throws {
        let error = try #require(throws: MessageError.self) {
            try Mailbox(displayName: "Hà", address: "ha@bo.gov.vn" + bad, role: "recipient")
        }
        Self.expectRefused(error, field: "recipient address")
    }

    @Test(arguments: breaks)
    func inCustomHeaderValue(bad: String) throws {
        var message = try Self.message()
        message.extraHeaders = [("X-Ticket", "42" + bad)]
        let error = try #require(throws: MessageError.self) { try message.render() }
        Self.expectRefused(error, field: "header X-Ticket")
    }

    @Test(arguments: breaks)
    func inAttachmentFileName(bad: String) throws {
        var message = try Self.message()
        message.attachments = [.attachment(filename: "a.pdf" + bad, contentType: "application/pdf", data: Data([1]))]
        let error = try #require(throws: MessageError.self) { try message.render() }
        Self.expectRefused(error, field: "attachment 1 file name")
    }

    @Test func unicodeLineSeparatorsAreRefusedToo() throws {
        for separator in ["\u{2028}", "\u{2029}", "\u{85}"] {
            let error = try #require(throws: MessageError.self) { try HeaderSafety.check("a\(separator)b", field: "subject") }
            #expect(error.code == .headerInjection)
        }
        try HeaderSafety.check("Tab\tand ümlauts are fine", field: "subject")
    }

    @Test func theExactWordingNamesFieldAndProblem() throws {
        let error = try #require(throws: MessageError.self) { try MailAddress("ha@bo.gov.vn\r\n", field: "recipient address") }
        #expect(error.description.hasPrefix("recipient address contains a line break (CR/LF): refused before sending"))
    }
}
