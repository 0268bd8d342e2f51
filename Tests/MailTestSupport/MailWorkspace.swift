import Foundation
import SwitchboardCore
import SwitchboardBase
public import SwitchboardTestSupport
public import Testing
public import Transport

/// The mail stack of this test run (started by `make test`), and a mail domain of this test's own:
/// purge and quota-report are run with `--domain` of it, so no test acts on another's data.
public final class MailWorkspace {
    public let stack: MailStackEnvironment
    public let folder: String
    public let config: String
    public let domain: String
    public let database: String
    /// The stack's folder: mail homes in `mail/`, server logs in `log/`.
    public let stackDir: String
    public let dovecotConfig: String
    public let imapPort: Int
    public let smtpPort: Int
    public let submissionPort: Int
    /// This workspace's DKIM key folder (`mail.dkim.key_dir`): under /var/lib, because OpenDKIM
    /// refuses keys below a folder other users can write (/var/tmp, /tmp). Removed with the workspace.
    public let keyDirectory: String

    /// A workspace; `mailSettings` are extra `mail:` keys (e.g. `deleted_retention_days: 0`).
    /// `stack` is the test run's stack unless a test started one of its own.
    public init(stack given: MailStackEnvironment? = nil, mailSettings: [String] = []) throws {
        stack = try given ?? MailStackEnvironment.current()
        database = try stack.require("MAILSTACK_DB")
        stackDir = try stack.require("MAILSTACK_DIR")
        dovecotConfig = try stack.require("DOVECOT_CONFIG")
        imapPort = try stack.port("IMAP_PORT")
        smtpPort = try stack.port("SMTP_PORT")
        submissionPort = try stack.port("SUBMISSION_PORT")
        domain = "t" + UUID().uuidString.prefix(8).lowercased() + ".test"
        folder = try ScratchFolder.make("switchboard-mail")
        config = folder + "/switchboard.yaml"
        keyDirectory = try Self.makeKeyParent() + "/keys-" + UUID().uuidString.prefix(8).lowercased()
        try writeConfig(mailSettings: mailSettings)
        try expectOK("domain", "add", domain)
    }

    /// The stack's env file, key by key.
    public var env: [String: String] { stack.values }

    /// Writes this workspace's config: the stack's plain loopback ports unless other mail endpoints are
    /// given (YAML flow mappings such as `{host: 127.0.0.1, port: 993, security: tls}`), `mail.ca_file`
    /// when `caFile` is given, extra `mail:` keys (e.g. `deleted_retention_days: 0`) and extra
    /// top-level sections (e.g. "directory:\n  departed_retention_days: 0").
    public func writeConfig(imap: String? = nil, submission: String? = nil, relay: String? = nil, caFile: String? = nil,
                     mailSettings: [String] = [], sections: String = "", dkim: String? = nil) throws {
        let templates = Repository.path("Templates/mail")
        let extra = (caFile.map { ["ca_file: \($0)"] } ?? []) + mailSettings
        try """
        database:
          path: \(database)
        mail:
          imap: \(imap ?? "{host: 127.0.0.1, port: \(imapPort), security: plain}")
          submission: \(submission ?? "{host: 127.0.0.1, port: \(submissionPort), security: plain}")
          relay: \(relay ?? "{host: 127.0.0.1, port: \(smtpPort), security: plain}")
          templates_dir: \(templates)
          doveadm_config: \(dovecotConfig)
          notification_from: helpdesk@\(domain)
          default_quota_mb: 0
          dkim: \(dkim ?? "{key_dir: \(keyDirectory)}")\(extra.map { "\n  " + $0 }.joined())
        \(sections)
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// What a stack started with `--tls` adds to its env file: its CA, its TLS ports, and two
    /// certificates signed by that CA that must be refused (another host name, expired).
    public struct TLSFiles {
        public let caFile: String
        public let imapsPort: Int
        public let submissionsPort: Int
        public let otherHostCertificate: String
        public let otherHostKey: String
        public let expiredCertificate: String
        public let expiredKey: String
    }

    /// The stack's TLS set-up; fails the test, saying how to get one, when it was started without `--tls`.
    public func tls() throws -> TLSFiles {
        guard let ca = env["TLS_CA_FILE"], let imaps = env["IMAPS_PORT"].flatMap(Int.init),
              let submissions = env["SUBMISSIONS_PORT"].flatMap(Int.init),
              let otherCert = env["TLS_OTHER_HOST_CERT"], let otherKey = env["TLS_OTHER_HOST_KEY"],
              let expiredCert = env["TLS_EXPIRED_CERT"], let expiredKey = env["TLS_EXPIRED_KEY"] else {
            throw TestSetupError("the mail stack has no TLS (no TLS_CA_FILE, IMAPS_PORT, SUBMISSIONS_PORT or TLS_*_CERT in its env file): start it with `ops/mailstack/start --tls` (`make test` does)")
        }
        return TLSFiles(caFile: ca, imapsPort: imaps, submissionsPort: submissions, otherHostCertificate: otherCert,
                        otherHostKey: otherKey, expiredCertificate: expiredCert, expiredKey: expiredKey)
    }

    deinit {
        if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) }
        try? FileManager.default.removeItem(atPath: keyDirectory)
    }

    /// The root-owned parent of the workspaces' key folders.
    static func makeKeyParent() throws -> String {
        let parent = "/var/lib/switchboard-test"
        if !FileManager.default.fileExists(atPath: parent) {
            guard mkdir(parent, 0o755) == 0 || errno == EEXIST else {
                throw TestSetupError("cannot make \(parent) for the DKIM test keys: \(String(cString: strerror(errno))) (the tests run as root)")
            }
        }
        return parent
    }

    public static var products: String { ProcessRunner.products }

    /// An address in this test's domain.
    public func address(_ local: String) -> String { "\(local)@\(domain)" }

    @discardableResult
    public func mailctl(_ arguments: [String], stdin: String? = nil) throws -> CommandRun {
        try ProcessRunner.run(ProcessRunner.product("mailctl"), arguments + ["--config", config], in: folder, stdin: stdin)
    }

    @discardableResult
    public func mailctl(_ arguments: String...) throws -> CommandRun { try mailctl(Array(arguments)) }

    @discardableResult
    public func dirctl(_ arguments: String...) throws -> CommandRun {
        try ProcessRunner.run(ProcessRunner.product("dirctl"), Array(arguments) + ["--config", config], in: folder)
    }

    @discardableResult
    public func expectOK(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRun {
        try expectOK(Array(arguments), stdin: stdin, sourceLocation: sourceLocation)
    }

    /// Runs mailctl and records an issue unless it exits 0.
    @discardableResult
    public func expectOK(_ arguments: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRun {
        let run = try mailctl(arguments, stdin: stdin)
        #expect(run.status == 0, "mailctl \(arguments.joined(separator: " ")) failed: \(run.stderr)", sourceLocation: sourceLocation)
        return run
    }

    /// Runs dirctl and records an issue unless it exits 0.
    @discardableResult
    public func dirctlOK(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRun {
        let run = try ProcessRunner.run(ProcessRunner.product("dirctl"), arguments + ["--config", config], in: folder)
        #expect(run.status == 0, "dirctl \(arguments.joined(separator: " ")) failed: \(run.stderr)", sourceLocation: sourceLocation)
        return run
    }

    /// Creates a service mailbox with a known password.
    @discardableResult
    public func mailbox(_ local: String, password: String = "Gi0-mua-thu-Ha-Noi", extra: [String] = []) throws -> String {
        let address = address(local)
        let run = try mailctl(["account", "create", address, "--name", "Tài khoản \(local)", "--password-stdin"] + extra, stdin: password + "\n")
        #expect(run.status == 0, "create \(address): \(run.stderr)")
        return address
    }

    public var imapServer: MailServer { MailServer(host: "127.0.0.1", port: imapPort, security: .plain) }
    public var submissionServer: MailServer { MailServer(host: "127.0.0.1", port: submissionPort, security: .plain) }
    public var relayServer: MailServer { MailServer(host: "127.0.0.1", port: smtpPort, security: .plain) }

    /// True when `error` is a refused login (IMAP or submission).
    public static func isAuthRefusal(_ error: (any Error)?) -> Bool {
        (error as? TransportError)?.code == .authenticationFailed
    }

    /// True when Postfix refuses mail for `address` at RCPT with 550.
    public func isRefusedAtRCPT(_ address: String) throws -> Bool {
        do {
            try deliver(to: [address])
            return false
        } catch let error as TransportError {
            return error.code == .recipientRejected && error.serverReply?.contains("550") == true
        }
    }

    /// Logs in over IMAP; the error when refused.
    public func imapLogin(_ address: String, _ password: String) -> (any Error)? {
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
    public func deliver(to recipients: [String], from sender: String? = nil, body: String = "Xin chào.\r\n") throws -> String {
        let id = "<\(UUID().uuidString)@\(domain)>"
        let from = sender ?? address("sender")
        let message = "From: <\(from)>\r\nTo: <\(recipients[0])>\r\nSubject: test\r\nMessage-ID: \(id)\r\n\r\n\(body)"
        let session = try SMTPSession(server: relayServer, credentials: nil, heloName: domain)
        defer { session.close() }
        _ = try session.send(from: from, to: recipients, message: message)
        return id
    }

    /// The mailbox's home folder on disk.
    public func home(of address: String) throws -> String {
        let homeKey = try scalar("SELECT home_key FROM mailbox WHERE address = \(SQLite.quote(address))")
        guard !homeKey.isEmpty else { throw TestSetupError("no mailbox \(address) in \(database)") }
        return "\(stackDir)/mail/\(homeKey)"
    }

    /// The messages on disk in a mail home's Maildir (new and cur); none when the folder does not exist yet.
    public func messagesOnDisk(home: String) throws -> [String] {
        var texts: [String] = []
        for sub in ["new", "cur"] {
            let folder = "\(home)/Maildir/\(sub)"
            guard FileManager.default.fileExists(atPath: folder) else { continue }
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
                let path = folder + "/" + file
                do {
                    texts.append(try String(contentsOfFile: path, encoding: .utf8))
                } catch {
                    // Moved from new/ to cur/ while we looked: seen in the other folder. Anything else fails.
                    if FileManager.default.fileExists(atPath: path) { throw error }
                }
            }
        }
        return texts
    }

    /// True when a message with this Message-ID is in the mailbox's folder on disk (works whatever the login state).
    public func delivered(_ messageID: String, to address: String, timeout: Double = 10) throws -> Bool {
        let home = try home(of: address)
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try messagesOnDisk(home: home).contains(where: { $0.contains(messageID) }) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return false
    }

    /// Waits for a message on disk that contains `text`; returns it, or nil after the timeout.
    public func waitForMessage(containing text: String, to address: String, timeout: Double = 15) throws -> String? {
        let home = try home(of: address)
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let found = try messagesOnDisk(home: home).first(where: { $0.contains(text) }) { return found }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        return nil
    }

    /// The text of the delivered message with this Message-ID (nil when it is not there within `timeout`).
    public func deliveredMessage(_ messageID: String, to address: String, timeout: Double = 10) throws -> String? {
        try waitForMessage(containing: messageID, to: address, timeout: timeout)
    }

    /// One value from the stack's database (sqlite3's exit status checked).
    public func scalar(_ sql: String) throws -> String {
        try SQLite.scalar(database, sql)
    }

    /// `doveadm` on the stack's Dovecot; throws when it fails.
    @discardableResult
    public func doveadm(_ arguments: [String]) throws -> String {
        try ProcessRunner.runChecked("/usr/bin/doveadm", ["-c", dovecotConfig] + arguments)
    }

    /// The Postfix log of the stack.
    public func postfixLog() throws -> String {
        try String(contentsOfFile: stackDir + "/log/postfix.log", encoding: .utf8)
    }

    /// The count of audit events matching a condition.
    public func events(_ condition: String) throws -> Int {
        guard let count = Int(try scalar("SELECT count(*) FROM audit_event WHERE \(condition)")) else {
            throw TestSetupError("cannot count audit events where \(condition)")
        }
        return count
    }
}
