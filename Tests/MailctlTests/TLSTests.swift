import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// TLS end to end on the real binaries and the real stack (started with `ops/mailstack/start
/// --tls`, whose private CA is the only one that vouches for its certificate): sessions complete
/// over implicit TLS and STARTTLS with the CA configured; without it, or for a certificate of
/// another host or an expired one, mailctl refuses with one line naming host:port.
@Suite struct TLSTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    /// The lines of a command's standard error that say something.
    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// The doctor's table row for a step.
    static func row(_ step: String, in output: String) -> Substring? {
        output.split(separator: "\n").first { $0.hasPrefix(step) }
    }

    @Test func doctorCompletesOverImplicitTLS() throws {
        let mail = try MailWorkspace()
        let tls = try mail.tls()
        try mail.writeConfig(
            imap: "{host: 127.0.0.1, port: \(tls.imapsPort), security: tls}",
            submission: "{host: 127.0.0.1, port: \(tls.submissionsPort), security: tls}", caFile: tls.caFile)
        let address = try mail.mailbox("an")
        let run = try mail.mailctl(["doctor", address, "--password-stdin", "--json"], stdin: Self.password + "\n")
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let steps = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(steps.map { $0["result"] as? String } == Array(repeating: "ok", count: 7), "\(run.stdout)")
        // The IMAPS and submissions ports speak nothing but TLS; Dovecot logged this login as TLS.
        #expect(try Self.dovecotLogins(of: address, in: mail).contains { $0.contains(", TLS") })
    }

    @Test func doctorCompletesOverSTARTTLS() throws {
        let mail = try MailWorkspace()
        let tls = try mail.tls()
        try mail.writeConfig(
            imap: "{host: 127.0.0.1, port: \(mail.imapPort), security: starttls}",
            submission: "{host: 127.0.0.1, port: \(mail.submissionPort), security: starttls}", caFile: tls.caFile)
        let address = try mail.mailbox("binh")
        let run = try mail.mailctl(["doctor", address, "--password-stdin"], stdin: Self.password + "\n")
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("mailbox works"))
        // These ports also take plain text: the servers' logs show that TLS was started.
        let logins = try Self.dovecotLogins(of: address, in: mail)
        #expect(!logins.isEmpty && logins.allSatisfy { $0.contains(", TLS") }, "\(logins)")
        #expect(try Self.postfixSubmissionUsedTLS(login: address, in: mail))
    }

    @Test func aNotificationIsDeliveredOverSTARTTLS() throws {
        let mail = try MailWorkspace()
        let tls = try mail.tls()
        let address = try mail.mailbox("chi")
        try mail.writeConfig(relay: "{host: 127.0.0.1, port: \(mail.smtpPort), security: starttls}", caFile: tls.caFile)
        let run = try mail.expectOK("account", "reset-password", address, "--password-stdin", "--notify", stdin: "Mat-khau-moi-2026-tls\n")
        let messageID = try #require(run.stdout.split(separator: "(").last.map { String($0.dropLast(2)) }, "\(run.stdout)")
        let delivered = try #require(try mail.deliveredMessage(messageID, to: address), "the password-reset mail did not arrive")
        // Postfix records the TLS of the hop it received the message on (smtpd_tls_received_header).
        #expect(delivered.contains("(using TLSv1."), "\(delivered.prefix(600))")
    }

    @Test func withoutTheCATheStacksCertificateIsRefusedInOneLine() throws {
        let mail = try MailWorkspace()
        let tls = try mail.tls()
        let address = try mail.mailbox("dung")
        // The relay over STARTTLS, trusting only the system's CAs.
        try mail.writeConfig(relay: "{host: 127.0.0.1, port: \(mail.smtpPort), security: starttls}")
        let notify = try mail.mailctl(["account", "reset-password", address, "--password-stdin", "--notify"], stdin: "Mat-khau-moi-2026-tls\n")
        // The reset stands; its notice waits in the outbox, and the one line about it says why.
        #expect(notify.status == 0, "\(notify.stdout) \(notify.stderr)")
        let lines = Self.lines(notify.stdout).filter { $0.contains("is queued") }
        #expect(lines.count == 1, "\(notify.stdout)")
        let line = try #require(lines.first)
        #expect(line.contains("the certificate of SMTP server 127.0.0.1:\(mail.smtpPort) is not trusted"), "\(line)")
        #expect(line.contains("set mail.ca_file to the CA that signed it"), "\(line)")
        // The doctor over IMAPS says the same in its failed step, and stops there.
        try mail.writeConfig(imap: "{host: 127.0.0.1, port: \(tls.imapsPort), security: tls}")
        let doctor = try mail.mailctl(["doctor", address, "--password-stdin"], stdin: "Mat-khau-moi-2026-tls\n")
        #expect(doctor.status == 1, "\(doctor.stdout) \(doctor.stderr)")
        let login = try #require(Self.row("imap login", in: doctor.stdout), "\(doctor.stdout)")
        #expect(login.contains("failed") && login.contains("the certificate of IMAP server 127.0.0.1:\(tls.imapsPort) is not trusted"), "\(login)")
        #expect(Self.row("smtp submission", in: doctor.stdout)?.contains("skipped") == true)
    }

    @Test func aCertificateForAnotherHostNameIsRefused() throws {
        let mail = try MailWorkspace()
        let tls = try mail.tls()
        let server = try TLSTestServer(certificate: tls.otherHostCertificate, key: tls.otherHostKey)
        try expectRefusal(mail, tls: tls, port: server.port, saying: "is for another host name, not 127.0.0.1")
    }

    @Test func anExpiredCertificateIsRefused() throws {
        let mail = try MailWorkspace()
        let tls = try mail.tls()
        let server = try TLSTestServer(certificate: tls.expiredCertificate, key: tls.expiredKey)
        // The date comes from a second handshake that checks nothing and sends nothing (libcurl does not say it).
        try expectRefusal(mail, tls: tls, port: server.port, saying: "expired on Jan  2 00:00:00 2020 GMT (")
    }

    /// With the stack's CA configured (which did sign the certificate), both the relay and the
    /// doctor's IMAP login refuse the server on `port`, in one line with `what`.
    func expectRefusal(_ mail: MailWorkspace, tls: MailWorkspace.TLSFiles, port: Int, saying what: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let address = try mail.mailbox("em")
        try mail.writeConfig(
            imap: "{host: 127.0.0.1, port: \(port), security: tls}",
            relay: "{host: 127.0.0.1, port: \(port), security: tls}", caFile: tls.caFile)
        let notify = try mail.mailctl(["account", "reset-password", address, "--password-stdin", "--notify"], stdin: "Mat-khau-moi-2026-tls\n")
        #expect(notify.status == 0, "\(notify.stdout) \(notify.stderr)", sourceLocation: sourceLocation)
        let lines = Self.lines(notify.stdout).filter { $0.contains("is queued") }
        #expect(lines.count == 1, "\(notify.stdout)", sourceLocation: sourceLocation)
        #expect(lines.first?.contains("the certificate of SMTP server 127.0.0.1:\(port) \(what)") == true, "\(notify.stdout)",
                sourceLocation: sourceLocation)
        let doctor = try mail.mailctl(["doctor", address, "--password-stdin"], stdin: "Mat-khau-moi-2026-tls\n")
        #expect(doctor.status == 1, "\(doctor.stdout) \(doctor.stderr)", sourceLocation: sourceLocation)
        let login = Self.row("imap login", in: doctor.stdout)
        #expect(login?.contains("the certificate of IMAP server 127.0.0.1:\(port) \(what)") == true, "\(doctor.stdout)",
                sourceLocation: sourceLocation)
    }

    /// Dovecot's login lines for `address` ("imap-login: Info: Login: user=<...>, ..., TLS, session=...").
    static func dovecotLogins(of address: String, in mail: MailWorkspace) throws -> [Substring] {
        let log = try readLog("dovecot.log", in: mail)
        return log.split(separator: "\n").filter { $0.contains("imap-login: ") && $0.contains("Login: user=<\(address)>") }
    }

    /// Did the submission smtpd process that took `login`'s AUTH have a TLS connection?
    /// Postfix logs "smtpd[PID]: ... TLS connection established" and, from the same process,
    /// "smtpd[PID]: ID: client=..., sasl_username=LOGIN".
    static func postfixSubmissionUsedTLS(login: String, in mail: MailWorkspace) throws -> Bool {
        let lines = try readLog("postfix.log", in: mail).split(separator: "\n")
        guard let auth = lines.first(where: { $0.contains("/submission/smtpd[") && $0.contains("sasl_username=\(login)") }),
              let open = auth.range(of: "/submission/smtpd["), let close = auth[open.upperBound...].firstIndex(of: "]") else {
            return false
        }
        let process = "/submission/smtpd[\(auth[open.upperBound..<close])]:"
        return lines.contains { $0.contains(process) && $0.contains("TLS connection established") }
    }

    static func readLog(_ name: String, in mail: MailWorkspace) throws -> String {
        guard let dir = mail.env["MAILSTACK_DIR"] else { throw TestSetupError("the mail stack's env file lacks MAILSTACK_DIR") }
        return try String(contentsOfFile: "\(dir)/log/\(name)", encoding: .utf8)
    }
}
