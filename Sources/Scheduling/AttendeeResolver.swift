import Foundation
public import GRDB
import SwitchboardBase
import SwitchboardCore

/// A person or outside address a meeting involves, resolved from what staff typed.
public struct ResolvedAttendee: Sendable, Hashable, Codable {
    /// The directory person, or nil for an outside address.
    public var personID: Int64?
    /// Their login, or nil.
    public var login: String?
    /// Where invites go (lower-case).
    public var address: String
    /// Their name as invites show it.
    public var name: String
    /// The language of their invite (`vi`, `en`).
    public var language: String
}

/// Turns `--with` values into attendees: logins, addresses, `group:NAME` (through nested groups)
/// and `unit:CODE` (the unit and the units under it). Only active people are expanded from a
/// group or unit; naming a suspended or departed person is an error that says so.
public enum AttendeeResolver {
    /// Splits repeated and comma-separated values (`an,binh` `--with group:x`) into specs.
    public static func specs(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Resolves every spec, each person once, in the order first named.
    public static func resolve(_ specs: [String], in db: Database, defaultLanguage: String) throws -> [ResolvedAttendee] {
        var result: [ResolvedAttendee] = []
        var seen: Set<String> = []
        func add(_ attendee: ResolvedAttendee) {
            if seen.insert(attendee.address).inserted { result.append(attendee) }
        }
        for spec in specs {
            let lower = spec.lowercased()
            if lower.hasPrefix("group:") {
                let name = String(spec.dropFirst(6))
                guard let groupID = try Int64.fetchOne(db, sql: "SELECT id FROM directory_group WHERE name = ?", arguments: [name]) else {
                    throw SchedulingError(.notFound, "no group named \(Quoting.quoted(name)) in --with (see `dirctl group list`)")
                }
                let ids = Array(try DirectoryService.nestedGroupIDs(db, of: groupID).union([groupID]))
                let people = try personRows(db, where: """
                    p.status = 'active' AND p.id IN (SELECT person_id FROM group_member WHERE person_id IS NOT NULL AND group_id IN (\(BusyTime.placeholders(ids.count))))
                    """, arguments: StatementArguments(ids))
                if people.isEmpty { throw SchedulingError(.invalidInput, "group \(Quoting.quoted(name)) has no active member to invite") }
                for row in people { add(try attendee(row, spec: spec, defaultLanguage: defaultLanguage)) }
            } else if lower.hasPrefix("unit:") {
                let code = String(spec.dropFirst(5))
                guard let unitID = try Int64.fetchOne(db, sql: "SELECT id FROM unit WHERE code = ?", arguments: [code]) else {
                    throw SchedulingError(.notFound, "no unit with code \(Quoting.quoted(code)) in --with (see `dirctl unit list`)")
                }
                let people = try personRows(db, where: """
                    p.status = 'active' AND p.unit_id IN (WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT u.id FROM unit u JOIN tree t ON u.parent_id = t.id) SELECT id FROM tree)
                    """, arguments: [unitID])
                if people.isEmpty { throw SchedulingError(.invalidInput, "unit \(Quoting.quoted(code)) has no active person to invite") }
                for row in people { add(try attendee(row, spec: spec, defaultLanguage: defaultLanguage)) }
            } else if spec.contains("@") {
                let address: String
                do { address = try EmailAddress(spec).description.lowercased() } catch {
                    throw SchedulingError(.invalidInput, "\(Quoting.quoted(spec)) in --with is not an e-mail address: \(error)")
                }
                let rows = try personRows(db, where: """
                    p.id = (SELECT person_id FROM mailbox WHERE address = ? AND person_id IS NOT NULL
                            UNION ALL SELECT id FROM person WHERE email_key = ? LIMIT 1)
                    """, arguments: [address, address])
                if let row = rows.first {
                    var known = try attendee(row, spec: spec, defaultLanguage: defaultLanguage)
                    known.address = address
                    add(known)
                } else {
                    add(ResolvedAttendee(personID: nil, login: nil, address: address, name: "", language: defaultLanguage))
                }
            } else {
                guard let row = try personRows(db, where: "p.login = ?", arguments: [spec]).first else {
                    throw SchedulingError(.notFound, "no person with login \(Quoting.quoted(spec)) in --with (see `dirctl person list`, or give an address)")
                }
                add(try attendee(row, spec: spec, defaultLanguage: defaultLanguage))
            }
        }
        return result
    }

    /// The person acting, as an attendee (the organizer).
    public static func person(id: Int64, in db: Database, defaultLanguage: String) throws -> ResolvedAttendee {
        guard let row = try personRows(db, where: "p.id = ?", arguments: [id]).first else {
            throw SchedulingError(.notFound, "person #\(id) is not in the directory")
        }
        return try attendee(row, spec: row["login"], defaultLanguage: defaultLanguage)
    }

    private static func attendee(_ row: Row, spec: String, defaultLanguage: String) throws -> ResolvedAttendee {
        let login: String = row["login"]
        let status: String = row["status"]
        guard status == "active" else {
            throw SchedulingError(.invalidInput, "\(login) (from \(Quoting.quoted(spec))) is \(status) and cannot be invited")
        }
        guard let address = (row["mailbox"] as String?) ?? (row["email"] as String?)?.lowercased(), !address.isEmpty else {
            throw SchedulingError(.invalidInput, "\(login) has no mailbox and no e-mail address for the invite: add one (`mailctl account create` or `dirctl person update --email`)")
        }
        let language: String = row["language"]
        return ResolvedAttendee(personID: row["id"], login: login, address: address, name: row["display_name"],
                                language: language.isEmpty ? defaultLanguage : language)
    }

    /// People with their first active mailbox, matching `condition`.
    private static func personRows(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [Row] {
        try Row.fetchAll(db, sql: """
            SELECT p.id, p.login, p.display_name, p.email, p.language, p.status,
                   (SELECT address FROM mailbox WHERE person_id = p.id AND status = 'active' ORDER BY id LIMIT 1) AS mailbox
            FROM person p WHERE \(condition) ORDER BY p.search_key, p.login
            """, arguments: arguments)
    }
}
