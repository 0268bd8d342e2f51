import Foundation
import SwitchboardBase
import GRDB

extension DirectoryService {
    /// Adds a person; `role` other than staff needs the right to set roles.
    @discardableResult
    public func addPerson(login rawLogin: String, fields: PersonFields, role: Role = .staff) throws -> Person {
        let login = try DirectoryValidation.login(rawLogin)
        guard fields.displayName != nil else { throw DirectoryError(.invalidInput, "name: a new person needs a name (--name)") }
        let checked = try fields.checked()
        if role != .staff { try session.authorize(.personSetRole, target: "person:\(login)") }
        return try session.perform(.personAdd, target: "person:\(login)") { db, details in
            try Self.insertPerson(db, login: login, checked: checked, role: role, language: defaultLanguage, at: timestamp, details: &details)
            return try Self.requirePerson(db, login: login)
        }
    }

    /// Changes the given fields of a person.
    @discardableResult
    public func updatePerson(login rawLogin: String, fields: PersonFields) throws -> Person {
        let login = try DirectoryValidation.login(rawLogin)
        let checked = try fields.checked()
        try protectAdmin(login: login, action: .personUpdate)
        return try session.perform(.personUpdate, target: "person:\(login)") { db, details in
            let person = try Self.requirePerson(db, login: login)
            guard person.status != .purged else { throw DirectoryError(.refused, "person \(login) was purged and cannot be changed") }
            try Self.updatePerson(db, person: person, checked: checked, at: timestamp, details: &details)
            return try Self.requirePerson(db, login: login)
        }
    }

    /// Sets a person's role; the last active admin cannot lose the role.
    public func setRole(login rawLogin: String, role: Role) throws {
        let login = try DirectoryValidation.login(rawLogin)
        try session.perform(.personSetRole, target: "person:\(login)") { db, details in
            let person = try Self.requirePerson(db, login: login)
            if person.role == .admin, role != .admin { try Self.requireAnotherAdmin(db, besides: person) }
            try db.execute(sql: "UPDATE person SET role = ?, updated_at = ? WHERE id = ?", arguments: [role.rawValue, timestamp, person.id])
            details["from"] = person.role.rawValue
            details["to"] = role.rawValue
        }
    }

    /// Suspends a person: no login to any tool, data kept.
    public func suspend(login: String, reason: String?) throws {
        try changeStatus(login: login, to: .suspended, action: .personSuspend, allowedFrom: [.active], reason: reason)
    }

    /// Restores a suspended person to active.
    public func restore(login: String) throws {
        try changeStatus(login: login, to: .active, action: .personRestore, allowedFrom: [.suspended, .departed], reason: nil)
    }

    /// Marks a person as departed; personal data is purged after `directory.departed_retention_days`.
    /// `mail` (from `mail.departed`) decides what the mail servers do with their incoming mail,
    /// in the same transaction; nil leaves it to the default (kept 30 days).
    public func depart(login: String, reason: String?, mail: DepartedMailPolicy? = nil) throws {
        try changeStatus(login: login, to: .departed, action: .personDepart, allowedFrom: [.active, .suspended], reason: reason,
                         mail: mail ?? DepartedMailPolicy())
    }

    private func changeStatus(login rawLogin: String, to status: PersonStatus, action: Action, allowedFrom: Set<PersonStatus>, reason: String?,
                              mail: DepartedMailPolicy? = nil) throws {
        let login = try DirectoryValidation.login(rawLogin)
        let checkedReason = try reason.map { try DirectoryValidation.text("reason", $0, maxLength: 500) }
        try protectAdmin(login: login, action: action)
        try session.perform(action, target: "person:\(login)") { db, details in
            let person = try Self.requirePerson(db, login: login)
            guard allowedFrom.contains(person.status) else {
                throw DirectoryError(.refused, "person \(login) is \(person.status); \(action.rawValue) applies only to a person who is \(allowedFrom.map(\.rawValue).sorted().joined(separator: " or "))")
            }
            if person.role == .admin, status != .active { try Self.requireAnotherAdmin(db, besides: person) }
            let stamp = timestamp
            var purgeAfter: String?
            if status == .departed {
                purgeAfter = Timestamp.format(clock.now().addingTimeInterval(Double(settings.departedRetentionDays) * 86_400))
            }
            try db.execute(sql: "UPDATE person SET status = ?, status_changed_at = ?, purge_after = ?, updated_at = ? WHERE id = ?",
                           arguments: [status, stamp, purgeAfter, stamp, person.id])
            details["from"] = person.status.rawValue
            details["to"] = status.rawValue
            if let checkedReason { details["reason"] = checkedReason }
            if let purgeAfter { details["purge_after"] = purgeAfter }
            if status == .departed, let mail {
                // Read live by the mail views (mail_mailbox_state) while the person stays departed.
                let keepUntil = mail.incoming == .keep
                    ? Timestamp.format(clock.now().addingTimeInterval(Double(mail.keepDays) * 86_400)) : nil
                let managerBox = try String.fetchOne(db, sql: """
                    SELECT s.address FROM mail_mailbox_state s JOIN person p ON p.id = s.person_id
                    WHERE p.id = (SELECT manager_id FROM person WHERE id = ?) AND s.receives ORDER BY s.id LIMIT 1
                    """, arguments: [person.id])
                try db.execute(sql: """
                    INSERT INTO mail_departure (person_id, incoming, keep_until, reply, decided_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (person_id) DO UPDATE SET incoming = excluded.incoming, keep_until = excluded.keep_until,
                        reply = excluded.reply, decided_at = excluded.decided_at
                    """, arguments: [person.id, mail.incoming.rawValue, keepUntil, mail.reply(login: login, contact: managerBox), stamp])
                details["incoming_mail"] = mail.incoming.rawValue
                if let keepUntil { details["mail_kept_until"] = keepUntil }
            }
        }
    }

    /// Purges the personal data of departed people whose retention has run out; tombstones keep id and login.
    public func purgeDeparted() throws -> [String] {
        try session.perform(.personPurge, target: "person:*") { db, details in
            let stamp = timestamp
            let logins = try String.fetchAll(db, sql: "SELECT login FROM person WHERE status = 'departed' AND purge_after <= ? ORDER BY login", arguments: [stamp])
            try db.execute(sql: """
                UPDATE person SET display_name = '[purged]', given_name = '', family_name = '', search_key = '',
                    email = NULL, email_key = NULL, title = '', employee_number = '', phone = '', manager_id = NULL,
                    status = 'purged', status_changed_at = ?, purge_after = NULL, updated_at = ?
                WHERE status = 'departed' AND purge_after <= ?
                """, arguments: [stamp, stamp, stamp])
            try db.execute(sql: "DELETE FROM group_member WHERE person_id IN (SELECT id FROM person WHERE status = 'purged')")
            // The name also lives in the mail tables the servers read: purge it there too.
            try db.execute(sql: "UPDATE mailbox SET display_name = address WHERE person_id IN (SELECT id FROM person WHERE status = 'purged')")
            // And in the meetings they were invited to: the row stays (the count, the answer), the
            // name and address go (answers for single occurrences follow through the cascade).
            try db.execute(sql: """
                UPDATE meeting_attendee SET name = '[purged]', address = 'purged-' || person_id || '@invalid'
                WHERE person_id IN (SELECT id FROM person WHERE status = 'purged') AND address NOT LIKE 'purged-%@invalid'
                """)
            details["purged"] = logins
            return logins
        }
    }

    /// One person by login.
    public func person(login rawLogin: String) throws -> Person {
        let login = try DirectoryValidation.login(rawLogin)
        try authorizeRead(.personRead, target: "person:\(login)")
        return try database.read { db in try Self.requirePerson(db, login: login) }
    }

    /// Filters for listing people.
    public struct PersonFilter: Sendable {
        /// Accent- and case-insensitive text found in the name, login or e-mail.
        public var text: String?
        /// Only people in this unit (and, with `includeSubunits`, its sub-units).
        public var unit: String?
        /// Include people of the unit's sub-units.
        public var includeSubunits: Bool
        /// Only this status; nil lists active and suspended people.
        public var status: PersonStatus?

        /// A filter.
        public init(text: String? = nil, unit: String? = nil, includeSubunits: Bool = false, status: PersonStatus? = nil) {
            self.text = text
            self.unit = unit
            self.includeSubunits = includeSubunits
            self.status = status
        }
    }

    /// People matching `filter`, by display name's search key.
    public func people(_ filter: PersonFilter) throws -> [Person] {
        try authorizeRead(.personRead, target: "person:*")
        return try database.read { db in
            var clauses: [SQL] = []
            if let status = filter.status {
                clauses.append("p.status = \(status)")
            } else {
                clauses.append("p.status IN ('active', 'suspended')")
            }
            if let text = filter.text {
                let key = TextNormalization.searchKey(text)
                clauses.append("p.search_key LIKE \("%" + SQLLike.escape(key) + "%") ESCAPE '\\'")
            }
            if let unit = filter.unit {
                let unitID = try Self.requireUnitID(db, code: try DirectoryValidation.unitCode(unit))
                if filter.includeSubunits {
                    clauses.append("p.unit_id IN (WITH RECURSIVE sub(id) AS (SELECT \(unitID) UNION SELECT u.id FROM unit u JOIN sub ON u.parent_id = sub.id) SELECT id FROM sub)")
                } else {
                    clauses.append("p.unit_id = \(unitID)")
                }
            }
            let sql: SQL = "\(Person.selection) WHERE \(clauses.joined(separator: " AND ")) ORDER BY p.search_key, p.login"
            return try Person.fetchAll(db, SQLRequest<Person>(literal: sql))
        }
    }

    // MARK: Shared with import

    static func insertPerson(_ db: Database, login: String, checked: PersonFields.Checked, role: Role, language: String, at stamp: String, details: inout AuditDetails) throws {
        if try Int64.fetchOne(db, sql: "SELECT id FROM person WHERE login = ?", arguments: [login]) != nil {
            throw DirectoryError(.conflict, "login \(login) already exists (see `dirctl person show \(login)`)")
        }
        let displayName = checked.displayName ?? login
        if let email = checked.email { try requireEmailFree(db, email: email, except: login) }
        let unitID = try checked.unit.flatMap { $0.isEmpty ? nil : try requireUnitID(db, code: $0) }
        let managerID = try checked.manager.flatMap { $0.isEmpty ? nil : try requirePerson(db, login: $0).id }
        let searchKey = TextNormalization.searchKey([displayName, login, checked.email?.display ?? ""].joined(separator: " "))
        try db.execute(sql: """
            INSERT INTO person (login, display_name, given_name, family_name, search_key, email, email_key, unit_id, title,
                employee_number, phone, manager_id, language, role, status, status_changed_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
            """, arguments: [login, displayName, checked.givenName ?? "", checked.familyName ?? "", searchKey,
                             checked.email?.display, checked.email?.key, unitID, checked.title ?? "",
                             checked.employeeNumber ?? "", checked.phone ?? "", managerID, checked.language ?? language,
                             role.rawValue, stamp, stamp, stamp])
        details["name"] = displayName
        details["role"] = role.rawValue
        if let email = checked.email { details["email"] = email.display }
        if let unit = checked.unit, !unit.isEmpty { details["unit"] = unit }
    }

    /// Applies the given fields; returns the names of the fields that changed.
    @discardableResult
    static func updatePerson(_ db: Database, person: Person, checked: PersonFields.Checked, at stamp: String, details: inout AuditDetails) throws -> [String] {
        var changed: [String] = []
        var assignments: [SQL] = []
        func set(_ field: String, _ column: String, _ old: String?, _ new: String?) {
            guard let new, new != (old ?? "") else { return }
            changed.append(field)
            assignments.append("\(sql: column) = \(new)")
        }
        set("name", "display_name", person.displayName, checked.displayName)
        set("given_name", "given_name", person.givenName, checked.givenName)
        set("family_name", "family_name", person.familyName, checked.familyName)
        set("title", "title", person.title, checked.title)
        set("employee_number", "employee_number", person.employeeNumber, checked.employeeNumber)
        set("phone", "phone", person.phone, checked.phone)
        set("language", "language", person.language, checked.language)
        var email = person.email
        if checked.clearEmail, person.email != nil {
            changed.append("email")
            assignments.append("email = NULL, email_key = NULL")
            email = nil
        } else if let new = checked.email, new.display != person.email {
            try requireEmailFree(db, email: new, except: person.login)
            changed.append("email")
            assignments.append("email = \(new.display), email_key = \(new.key)")
            email = new.display
        }
        if let unit = checked.unit, unit != (person.unit ?? "") {
            let unitID = unit.isEmpty ? nil : try requireUnitID(db, code: unit)
            changed.append("unit")
            assignments.append("unit_id = \(unitID)")
        }
        if let manager = checked.manager, manager != (person.manager ?? "") {
            var managerID: Int64?
            if !manager.isEmpty {
                guard manager != person.login else { throw DirectoryError(.invalidInput, "manager \(manager): a person cannot be their own manager", field: "manager") }
                managerID = try requirePerson(db, login: manager).id
            }
            changed.append("manager")
            assignments.append("manager_id = \(managerID)")
        }
        guard !changed.isEmpty else { return [] }
        let name = checked.displayName ?? person.displayName
        let searchKey = TextNormalization.searchKey([name, person.login, email ?? ""].joined(separator: " "))
        assignments.append("search_key = \(searchKey), updated_at = \(stamp)")
        try db.execute(literal: "UPDATE person SET \(assignments.joined(separator: ", ")) WHERE id = \(person.id)")
        details["changed"] = changed
        return changed
    }

    static func requireEmailFree(_ db: Database, email: EmailAddress, except login: String) throws {
        if let owner = try String.fetchOne(db, sql: "SELECT login FROM person WHERE email_key = ? AND login <> ?", arguments: [email.key, login]) {
            throw DirectoryError(.conflict, "e-mail \(email.display) is already used by \(owner)", field: "email")
        }
    }

    static func requireAnotherAdmin(_ db: Database, besides person: Person) throws {
        let others = try Int.fetchOne(db, sql: "SELECT count(*) FROM person WHERE role = 'admin' AND status = 'active' AND id <> ?", arguments: [person.id]) ?? 0
        guard others > 0 else {
            throw DirectoryError(.refused, "\(person.login) is the last active admin: make another admin first (`dirctl person set-role LOGIN admin`)")
        }
    }

    /// Acting on an admin needs admin (a refusal is audited); a person not found is left to the
    /// action itself, which names it.
    func protectAdmin(login: String, action: Action) throws {
        guard let person = try database.read({ db in try Self.findPerson(db, login: login) }) else { return }
        try session.authorize(action, target: "person:\(login)", actingOn: person.role)
    }

    static func findPerson(_ db: Database, login: String) throws -> Person? {
        let sql: SQL = "\(Person.selection) WHERE p.login = \(login)"
        return try Person.fetchOne(db, SQLRequest<Person>(literal: sql))
    }

    static func requirePerson(_ db: Database, login: String) throws -> Person {
        guard let person = try findPerson(db, login: login) else {
            throw DirectoryError(.notFound, "no person with login \(Quoting.quoted(login)) (try `dirctl person search NAME`)")
        }
        return person
    }
}

extension DirectoryService {
    /// Adds the first admin of an empty directory (`dirctl init`); refused once anyone exists.
    public func initialize(admin rawLogin: String, fields: PersonFields) throws -> Person {
        let (login, checked) = try Self.firstAdmin(rawLogin, fields: fields)
        return try session.perform(.directoryInit, target: "person:\(login)") { db, details in
            let existing = try Int.fetchOne(db, sql: "SELECT count(*) FROM person") ?? 0
            guard existing == 0 else {
                throw DirectoryError(.refused, "\(database.path) is already initialized (\(existing) people); add admins with `dirctl person add --role admin`")
            }
            try Self.insertPerson(db, login: login, checked: checked, role: .admin, language: defaultLanguage, at: timestamp, details: &details)
            return try Self.requirePerson(db, login: login)
        }
    }

    /// Checks the first admin's login and fields; `dirctl init` calls it before it creates the
    /// database file, so a bad argument never leaves an empty database behind.
    public static func checkFirstAdmin(_ rawLogin: String, fields: PersonFields) throws {
        _ = try firstAdmin(rawLogin, fields: fields)
    }

    static func firstAdmin(_ rawLogin: String, fields: PersonFields) throws -> (login: String, checked: PersonFields.Checked) {
        let login = try DirectoryValidation.login(rawLogin)
        guard fields.displayName != nil else { throw DirectoryError(.invalidInput, "name: the first admin needs a name (--name)") }
        return (login, try fields.checked())
    }
}
