import Foundation
import GRDB
import SwitchboardBase
public import SwitchboardCore

/// Someone an alert mail goes to.
public struct AlertRecipient: Sendable, Equatable, Hashable {
    /// Their address (lower-case): their first active mailbox, else their directory e-mail.
    public var address: String
    /// Their name as the mail shows it.
    public var name: String
    /// The language of their mails (`vi`, `en`).
    public var language: String

    /// A recipient.
    public init(address: String, name: String, language: String) {
        self.address = address
        self.name = name
        self.language = language
    }
}

/// Turns owners and alert recipients (`login`, `group:NAME`, `unit:CODE`) into addresses, read
/// from the directory each time (people change between a configuration load and an outage).
public struct RecipientResolver: Sendable {
    private let database: SwitchboardDatabase

    /// A resolver reading `database`.
    public init(database: SwitchboardDatabase) {
        self.database = database
    }

    /// Every active person the references reach, each once (by address), in the order first
    /// reached: a person; a group's members and its nested groups' members; a unit's people and
    /// those of the units under it. People who are suspended or departed, and people with no
    /// mailbox and no e-mail address, are left out; so is a reference no longer in the
    /// directory (``unresolved(_:)`` names those, for the daemon's log).
    public func resolve(_ references: [RecipientReference]) throws -> [AlertRecipient] {
        try database.read { db in
            var result: [AlertRecipient] = []
            var seen: Set<String> = []
            for reference in references {
                for row in try Self.people(db, reference) {
                    guard let recipient = Self.recipient(row), seen.insert(recipient.address).inserted else { continue }
                    result.append(recipient)
                }
            }
            return result
        }
    }

    /// The references that reach nobody who can be mailed, each with why (for a log line).
    public func unresolved(_ references: [RecipientReference]) throws -> [(reference: RecipientReference, problem: String)] {
        var found: [(reference: RecipientReference, problem: String)] = []
        for reference in references {
            if let problem = try problem(with: reference) {
                found.append((reference: reference, problem: problem))
            } else if try resolve([reference]).isEmpty {
                found.append((reference: reference, problem: "\(reference) reaches no active person with a mail address"))
            }
        }
        return found
    }

    /// Why `reference` is not in the directory, or nil when it is.
    func problem(with reference: RecipientReference) throws -> String? {
        try database.read { db in
            switch reference {
            case .person(let login):
                let known = try Int64.fetchOne(db, sql: "SELECT id FROM person WHERE login = ? AND status <> 'purged'", arguments: [login]) != nil
                return known ? nil : "no person with login \"\(login)\" in the directory (see `dirctl person list`; a group is group:NAME, a unit unit:CODE)"
            case .group(let name):
                let known = try Int64.fetchOne(db, sql: "SELECT id FROM directory_group WHERE name = ?", arguments: [name]) != nil
                return known ? nil : "no group named \"\(name)\" in the directory (see `dirctl group list`)"
            case .unit(let code):
                let known = try Int64.fetchOne(db, sql: "SELECT id FROM unit WHERE code = ?", arguments: [code]) != nil
                return known ? nil : "no unit with code \"\(code)\" in the directory (see `dirctl unit list`)"
            }
        }
    }

    private static let columns = """
        SELECT p.login, p.display_name, p.email, p.language,
               (SELECT address FROM mailbox WHERE person_id = p.id AND status = 'active' ORDER BY id LIMIT 1) AS mailbox
        FROM person p
        """

    /// The active people `reference` reaches, in name order.
    private static func people(_ db: Database, _ reference: RecipientReference) throws -> [Row] {
        switch reference {
        case .person(let login):
            return try Row.fetchAll(db, sql: columns + " WHERE p.login = ? AND p.status = 'active'", arguments: [login])
        case .group(let name):
            guard let groupID = try Int64.fetchOne(db, sql: "SELECT id FROM directory_group WHERE name = ?", arguments: [name]) else { return [] }
            let ids = Array(try DirectoryService.nestedGroupIDs(db, of: groupID).union([groupID]))
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            return try Row.fetchAll(db, sql: columns + """
                 WHERE p.status = 'active' AND p.id IN (SELECT person_id FROM group_member WHERE person_id IS NOT NULL AND group_id IN (\(marks)))
                 ORDER BY p.search_key, p.login
                """, arguments: StatementArguments(ids))
        case .unit(let code):
            guard let unitID = try Int64.fetchOne(db, sql: "SELECT id FROM unit WHERE code = ?", arguments: [code]) else { return [] }
            return try Row.fetchAll(db, sql: columns + """
                 WHERE p.status = 'active' AND p.unit_id IN (
                    WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT u.id FROM unit u JOIN tree t ON u.parent_id = t.id) SELECT id FROM tree)
                 ORDER BY p.search_key, p.login
                """, arguments: [unitID])
        }
    }

    private static func recipient(_ row: Row) -> AlertRecipient? {
        let mailbox: String? = row["mailbox"]
        let email: String? = row["email"]
        guard let address = (mailbox ?? email)?.lowercased(), !address.isEmpty else { return nil }
        let language: String = row["language"]
        return AlertRecipient(address: address, name: row["display_name"], language: language.isEmpty ? "vi" : language)
    }
}
