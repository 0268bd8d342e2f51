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
    /// What a refused sender reads (ASCII): `{login}` is the person, `{contact}` their manager's
    /// mailbox, or `contact` when they have none.
    public var bounceText = "{login} has left the organisation; please write to {contact}"
    /// Who to contact when the person has no manager with a mailbox (default: `mail.notification_from`).
    public var contact = "the helpdesk"

    /// The defaults.
    public init() {}

    /// The `departed:` key of the config's `mail:` section, or the defaults.
    public init(_ loaded: LoadedConfig) throws {
        self.init()
        guard let mail = try loaded.section("mail") else { return }
        if let node = try mail.child("departed") { try self.init(node: node) }
        if (try mail.child("departed")?.child("contact")) == nil, let helpdesk = try mail.child("notification_from") {
            contact = try helpdesk.nonEmptyString()
        }
    }

    /// Decodes a `mail.departed` mapping; errors name the file, line and key.
    public init(node: ConfigNode) throws {
        self.init()
        let keys = try node.mapping(known: ["incoming", "keep_days", "bounce_text", "contact"])
        if let value = keys["incoming"] { incoming = try value.choice(of: Incoming.self) }
        if let value = keys["keep_days"] { keepDays = try value.integer(in: 1...3650) }
        for (key, path) in [("bounce_text", \Self.bounceText), ("contact", \Self.contact)] as [(String, WritableKeyPath<Self, String>)] {
            guard let value = keys[key] else { continue }
            let text = try value.nonEmptyString()
            // It becomes an SMTP reply line: printable ASCII only, and short.
            guard text.count <= 300, text.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
                throw value.error("expected at most 300 printable ASCII characters (it is sent as an SMTP reply)")
            }
            self[keyPath: path] = text
        }
    }

    /// The SMTP reply a sender gets once this person's mail is refused.
    public func reply(login: String, contact managerBox: String?) -> String {
        "550 5.1.1 " + bounceText.replacingOccurrences(of: "{login}", with: login)
            .replacingOccurrences(of: "{contact}", with: managerBox ?? contact)
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
    /// The SMTP reply a sender gets when the mail is refused (departed person), else nil.
    public var reply: String?
}

extension DirectoryService {
    /// Each of the person's mailboxes as the mail servers see it now (`mail_mailbox_state`).
    /// Empty when the person has no mailbox that logs in or receives mail.
    public func mailFate(login rawLogin: String) throws -> [MailboxFate] {
        let login = try DirectoryValidation.login(rawLogin)
        return try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.address, s.may_login, s.receives, s.forward_to, dep.keep_until, s.departed_reply
                FROM mail_mailbox_state s
                JOIN person p ON p.id = s.person_id
                JOIN mailbox m ON m.id = s.id
                LEFT JOIN mail_departure dep ON dep.person_id = p.id AND p.status = 'departed'
                WHERE p.login = ? AND m.status IN ('active', 'login-disabled')
                ORDER BY s.id
                """, arguments: [login]).map { row in
                MailboxFate(address: row[0], mayLogin: row[1], receives: row[2], forwardTo: row[3], keepUntil: row[4], reply: row[5])
            }
        }
    }
}
