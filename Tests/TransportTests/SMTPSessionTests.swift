import SwitchboardCore
import SwitchboardBase
import Testing
import Transport

/// Submission (AUTH) through the real Postfix of the mail stack, checked over the real Dovecot.
@Suite struct SMTPSessionTests {
    @Test func submissionDeliversAndIMAPFetchesTheMessageByteForByte() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        let message = TestMessage(
            from: domain.address("alice"), to: domain.address("bob"),
            body: "Xin chào Bob.\r\n.a line that starts with a dot\r\n..two dots\r\nBye.\r\n")

        let smtp = try domain.submissionSession("alice")
        let receipt = try smtp.send(from: domain.address("alice"), to: [domain.address("bob")], message: message.text)
        #expect(receipt.responseCode == 250)
        #expect(receipt.serverReply.contains("queued as"))
        #expect(receipt.rejectedRecipients.isEmpty)
        #expect(receipt.seconds > 0)

        let imap = try domain.imapSession("bob")
        let uid = try imap.waitForMessage(messageID: message.messageID, timeoutSeconds: 10)
        let fetched = try imap.fetch(uid: uid)
        #expect(fetched.hasPrefix("Return-Path: <\(domain.address("alice"))>\r\n"))
        #expect(TestMessage.withoutTraceHeaders(fetched) == message.text)
        // BODY.PEEK[]: reading it did not mark it read.
        #expect(!(try stack.flags(of: domain.address("bob"), uid: uid)).contains("\\Seen"))

        #expect(try imap.messageCount() == 1)
        try imap.delete(uid: uid)
        #expect(try imap.search(messageID: message.messageID).isEmpty)
        #expect(try imap.messageCount() == 0)
        // Search, fetch, store, expunge and status all ran on the login's one connection.
        #expect(imap.connectionsOpened == 1)
    }

    @Test func unknownRecipientIsRejectedWithTheServers550() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        let nobody = domain.address("nobody")
        let smtp = try domain.submissionSession("alice")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(from: domain.address("alice"), to: [nobody], message: TestMessage(from: domain.address("alice"), to: nobody).text)
        }
        #expect(error.code == .recipientRejected)
        let reply = try #require(error.serverReply)
        #expect(reply.hasPrefix("550 5.1.1 <\(nobody)>: Recipient address rejected"))
        #expect(error.description.contains("127.0.0.1:\(stack.submissionPort)"))
        #expect(error.description.contains(nobody))
    }

    @Test func sendingAsAnotherMailboxIsRejectedWith553() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        let smtp = try domain.submissionSession("alice")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(
                from: domain.address("bob"), to: [domain.address("alice")],
                message: TestMessage(from: domain.address("bob"), to: domain.address("alice")).text)
        }
        #expect(error.code == .senderRejected)
        #expect(error.serverReply?.hasPrefix("553 5.7.1 <\(domain.address("bob"))>: Sender address rejected") == true)
        #expect(error.description.contains(domain.address("bob")))
    }

    @Test func refusedRecipientsAreReportedWhileTheOthersGetTheMessage() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        let message = TestMessage(from: domain.address("alice"), to: domain.address("bob"))
        let smtp = try domain.submissionSession("alice")
        let receipt = try smtp.send(
            from: domain.address("alice"), to: [domain.address("ghost"), domain.address("bob"), domain.address("phantom")],
            message: message.text)
        #expect(receipt.responseCode == 250)
        #expect(receipt.rejectedRecipients.map(\.address) == [domain.address("ghost"), domain.address("phantom")])
        #expect(receipt.rejectedRecipients.allSatisfy { $0.serverReply.hasPrefix("550 5.1.1") })
        let imap = try domain.imapSession("bob")
        #expect(try imap.waitForMessage(messageID: message.messageID, timeoutSeconds: 10) > 0)
    }

    @Test func wrongSubmissionPasswordIsAnAuthenticationFailure() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        let wrong = "wrong-\(domain.password)"
        let smtp = try SMTPSession(
            server: stack.submission, credentials: MailCredentials(username: domain.address("alice"), password: Secret(wrong)),
            heloName: "tests.switchboard.test")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(
                from: domain.address("alice"), to: [domain.address("alice")],
                message: TestMessage(from: domain.address("alice"), to: domain.address("alice")).text)
        }
        #expect(error.code == .authenticationFailed)
        #expect(error.serverReply?.hasPrefix("535") == true)
        #expect(!"\(error) \(error.serverReply ?? "")".contains(wrong))
    }

    @Test func twentySendsShareOneConnection() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        let smtp = try domain.submissionSession("alice")
        var messages: [TestMessage] = []
        for index in 1...20 {
            let message = TestMessage(from: domain.address("alice"), to: domain.address("bob"), subject: "burst \(index)")
            messages.append(message)
            #expect(try smtp.send(from: domain.address("alice"), to: [domain.address("bob")], message: message.text).responseCode == 250)
        }
        #expect(smtp.connectionsOpened == 1)
        let imap = try domain.imapSession("bob")
        for message in messages {
            _ = try imap.waitForMessage(messageID: message.messageID, timeoutSeconds: 10)
        }
        #expect(try imap.messageCount() == 20)
        #expect(imap.connectionsOpened == 1)
    }

    @Test func aRefusedSendCostsTheNextSendANewConnection() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        let smtp = try domain.submissionSession("alice")
        let good = TestMessage(from: domain.address("alice"), to: domain.address("bob"))
        _ = try smtp.send(from: domain.address("alice"), to: [domain.address("bob")], message: good.text)
        #expect(throws: TransportError.self) {
            try smtp.send(from: domain.address("alice"), to: [domain.address("nobody")], message: good.text)
        }
        _ = try smtp.send(from: domain.address("alice"), to: [domain.address("bob")], message: good.text)
        #expect(smtp.connectionsOpened == 2)
    }

    @Test func aMessageOverTheServersSizeLimitIsRejected() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        // Postfix's default message_size_limit is 25 MiB; libcurl announces SIZE= in MAIL FROM.
        let line = String(repeating: "x", count: 998) + "\r\n"
        let body = String(repeating: line, count: 27 * 1024)
        let message = TestMessage(from: domain.address("alice"), to: domain.address("bob"), body: body)
        let smtp = try domain.submissionSession("alice")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(from: domain.address("alice"), to: [domain.address("bob")], message: message.text)
        }
        #expect(error.code == .messageRejected)
        #expect(error.serverReply?.hasPrefix("552") == true)
    }

    @Test func startTLSThatTheServerDoesNotOfferFailsWithoutLoggingIn() throws {
        // The stack offers STARTTLS (ops/mailstack/start --tls); this server offers only AUTH.
        let scripted = try ScriptedSMTPServer(extensions: ["AUTH PLAIN LOGIN", "8BITMIME"])
        let server = MailServer(host: "127.0.0.1", port: scripted.port, security: .startTLS, timeoutSeconds: 5)
        let credentials = MailCredentials(username: "alice@example.test", password: Secret("Mật khẩu bí mật 1"))
        let smtp = try SMTPSession(server: server, credentials: credentials, heloName: "tests.switchboard.test")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(
                from: "alice@example.test", to: ["alice@example.test"],
                message: TestMessage(from: "alice@example.test", to: "alice@example.test").text)
        }
        #expect(error.code == .tlsFailed)
        #expect(error.description.contains("does not offer STARTTLS"))
        #expect(error.description.contains("127.0.0.1:\(scripted.port)"))
        smtp.close()
        // It asked (EHLO) and, finding no STARTTLS, sent neither AUTH nor MAIL.
        let verbs = scripted.transcript.lines.map { $0.prefix { $0 != " " }.uppercased() }
        #expect(verbs.first == "EHLO", "\(verbs)")
        #expect(!verbs.contains("AUTH") && !verbs.contains("MAIL"), "\(verbs)")
    }

    @Test func implicitTLSToAPlainPortIsATLSFailure() throws {
        let stack = try MailStack.current()
        var server = stack.imap
        server.security = .implicitTLS
        let imap = try IMAPSession(server: server, credentials: MailCredentials(username: "x@y.test", password: Secret("irrelevant")))
        let error = try #require(throws: TransportError.self) { try imap.login() }
        #expect(error.code == .tlsFailed)
        #expect(error.description.contains(server.endpoint))
    }
}
