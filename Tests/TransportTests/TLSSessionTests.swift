import SwitchboardCore
import SwitchboardBase
import Testing
import Transport

/// IMAP and SMTP sessions that complete over TLS against the real stack (`start --tls`), and
/// the one-line refusals when the certificate cannot be checked.
@Suite struct TLSSessionTests {
    @Test func imapLogsInOverImplicitTLSAndSTARTTLSWithTheStacksCA() throws {
        let stack = try MailStack.current()
        let tls = try stack.tls()
        let domain = try stack.makeDomain(["alice": nil])
        let servers = [
            MailServer(host: stack.host, port: tls.imapsPort, security: .implicitTLS, caFile: tls.caFile, timeoutSeconds: 10),
            MailServer(host: stack.host, port: stack.imapPort, security: .startTLS, caFile: tls.caFile, timeoutSeconds: 10),
        ]
        for server in servers {
            let imap = try IMAPSession(server: server, credentials: domain.credentials("alice"))
            _ = try imap.login()
            #expect(try imap.messageCount() == 0)
            imap.close()
        }
        // Dovecot saw both logins secured.
        let logins = try stack.run("/usr/bin/grep", ["-F", "Login: user=<\(domain.address("alice"))>", stack.dovecotLog])
            .split(separator: "\n")
        #expect(logins.count == 2 && logins.allSatisfy { $0.contains(", TLS") }, "\(logins)")
    }

    @Test func submissionDeliversOverImplicitTLSAndSTARTTLS() throws {
        let stack = try MailStack.current()
        let tls = try stack.tls()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        let servers = [
            MailServer(host: stack.host, port: tls.submissionsPort, security: .implicitTLS, caFile: tls.caFile, timeoutSeconds: 10),
            MailServer(host: stack.host, port: stack.submissionPort, security: .startTLS, caFile: tls.caFile, timeoutSeconds: 10),
        ]
        let imap = try domain.imapSession("bob")
        defer { imap.close() }
        for server in servers {
            let message = TestMessage(from: domain.address("alice"), to: domain.address("bob"))
            let smtp = try SMTPSession(server: server, credentials: domain.credentials("alice"), heloName: "tests.switchboard.test")
            let receipt = try smtp.send(from: domain.address("alice"), to: [domain.address("bob")], message: message.text)
            smtp.close()
            #expect(receipt.responseCode == 250)
            let fetched = try imap.fetch(uid: try imap.waitForMessage(messageID: message.messageID, timeoutSeconds: 10))
            // Postfix's Received header records the TLS of the hop (smtpd_tls_received_header).
            #expect(fetched.contains("(using TLSv1."), "\(server.endpoint): \(fetched.prefix(500))")
        }
    }

    @Test func withoutTheCAOrWithAnotherTheCertificateIsNotTrusted() throws {
        let stack = try MailStack.current()
        let tls = try stack.tls()
        let credentials = MailCredentials(username: "x@example.test", password: Secret("irrelevant"))
        let system = MailServer(host: stack.host, port: tls.imapsPort, security: .implicitTLS, timeoutSeconds: 10)
        let error = try #require(throws: TransportError.self) { try IMAPSession(server: system, credentials: credentials).login() }
        #expect(error.code == .tlsFailed)
        #expect(error.description.hasPrefix("the certificate of IMAP server 127.0.0.1:\(tls.imapsPort) is not trusted ("), "\(error)")
        #expect(error.description.hasSuffix("set mail.ca_file to the CA that signed it"), "\(error)")
        #expect(!error.description.contains("\n"))
        #expect(error.category.exitStatus == 69)

        // A CA file that did not sign it: the system's bundle given explicitly.
        let bundle = "/etc/ssl/certs/ca-certificates.crt"
        var other = system
        other.caFile = bundle
        let otherError = try #require(throws: TransportError.self) { try IMAPSession(server: other, credentials: credentials).login() }
        #expect(otherError.description.contains("is not trusted by the CA file \(bundle)"), "\(otherError)")
    }

    @Test func aCAFileThatCannotBeLoadedIsNamed() throws {
        let stack = try MailStack.current()
        let tls = try stack.tls()
        let server = MailServer(
            host: stack.host, port: tls.submissionsPort, security: .implicitTLS, caFile: "/nonexistent/switchboard-ca.pem", timeoutSeconds: 10)
        let smtp = try SMTPSession(server: server, credentials: nil, heloName: "tests.switchboard.test")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(from: "a@example.test", to: ["b@example.test"], message: "Subject: x\r\n\r\nx\r\n")
        }
        #expect(error.code == .tlsFailed)
        #expect(error.description.hasPrefix("cannot load the CA file /nonexistent/switchboard-ca.pem to check SMTP server 127.0.0.1:\(tls.submissionsPort)"), "\(error)")
    }
}
