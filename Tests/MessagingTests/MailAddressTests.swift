import Foundation
import Messaging
import SwitchboardBase
import Testing

@Suite struct MailAddressTests {
    @Test func keepsLocalPartAndLowerCasesDomain() throws {
        let address = try MailAddress("Thu.Ha+helpdesk@Bo-Noi-Vu.GOV.vn")
        #expect(address.address == "Thu.Ha+helpdesk@bo-noi-vu.gov.vn")
        #expect(address.localPart == "Thu.Ha+helpdesk")
        #expect(address.domain == "bo-noi-vu.gov.vn")
        #expect(try MailAddress("a@EXAMPLE.vn") == MailAddress("a@example.vn"))
    }

    @Test func convertsUnicodeDomainToPunycode() throws {
        #expect(try MailAddress("ha@bộ.vn").address == "ha@xn--b-8xm.vn")
        #expect(try MailAddress("ha@BỘ.VN").address == "ha@xn--b-8xm.vn")
    }

    /// Cross-check against Python's IDNA codec for several labels: a mistake in the Punycode
    /// arithmetic would send mail to a domain that does not exist.
    @Test func punycodeMatchesPython() throws {
        let labels = ["bộ", "ngoạigiao", "thủtướng", "việtnam", "münchen", "中国", "a-bộ-c"]
        let text = try TestSupport.python(script: "import sys\nfor l in sys.argv[1:]: print(l.encode('idna').decode())", arguments: labels)
        let expected = text.split(separator: "\n").map(String.init)
        try #require(expected.count == labels.count, "python3 is needed for this check: apt-get install -y python3")
        for (label, ascii) in zip(labels, expected) {
            #expect(try MailAddress("x@\(label).vn").domain == "\(ascii).vn", "label \(label)")
        }
    }

    @Test(arguments: [
        ("ha@bo.gov.vn\r\nBcc: everyone@bo.gov.vn", "a line break (CR/LF)"),
        ("ha@bo.gov.vn\n", "a line break (CR/LF)"),
        ("ha@bo.gov.vn\r", "a line break (CR/LF)"),
        ("ha\0@bo.gov.vn", "a NUL character"),
    ])
    func refusesLineBreaksAndNULAsInjection(text: String, found: String) throws {
        let error = try #require(throws: MessageError.self) { try MailAddress(text, field: "recipient address") }
        #expect(error.code == .headerInjection)
        #expect(error.field == "recipient address")
        #expect(error.description.hasPrefix("recipient address contains \(found): refused before sending"))
        // The value is shown escaped, so the error itself cannot break a log line.
        #expect(!error.description.contains("\r") && !error.description.contains("\n") && !error.description.contains("\0"))
    }

    @Test(arguments: [
        ("ha @bo.gov.vn", "contains a space"),
        ("ha@bo.gov.vn\t", "contains a space"),
        ("<ha@bo.gov.vn>", "angle bracket"),
        ("Hà <ha@bo.gov.vn>", "contains a space"),
        ("ha@bo.gov.vn,an@bo.gov.vn", "comma"),
        ("ha.bo.gov.vn", "has no @"),
        ("ha@x@bo.gov.vn", "more than one @"),
        ("@bo.gov.vn", "local part is empty"),
        ("ha@", "domain is empty"),
        (".ha@bo.gov.vn", "dot"),
        ("thu..ha@bo.gov.vn", "dot"),
        ("ha@bo..vn", "two consecutive dots"),
        ("ha@-bo.vn", "hyphen"),
        ("ha@bo_x.vn", "domain contains a character that is not allowed"),
        ("ha(x)@bo.vn", "local part contains a character that is not allowed"),
        ("ha@10.0.0.1", "all-numeric"),
        ("hà@bo.gov.vn", "local part contains a non-ASCII character"),
    ])
    func refusesMalformedAddresses(text: String, reason: String) throws {
        let error = try #require(throws: MessageError.self) { try MailAddress(text, field: "sender address") }
        #expect(error.code == .invalidAddress)
        #expect(error.description.hasPrefix("sender address "))
        #expect(error.description.contains(reason), "\(error.description)")
    }

    @Test func refusesOverlongParts() throws {
        let longLocal = String(repeating: "a", count: 65) + "@bo.vn"
        #expect(throws: MessageError.self) { try MailAddress(longLocal) }
        let longLabel = "a@" + String(repeating: "b", count: 64) + ".vn"
        #expect(throws: MessageError.self) { try MailAddress(longLabel) }
        #expect(try MailAddress("a@" + String(repeating: "b", count: 63) + ".vn").domain.count == 66)
    }
}
