import Foundation
import SwitchboardBase
import SwitchboardTestSupport
import Testing
import Transport

/// ProbeTransport's SMTP and IMAP probes against the test run's Dovecot + Postfix (`make test`).
@Suite struct ProbeMailTests {
    @Test func smtpBannerPlainStartTLSAndImplicitTLS() async throws {
        let stack = try MailStack.current()
        let tls = try stack.tls()
        let transport = try ProbeTransport()

        let plain = await transport.smtp(stack.smtp, heloName: "probe.test", timeout: .seconds(5))
        #expect(plain.failure == nil, "\(plain.failure ?? "")")
        #expect(plain.greeting?.hasPrefix("220 ") == true, "\(plain.greeting ?? "no greeting")")
        #expect(plain.summary == plain.greeting)
        #expect(plain.certificateExpiry == nil)

        var startTLS = MailServer(host: stack.host, port: stack.smtpPort, security: .startTLS, caFile: tls.caFile)
        let upgraded = await transport.smtp(startTLS, timeout: .seconds(5))
        #expect(upgraded.failure == nil, "\(upgraded.failure ?? "")")
        #expect(upgraded.summary.hasSuffix("; STARTTLS done"))
        #expect(upgraded.certificateExpiry.map { $0 > Date() } == true, "the stack's certificate expiry is read after STARTTLS")

        startTLS.caFile = nil
        let untrusted = await transport.smtp(startTLS, timeout: .seconds(5))
        #expect(untrusted.failure?.hasPrefix("TLS certificate of \(stack.host):\(stack.smtpPort) is not trusted") == true,
                "\(untrusted.failure ?? "no failure")")

        let implicit = MailServer(host: stack.host, port: tls.submissionsPort, security: .implicitTLS, caFile: tls.caFile)
        let smtps = await transport.smtp(implicit, timeout: .seconds(5))
        #expect(smtps.failure == nil, "\(smtps.failure ?? "")")
        #expect(smtps.greeting?.hasPrefix("220 ") == true)
        #expect(smtps.phases["tls"] != nil)
        #expect(smtps.certificateExpiry != nil)
    }

    @Test func imapGreetingAndLogin() async throws {
        let stack = try MailStack.current()
        let tls = try stack.tls()
        let domain = try stack.makeDomain(["probe": nil])
        let transport = try ProbeTransport()

        let greeting = await transport.imap(stack.imap, credentials: nil, timeout: .seconds(5))
        #expect(greeting.failure == nil, "\(greeting.failure ?? "")")
        #expect(greeting.greeting?.hasPrefix("* OK") == true, "\(greeting.greeting ?? "no greeting")")

        let login = await transport.imap(stack.imap, credentials: domain.credentials("probe"), timeout: .seconds(5))
        #expect(login.failure == nil, "\(login.failure ?? "")")
        #expect(login.summary.hasSuffix("; logged in as \(domain.address("probe"))"))

        let wrongPassword = "Sai-mat-khau-\(UUID().uuidString.prefix(6))"
        let refused = await transport.imap(
            stack.imap, credentials: MailCredentials(username: domain.address("probe"), password: Secret(wrongPassword)), timeout: .seconds(5))
        let failure = try #require(refused.failure)
        #expect(failure.hasPrefix("IMAP server \(stack.host):\(stack.imapPort) refused the login of \(domain.address("probe"))"), "\(failure)")
        #expect(!failure.contains(wrongPassword) && !refused.summary.contains(wrongPassword))

        let imaps = MailServer(host: stack.host, port: tls.imapsPort, security: .implicitTLS, caFile: tls.caFile)
        let secure = await transport.imap(imaps, credentials: domain.credentials("probe"), timeout: .seconds(5))
        #expect(secure.failure == nil, "\(secure.failure ?? "")")
        #expect(secure.certificateExpiry != nil)
    }
}
