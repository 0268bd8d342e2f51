import Foundation
import GRDB
import SwitchboardBase

/// What happens to a departed person's incoming mail (`mail.departed` in the config). Recorded
/// by `dirctl person depart` in `mail_departure`, which the mail servers' views read live.
public struct DepartedMailPolicy: Sendable, Equatable {
    /// The three ways of handling a leaver's incoming mail.
    public enum Incoming: String, CaseIterable, Sendable {
        /// Delivered to their mailboxes for `keepDays`, refused after.
        case keep
        /// Their addresses forward to their manager's mailbox (refused when there is none).
        case forward
        /// Refused at once (`550` to the sender).
        case bounce
    }

    /// The handling; default `keep`.
    public var incoming: Incoming = .keep
    /// Days mail keeps arriving with `keep`; default 30.
    public var keepDays: Int = 30

    /// The defaults.
    public init() {}

    /// The `departed:` key of the config's `mail:` section, or the defaults.
    public init(_ loaded: LoadedConfig) throws {
        self.init()
        guard let mail = try loaded.section("mail"), let node = try mail.child("departed") else { return }
        try self.init(node: node)
    }

    /// Decodes a `mail.departed` mapping; errors name the file, line and key.
    public init(node: ConfigNode) throws {
        self.init()
        let keys = try node.mapping(known: ["incoming", "keep_days"])
        if let value = keys["incoming"] { incoming = try value.choice(of: Incoming.self) }
        if let value = keys["keep_days"] { keepDays = try value.integer(in: 1...3650) }
    }
}

/// What the mail servers now do with one of a person's mailboxes, read from their own view.
public struct MailboxFate: Sendable, Equatable {
    /// The mailbox address.
    public var address: String
    /// May log in (IMAP, submission).
    public var mayLogin: Bool
    /// Mail to it is delivered to it.
    public var receives: Bool
    /// Mail to it goes to this address instead.
    public var forwardTo: String?
    /// With `keep`: delivered until this time (UTC).
    public var keepUntil: String?
}

extension DirectoryService {
    /// Each of the person's mailboxes as the mail servers see it now (`mail_mailbox_state`).
    /// Empty when the person has no mailbox that logs in or receives mail.
    public func mailFate(login rawLogin: String) throws -> [MailboxFate] {
        let login = try DirectoryValidation.login(rawLogin)
        return try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.address, s.may_login, s.receives, s.forward_to, dep.keep_until
                FROM mail_mailbox_state s
                JOIN person p ON p.id = s.person_id
                JOIN mailbox m ON m.id = s.id
                LEFT JOIN mail_departure dep ON dep.person_id = p.id AND p.status = 'departed'
                WHERE p.login = ? AND m.status IN ('active', 'login-disabled')
                ORDER BY s.id
                """, arguments: [login]).map { row in
                MailboxFate(address: row[0], mayLogin: row[1], receives: row[2], forwardTo: row[3], keepUntil: row[4])
            }
        }
    }
}
