public import GRDB

/// Everything the audit log holds about one person, for `dirctl audit log --about LOGIN`.
///
/// An event is about the person `LOGIN` when any of these holds:
/// - its target is `person:LOGIN`;
/// - its target is `mailbox:ADDRESS` for an address of one of their mailboxes: the mailboxes the
///   directory links to them now, the ones created for them (`owner` in the creation's details,
///   which finds purged mailboxes too), and every earlier or later address of those through
///   `mail.account.rename` events;
/// - a value in its details, at any depth, is `person:LOGIN` (group memberships added or removed,
///   the member list of a removed group), one of those addresses or `mailbox:ADDRESS` (an alias
///   pointing at their mailbox, a purge naming it);
/// - its details name the login under `owner` or in the `purged` list (a mailbox created for
///   them, a purge that removed them).
public struct AuditSubject: Sendable, Equatable {
    /// The login.
    public var login: String
    /// Every address found for their mailboxes, sorted.
    public var addresses: [String]
    /// True when the directory has a person with this login.
    public var inDirectory: Bool

    /// The SQL condition on `audit_event` rows.
    var clause: SQL {
        let targets = ["person:\(login)"] + addresses.map { "mailbox:\($0)" }
        let values = targets + addresses
        return """
            (target IN \(targets)
             OR (json_valid(details) AND EXISTS (SELECT 1 FROM json_tree(audit_event.details) t
                 WHERE t.type = 'text' AND (t.atom IN \(values)
                        OR (t.atom = \(login) AND ((t.key = 'owner' AND t.path = '$') OR t.path = '$.purged'))))))
            """
    }
}

extension AuditLog {
    /// The person `login` and the addresses of every mailbox that is or was theirs (see ``AuditSubject``).
    public static func subject(_ db: Database, about login: String) throws -> AuditSubject {
        var addresses = Set(try String.fetchAll(db, sql: """
            SELECT m.address FROM mailbox m JOIN person p ON p.id = m.person_id WHERE p.login = ?
            """, arguments: [login]))
        addresses.formUnion(try String.fetchAll(db, sql: """
            SELECT substr(target, 9) FROM audit_event
            WHERE target LIKE 'mailbox:%' AND json_valid(details) AND json_extract(details, '$.owner') = ?
            """, arguments: [login]))
        // Renames link an old address to a new one: follow them both ways until nothing is added.
        let renames = try Row.fetchAll(db, sql: """
            SELECT substr(target, 9) AS old, json_extract(details, '$.to') AS new FROM audit_event
            WHERE action = ? AND target LIKE 'mailbox:%' AND json_valid(details)
            """, arguments: [Action.mailAccountRename.rawValue]).compactMap { row -> (String, String)? in
            guard let old: String = row["old"], let new: String = row["new"] else { return nil }
            return (old, new)
        }
        var grew = true
        while grew {
            grew = false
            for (old, new) in renames where addresses.contains(old) != addresses.contains(new) {
                addresses.formUnion([old, new])
                grew = true
            }
        }
        let inDirectory = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM person WHERE login = ?)", arguments: [login]) ?? false
        return AuditSubject(login: login, addresses: addresses.sorted(), inDirectory: inDirectory)
    }

    /// The kinds of target in the log (`person`, `mailbox`, ...): the part before the colon, or a
    /// target without one (`audit`, `database`).
    public static func targetKinds(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT DISTINCT CASE WHEN instr(target, ':') > 0 THEN substr(target, 1, instr(target, ':') - 1) ELSE target END AS kind
            FROM audit_event ORDER BY kind
            """)
    }
}
