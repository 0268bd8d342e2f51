import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
import Transport

/// The mail stack of this test run (started by `make test`), and a mail domain of this test's own.
final class MailWorkspace {
    let env: [String: String]
    let folder: String
    let config: String
    let domain: String
    let database: String
    let imapPort: Int
    let smtpPort: Int
    let submissionPort: Int

    static let howToStart = "no mail stack: run `make test` (which starts one), or `ops/mailstack/start --db PATH --dir DIR` on a database made by `dirctl init`, and set SWITCHBOARD_MAILSTACK_ENV=DIR/env"

    init() throws {
        guard let file = ProcessInfo.processInfo.environment["SWITCHBOARD_MAILSTACK_ENV"],
              let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw TestSetupError(Self.howToStart)
        }
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { env[parts[0]] = parts[1] }
        }
        guard let db = env["MAILSTACK_DB"], let imap = env["IMAP_PORT"].flatMap(Int.init),
              let smtp = env["SMTP_PORT"].flatMap(Int.init), let submission = env["SUBMISSION_PORT"].flatMap(Int.init) else {
            throw TestSetupError("\(file) lacks MAILSTACK_DB or the ports: \(Self.howToStart)")
        }
        self.env = env
        database = db
        imapPort = imap
        smtpPort = smtp
        submissionPort = submission
        domain = "t" + UUID().uuidString.prefix(8).lowercased() + ".test"
        folder = NSTemporaryDirectory() + "switchboard-mail-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        config = folder + "/switchboard.yaml"
        try writeConfig()
        try expectOK("domain", "add", domain)
    }

    /// Writes this workspace's config: the stack's plain loopback ports unless other mail
    /// endpoints are given (YAML flow mappings such as `{host: 127.0.0.1, port: 993, security: tls}`),
    /// and `mail.ca_file` when `caFile` is given.
    func writeConfig(imap: String? = nil, submission: String? = nil, relay: String? = nil, caFile: String? = nil) throws {
        let templates = Self.root + "/Templates/mail"
        try """
        database:
          path: \(database)
        mail:
          imap: \(imap ?? "{host: 127.0.0.1, port: \(imapPort), security: plain}")
          submission: \(submission ?? "{host: 127.0.0.1, port: \(submissionPort), security: plain}")
          relay: \(relay ?? "{host: 127.0.0.1, port: \(smtpPort), security: plain}")
          templates_dir: \(templates)
          doveadm_config: \(env["DOVECOT_CONFIG"] ?? "")
          notification_from: helpdesk@\(domain)
          default_quota_mb: 0
        \(caFile.map { "  ca_file: \($0)" } ?? "")
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// What a stack started with `--tls` adds to its env file: its CA, its TLS ports, and two
    /// certificates signed by that CA that must be refused (another host name, expired).
    struct TLSFiles {
        let caFile: String
        let imapsPort: Int
        let submissionsPort: Int
        let otherHostCertificate: String
        let otherHostKey: String
        let expiredCertificate: String
        let expiredKey: String
    }

    /// The stack's TLS set-up; fails the test, saying how to get one, when it was started without `--tls`.
    func tls() throws -> TLSFiles {
        guard let ca = env["TLS_CA_FILE"], let imaps = env["IMAPS_PORT"].flatMap(Int.init),
              let submissions = env["SUBMISSIONS_PORT"].flatMap(Int.init),
              let otherCert = env["TLS_OTHER_HOST_CERT"], let otherKey = env["TLS_OTHER_HOST_KEY"],
              let expiredCert = env["TLS_EXPIRED_CERT"], let expiredKey = env["TLS_EXPIRED_KEY"] else {
            throw TestSetupError("the mail stack has no TLS (no TLS_CA_FILE, IMAPS_PORT, SUBMISSIONS_PORT or TLS_*_CERT in its env file): start it with `ops/mailstack/start --tls` (`make test` does)")
        }
        return TLSFiles(caFile: ca, imapsPort: imaps, submissionsPort: submissions, otherHostCertificate: otherCert,
                        otherHostKey: otherKey, expiredCertificate: expiredCert, expiredKey: expiredKey)
    }

    /// The text of the delivered message with this Message-ID (nil when it is not there within `timeout`).
    func deliveredMessage(_ messageID: String, to address: String, timeout: Double = 10) throws -> String? {
        guard let dir = env["MAILSTACK_DIR"] else { throw TestSetupError("the mail stack's env file lacks MAILSTACK_DIR") }
        let homeKey = try scalar("SELECT home_key FROM mailbox WHERE address = '\(address)'")
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            for sub in ["new", "cur"] {
                let folder = "\(dir)/mail/\(homeKey)/Maildir/\(sub)"
                guard FileManager.default.fileExists(atPath: folder) else { continue }
                for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
                    let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
                    if text.contains(messageID) { return text }
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return nil
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    static var root: String { ProcessRunner.root }
    static var products: String { ProcessRunner.products }

    /// An address in this test's domain.
    func address(_ local: String) -> String { "\(local)@\(domain)" }

    @discardableResult
    func mailctl(_ arguments: [String], stdin: String? = nil) throws -> CommandRun {
        try ProcessRunner.run(Self.products + "/mailctl", arguments + ["--config", config], stdin: stdin)
    }

    @discardableResult
    func mailctl(_ arguments: String...) throws -> CommandRun { try mailctl(Array(arguments)) }

    @discardableResult
    func dirctl(_ arguments: String...) throws -> CommandRun {
        try ProcessRunner.run(Self.products + "/dirctl", Array(arguments) + ["--config", config])
    }

    @discardableResult
    func expectOK(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRun {
        let run = try mailctl(Array(arguments), stdin: stdin)
        #expect(run.status == 0, "mailctl \(arguments.joined(separator: " ")) failed: \(run.stderr)", sourceLocation: sourceLocation)
        return run
    }

    /// Creates a service mailbox with a known password.
    func mailbox(_ local: String, password: String = "Gi0-mua-thu-Ha-Noi", extra: [String] = []) throws -> String {
        let address = address(local)
        let run = try mailctl(["account", "create", address, "--name", "Tài khoản \(local)", "--password-stdin"] + extra, stdin: password + "\n")
        #expect(run.status == 0, "create \(address): \(run.stderr)")
        return address
    }

    var imapServer: MailServer { MailServer(host: "127.0.0.1", port: imapPort, security: .plain) }
    var submissionServer: MailServer { MailServer(host: "127.0.0.1", port: submissionPort, security: .plain) }
    var relayServer: MailServer { MailServer(host: "127.0.0.1", port: smtpPort, security: .plain) }

    /// Logs in over IMAP; the error when refused.
    func imapLogin(_ address: String, _ password: String) -> (any Error)? {
        do {
            let session = try IMAPSession(server: imapServer, credentials: MailCredentials(username: address, password: Secret(password)))
            defer { session.close() }
            _ = try session.login()
            return nil
        } catch {
            return error
        }
    }

    /// Sends a plain message through the relay (port 25 style, no AUTH); returns its Message-ID.
    @discardableResult
    func deliver(to recipients: [String], from sender: String? = nil, body: String = "Xin chào.\r\n") throws -> String {
        let id = "<\(UUID().uuidString)@\(domain)>"
        let from = sender ?? address("sender")
        let message = "From: <\(from)>\r\nTo: <\(recipients[0])>\r\nSubject: test\r\nMessage-ID: \(id)\r\n\r\n\(body)"
        let session = try SMTPSession(server: relayServer, credentials: nil, heloName: domain)
        defer { session.close() }
        _ = try session.send(from: from, to: recipients, message: message)
        return id
    }

    /// True when a message with this Message-ID is in the mailbox's folder on disk (works whatever the login state).
    func delivered(_ messageID: String, to address: String, timeout: Double = 10) throws -> Bool {
        guard let dir = env["MAILSTACK_DIR"] else { return false }
        let homeKey = try scalar("SELECT home_key FROM mailbox WHERE address = '\(address)'")
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            for sub in ["new", "cur"] {
                let folder = "\(dir)/mail/\(homeKey)/Maildir/\(sub)"
                for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                    if let text = try? String(contentsOfFile: folder + "/" + file, encoding: .utf8), text.contains(messageID) { return true }
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return false
    }

    func scalar(_ sql: String) throws -> String {
        try ProcessRunner.run("/usr/bin/sqlite3", [database, sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
