import SwitchboardCore
import SwitchboardBase
import Testing
import Transport

/// IMAP against the real Dovecot of the mail stack.
@Suite struct IMAPSessionTests {
    @Test func loginWithTheRightPasswordSucceeds() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        let imap = try domain.imapSession("alice")
        let seconds = try imap.login()
        #expect(seconds > 0 && seconds < 10)
        #expect(try imap.messageCount() == 0)
        #expect(imap.connectionsOpened == 1)
    }

    @Test func loginWithAWrongPasswordIsRefusedAndTheErrorHidesIt() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        let wrong = "Sai-\(domain.password)"
        let imap = try IMAPSession(server: stack.imap, credentials: MailCredentials(username: domain.address("alice"), password: Secret(wrong)))
        let error = try #require(throws: TransportError.self) { try imap.login() }
        #expect(error.code == .authenticationFailed)
        #expect(error.serverReply?.contains("AUTHENTICATIONFAILED") == true)
        #expect(error.description.contains("127.0.0.1:\(stack.imapPort)"))
        #expect(error.description.contains(domain.address("alice")))
        for text in [error.description, error.serverReply ?? "", String(describing: error), String(reflecting: error)] {
            #expect(!text.contains(wrong))
            #expect(!text.contains(domain.password))
        }
    }

    @Test func quotaOfAOneMegabyteMailboxIs1024KiB() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["small": 1_048_576, "unlimited": nil])
        let limited = try domain.imapSession("small")
        let usage = try #require(try limited.quota())
        #expect(usage.limitKiB == 1024)
        #expect(usage.usedKiB == 0)
        #expect(try domain.imapSession("unlimited").quota() == nil)
    }

    @Test func fetchKeepsLinesThatLookLikeIMAPResponses() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        // libcurl tags commands A001, A002, ... on a session's first connection and takes
        // such a line for the end of the FETCH; the session must notice and read it again.
        let tagLines = (1...999).map { "A\(String(repeating: "0", count: 3 - String($0).count))\($0) OK not the end\r\n" }.joined()
        let body = "Before.\r\n* 1 EXISTS\r\n* SEARCH 99\r\n\(tagLines)After.\r\n"
        let message = TestMessage(from: domain.address("alice"), to: domain.address("bob"), body: body)
        _ = try domain.submissionSession("alice").send(from: domain.address("alice"), to: [domain.address("bob")], message: message.text)

        let imap = try domain.imapSession("bob")
        let uid = try imap.waitForMessage(messageID: message.messageID, timeoutSeconds: 10)
        #expect(TestMessage.withoutTraceHeaders(try imap.fetch(uid: uid)) == message.text)
        // The session is still in step afterwards, on the second connection it had to open.
        #expect(try imap.search(messageID: message.messageID) == [uid])
        #expect(try imap.messageCount() == 1)
        #expect(imap.connectionsOpened == 2)
    }

    @Test func waitForMessageGivesUpWithATimeout() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        let imap = try domain.imapSession("alice")
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: TransportError.self) {
            try imap.waitForMessage(messageID: "never-sent@tests.switchboard.test", timeoutSeconds: 0.3)
        }
        #expect(error.code == .timeout)
        #expect(start.duration(to: clock.now) >= .milliseconds(300))
        #expect(imap.connectionsOpened == 1)
    }

    @Test func aMissingMailboxIsNotMistakenForABadPassword() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        let imap = try domain.imapSession("alice")
        let error = try #require(throws: TransportError.self) { try imap.search(messageID: "x@y", mailbox: "No Such Folder") }
        #expect(error.code == .protocolError)
        #expect(error.description.contains("No Such Folder"))
        #expect(error.serverReply?.hasPrefix("NO") == true)
    }

    @Test func fetchingAMissingUIDSaysSo() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        let error = try #require(throws: TransportError.self) { try domain.imapSession("alice").fetch(uid: 4242) }
        #expect(error.code == .protocolError)
        #expect(error.description.contains("UID 4242"))
    }
}
