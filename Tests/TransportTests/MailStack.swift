import Foundation
import Transport
import SwitchboardBase
import SwitchboardTestSupport

/// The running mail stack the integration tests talk to (ops/mailstack/start writes DIR/env),
/// and fixtures in its database: every test makes its own domain, so tests run in parallel.
struct MailStack {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    let host: String
    let imapPort: Int
    let smtpPort: Int
    let submissionPort: Int
    let database: String
    let dovecotConfig: String
    /// What `start --tls` adds (nil without it): the private CA and the implicit-TLS ports.
    let caFile: String?
    let imapsPort: Int?
    let submissionsPort: Int?

    /// The stack named by SWITCHBOARD_MAILSTACK_ENV; throws (failing the test, saying how to
    /// start one) without one. The env file is read by the one shared reader.
    static func current() throws -> MailStack {
        let environment = try MailStackEnvironment.current()
        let values = environment.values
        return MailStack(
            host: values["MAILSTACK_HOST"] ?? "127.0.0.1", imapPort: try environment.port("IMAP_PORT"),
            smtpPort: try environment.port("SMTP_PORT"), submissionPort: try environment.port("SUBMISSION_PORT"),
            database: try environment.require("MAILSTACK_DB"), dovecotConfig: try environment.require("DOVECOT_CONFIG"),
            caFile: values["TLS_CA_FILE"],
            imapsPort: values["IMAPS_PORT"].flatMap(Int.init), submissionsPort: values["SUBMISSIONS_PORT"].flatMap(Int.init))
    }

    /// Dovecot's log (DIR/log/dovecot.log, next to DIR/dovecot.conf).
    var dovecotLog: String { (dovecotConfig as NSString).deletingLastPathComponent + "/log/dovecot.log" }

    /// The stack's TLS set-up; throws (failing the test, saying how to get one) without `--tls`.
    func tls() throws -> (caFile: String, imapsPort: Int, submissionsPort: Int) {
        guard let caFile, let imapsPort, let submissionsPort else {
            throw Unavailable(description: "the mail stack has no TLS (no TLS_CA_FILE, IMAPS_PORT or SUBMISSIONS_PORT in its env file): start it with `ops/mailstack/start --tls` (`make test` does)")
        }
        return (caFile, imapsPort, submissionsPort)
    }

    var imap: MailServer { MailServer(host: host, port: imapPort, security: .plain, timeoutSeconds: 10) }
    var submission: MailServer { MailServer(host: host, port: submissionPort, security: .plain, timeoutSeconds: 10) }
    var smtp: MailServer { MailServer(host: host, port: smtpPort, security: .plain, timeoutSeconds: 10) }

    /// A fresh domain `t<uuid8>.test` with active mailboxes `local@domain` (quota in bytes, or nil).
    func makeDomain(_ mailboxes: [String: Int?]) throws -> TestDomain {
        let name = "t\(UUID().uuidString.prefix(8).lowercased()).test"
        let password = "Mật khẩu \(UUID().uuidString.prefix(8))"
        let hash = try run("/usr/bin/doveadm", ["-c", dovecotConfig, "pw", "-s", "SHA512-CRYPT", "-p", password])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let now = "2026-01-01T00:00:00Z"
        var sql = """
            PRAGMA foreign_keys=ON;
            INSERT INTO mail_domain(name, status, created_at) VALUES ('\(name)', 'active', '\(now)');
            """
        for (local, quota) in mailboxes.sorted(by: { $0.key < $1.key }) {
            sql += """

                INSERT INTO mailbox(address, domain_id, person_id, display_name, password_hash, status, quota_bytes, status_changed_at, created_at)
                VALUES ('\(local)@\(name)', (SELECT id FROM mail_domain WHERE name = '\(name)'), NULL, '\(local)', '\(hash)', 'active',
                        \(quota.map(String.init) ?? "NULL"), '\(now)', '\(now)');
                """
        }
        _ = try run("/usr/bin/sqlite3", ["-batch", "-bail", database, ".timeout 10000", sql])
        return TestDomain(name: name, password: password, stack: self)
    }

    /// The flags of a message, read on the server side (no IMAP login, no side effects).
    func flags(of address: String, uid: Int) throws -> String {
        try run("/usr/bin/doveadm", ["-c", dovecotConfig, "fetch", "-u", address, "flags", "mailbox", "INBOX", "uid", String(uid)])
    }

    /// Runs a tool through the one shared runner (timeout, exit status checked).
    @discardableResult
    func run(_ tool: String, _ arguments: [String]) throws -> String {
        try ProcessRunner.runChecked(tool, arguments)
    }
}
