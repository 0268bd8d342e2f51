import Foundation
import Logging
public import GRDB
import SwitchboardCore
public import SwitchboardBase

/// What a new mailbox needs.
public struct NewMailAccount: Sendable {
    /// Its address (the login).
    public var address: String
    /// The owner's directory login; nil for a service mailbox such as `helpdesk@`.
    public var owner: String?
    /// Display name; defaults to the owner's name.
    public var displayName: String?
    /// Quota in MB; nil takes `mail.default_quota_mb`, 0 means none.
    public var quotaMB: Int?
    /// The password; nil generates one, returned once.
    public var password: Secret?

    /// A request.
    public init(address: String, owner: String? = nil, displayName: String? = nil, quotaMB: Int? = nil, password: Secret? = nil) {
        self.address = address
        self.owner = owner
        self.displayName = displayName
        self.quotaMB = quotaMB
        self.password = password
    }
}

/// The statuses a helpdesk sets directly.
public enum MailboxStatus: String, Sendable, CaseIterable, Codable, DatabaseValueConvertible {
    /// Logs in and receives.
    case active
    /// Receives, cannot log in.
    case loginDisabled = "login-disabled"
    /// Neither.
    case suspended
    /// Deleted, waiting for purge.
    case pendingPurge = "pending-purge"
}

extension MailAdministration {
    /// Creates a mailbox; returns it and the generated password when none was given (shown once).
    public func createAccount(_ request: NewMailAccount) throws -> (account: MailAccount, generatedPassword: Secret?) {
        let created = try createAccount(request, welcomeIn: nil)
        return (created.account, created.generatedPassword)
    }

    /// Creates a mailbox and, given a time zone, queues its welcome mail in the same transaction
    /// (how to log in, never the password): send it with ``send(_:)`` after this returns.
    public func createAccount(_ request: NewMailAccount, welcomeIn timeZone: String?) throws
        -> (account: MailAccount, generatedPassword: Secret?, notices: [QueuedNotice]) {
        let address = try Self.normalize(address: request.address)
        // Refuse before any work: a refused actor learns nothing about the password policy.
        try session.authorize(.mailAccountCreate, target: "mailbox:\(address.key)")
        let ownerLogin = try request.owner.map { try DirectoryValidation.login($0) }
        let quota = try quotaBytes(request.quotaMB ?? settings.defaultQuotaMB)
        var displayName = try request.displayName.map { try DirectoryValidation.text("display name", $0, maxLength: 200) }
        if displayName == nil, ownerLogin == nil {
            throw MailError(.invalidInput, "display name: a service mailbox needs --name (or give --person LOGIN)")
        }
        // Resolve the owner's name for the policy check before hashing (outside the transaction).
        if displayName == nil, let ownerLogin {
            displayName = try database.read { db in try String.fetchOne(db, sql: "SELECT display_name FROM person WHERE login = ?", arguments: [ownerLogin]) }
        }
        let name = displayName ?? address.key
        let generated = request.password == nil ? PasswordGenerator.generate() : nil
        let password = request.password ?? generated ?? Secret("")
        if let problem = policy.problem(with: password, address: address.key, displayName: name) {
            throw MailError(.invalidInput, "password: \(problem)")
        }
        let hash = try hasher.hash(password)
        if timeZone != nil { try session.authorize(.mailNotify, target: "mailbox:\(address.key)") }
        let notifier = try timeZone.map { try MailNotifier(settings: settings, timeZone: $0) }
        let (account, notice) = try session.perform(.mailAccountCreate, target: "mailbox:\(address.key)") { db, details in
            let domain = try Self.requireDomain(db, name: address.asciiDomain)
            if let used = try Self.addressInUse(db, address.key) { throw MailError(.conflict, "\(address.key) is already \(used)") }
            var personID: Int64?
            if let ownerLogin {
                guard let row = try Row.fetchOne(db, sql: "SELECT id, status FROM person WHERE login = ?", arguments: [ownerLogin]) else {
                    throw MailError(.notFound, "no person with login \(Quoting.quoted(ownerLogin)) (try `dirctl person search NAME`)")
                }
                let status: PersonStatus = row["status"]
                guard status == .active else { throw MailError(.refused, "person \(ownerLogin) is \(status.rawValue): no new mailbox") }
                personID = row["id"]
            }
            try newMailbox(address: address.key, domainID: domain.id, personID: personID, displayName: name, passwordHash: hash,
                           quotaBytes: quota, mustChangePassword: generated != nil).insert(db)
            details["owner"] = ownerLogin ?? ""
            details["quota_bytes"] = quota.map { Int64($0) } ?? 0
            details["auto_generated"] = generated != nil
            let account = try Self.requireAccount(db, address: address.key)
            return (account, try notifier.map { try queue(.welcome, to: account, notifier: $0, in: db, details: &details) } ?? [])
        }
        return (account, generated, notice)
    }

    /// One mailbox, by address or, without an `@`, by its owner's login when they have exactly one.
    public func account(_ raw: String) throws -> MailAccount {
        if !raw.contains("@") {
            let login = try DirectoryValidation.login(raw)
            try session.authorize(.mailAccountRead, target: "person:\(login)")
            let owned = try database.read { db in
                try String.fetchAll(db, sql: """
                    SELECT m.address FROM mailbox m JOIN person p ON p.id = m.person_id WHERE p.login = ? ORDER BY m.address
                    """, arguments: [login])
            }
            guard owned.count == 1, let only = owned.first else {
                throw MailError(owned.isEmpty ? .notFound : .invalidInput, owned.isEmpty
                    ? "\(login) has no mailbox (an address has an @; create one with `mailctl account create ADDRESS --person \(login)`)"
                    : "\(login) has \(owned.count) mailboxes: \(owned.joined(separator: ", ")); name one")
            }
            return try account(only)
        }
        let address = try Self.normalize(address: raw)
        try session.authorize(.mailAccountRead, target: "mailbox:\(address.key)")
        return try database.read { db in try Self.requireAccount(db, address: address.key) }
    }

    /// Mailboxes, optionally of one domain, status or unit (with sub-units).
    /// Mailboxes by domain, status and the owner's unit (`subunits`: its sub-units too, as
    /// `dirctl person list --unit U --subunits`).
    public func accounts(domain: String? = nil, status: MailboxStatus? = nil, unit: String? = nil, subunits: Bool = false) throws -> [MailAccount] {
        try session.authorize(.mailAccountRead, target: "mailbox:*")
        return try database.read { db in
            var clauses: [SQL] = ["1"]
            if let domain {
                let id = try Self.requireDomain(db, name: Punycode.toASCII(domain: domain) ?? domain.lowercased()).id
                clauses.append("m.domain_id = \(id)")
            }
            if let status { clauses.append("m.status = \(status)") }
            if let unit {
                guard let unitID = try Int64.fetchOne(db, sql: "SELECT id FROM unit WHERE code = ?", arguments: [unit]) else {
                    throw MailError(.notFound, "no unit with code \(Quoting.quoted(unit)) (see `dirctl unit list`)")
                }
                clauses.append(subunits
                    ? "p.unit_id IN (WITH RECURSIVE sub(id) AS (SELECT \(unitID) UNION SELECT u2.id FROM unit u2 JOIN sub ON u2.parent_id = sub.id) SELECT id FROM sub)"
                    : "p.unit_id = \(unitID)")
            }
            let sql: SQL = "\(MailAccount.selection) WHERE \(clauses.joined(separator: " AND ")) ORDER BY m.address"
            return try MailAccount.fetchAll(db, SQLRequest<MailAccount>(literal: sql))
        }
    }

    /// Changes a mailbox's status: disable-login, suspend, enable (also undeletes), delete (to pending-purge).
    public func setStatus(_ raw: String, to status: MailboxStatus, reason: String? = nil) throws {
        let address = try Self.normalize(address: raw)
        let action: Action
        let allowedFrom: Set<MailboxStatus>
        switch status {
        case .active: (action, allowedFrom) = (.mailAccountEnable, [.loginDisabled, .suspended, .pendingPurge])
        case .loginDisabled: (action, allowedFrom) = (.mailAccountDisableLogin, [.active])
        case .suspended: (action, allowedFrom) = (.mailAccountSuspend, [.active, .loginDisabled])
        case .pendingPurge: (action, allowedFrom) = (.mailAccountDelete, [.active, .loginDisabled, .suspended])
        }
        let checkedReason = try reason.map { try DirectoryValidation.text("reason", $0, maxLength: 500) }
        try authorizeOnOwner(action, address: address.key)
        try session.perform(action, target: "mailbox:\(address.key)") { db, details in
            let account = try Self.requireAccount(db, address: address.key)
            guard allowedFrom.contains(account.status) else {
                throw MailError(.refused, "mailbox \(address.key) is \(account.status.rawValue); \(action.rawValue) applies only to a mailbox that is \(allowedFrom.map(\.rawValue).sorted().joined(separator: " or "))")
            }
            if status == .active, let owner = try Row.fetchOne(db, sql: """
                SELECT p.login, p.status FROM mailbox m JOIN person p ON p.id = m.person_id WHERE m.id = ?
                """, arguments: [account.id]) {
                // The servers refuse the login of a mailbox whose owner is not active whatever its
                // status; enabling it would say "active" while nothing works (as `account create --person`).
                let login: String = owner[0]
                let ownerStatus: String = owner[1]
                if ownerStatus != PersonStatus.active.rawValue {
                    throw MailError(.refused, "mailbox \(address.key) belongs to \(login), who is \(ownerStatus): the mail servers refuse its login while the owner is not active; restore the person first (`dirctl person restore \(login)`)")
                }
            }
            let purgeAfter = status == .pendingPurge
                ? Timestamp.format(clock.now().addingTimeInterval(Double(settings.deletedRetentionDays) * 86_400)) : nil
            try db.execute(sql: "UPDATE mailbox SET status = ?, status_changed_at = ?, purge_after = ? WHERE id = ?",
                           arguments: [status, timestamp, purgeAfter, account.id])
            details["from"] = account.status.rawValue
            details["to"] = status.rawValue
            if let checkedReason { details["reason"] = checkedReason }
            if let purgeAfter { details["purge_after"] = purgeAfter }
        }
    }

    /// Sets a new password (generated when nil, returned once); the old one stops working at once.
    public func resetPassword(_ raw: String, password: Secret?, mustChange: Bool = false) throws -> Secret? {
        try resetPassword(raw, password: password, mustChange: mustChange, notifyIn: nil).generated
    }

    /// Sets a new password and, given a time zone, queues the owner's reset notice in the same
    /// transaction (it says when, never the password): send it with ``send(_:)`` after this returns.
    public func resetPassword(_ raw: String, password: Secret?, mustChange: Bool = false,
                              notifyIn timeZone: String?) throws -> (generated: Secret?, notices: [QueuedNotice]) {
        let address = try Self.normalize(address: raw)
        try authorizeOnOwner(.mailAccountResetPassword, address: address.key)
        let current = try database.read { db in try Self.requireAccount(db, address: address.key) }
        let generated = password == nil ? PasswordGenerator.generate() : nil
        let newPassword = password ?? generated ?? Secret("")
        if let problem = policy.problem(with: newPassword, address: address.key, displayName: current.displayName) {
            throw MailError(.invalidInput, "password: \(problem)")
        }
        let hash = try hasher.hash(newPassword)
        if timeZone != nil { try session.authorize(.mailNotify, target: "mailbox:\(address.key)") }
        let notifier = try timeZone.map { try MailNotifier(settings: settings, timeZone: $0) }
        let notice = try session.perform(.mailAccountResetPassword, target: "mailbox:\(address.key)") { db, details in
            let account = try Self.requireAccount(db, address: address.key)
            try db.execute(sql: """
                UPDATE mailbox SET password_hash = ?, password_changed_at = ?, password_expires_at = ?, must_change_password = ?,
                    enforce_password_change = ? WHERE id = ?
                """, arguments: [hash, timestamp, passwordExpiry, mustChange || generated != nil, settings.enforcePasswordChange, account.id])
            details["auto_generated"] = generated != nil
            return try notifier.map { try queue(.passwordReset, to: account, notifier: $0, in: db, details: &details) } ?? []
        }
        return (generated, notice)
    }

    /// Sets the quota in MB (0: none).
    public func setQuota(_ raw: String, megabytes: Int) throws {
        let address = try Self.normalize(address: raw)
        let quota = try quotaBytes(megabytes)
        try authorizeOnOwner(.mailAccountSetQuota, address: address.key)
        try session.perform(.mailAccountSetQuota, target: "mailbox:\(address.key)") { db, details in
            let account = try Self.requireAccount(db, address: address.key)
            try db.execute(sql: "UPDATE mailbox SET quota_bytes = ? WHERE id = ?", arguments: [quota, account.id])
            details["from_bytes"] = account.quotaBytes ?? 0
            details["to_bytes"] = quota.map { Int64($0) } ?? 0
        }
    }

    /// Gives a mailbox a new address; the old one stays as an alias, the mail folder does not move.
    public func rename(_ rawOld: String, to rawNew: String) throws {
        let old = try Self.normalize(address: rawOld, field: "old address")
        let new = try Self.normalize(address: rawNew, field: "new address")
        try authorizeOnOwner(.mailAccountRename, address: old.key)
        try session.perform(.mailAccountRename, target: "mailbox:\(old.key)") { db, details in
            let account = try Self.requireAccount(db, address: old.key)
            let newDomain = try Self.requireDomain(db, name: new.asciiDomain)
            let oldDomain = try Self.requireDomain(db, name: old.asciiDomain)
            if let used = try Self.addressInUse(db, new.key) { throw MailError(.conflict, "\(new.key) is already \(used)") }
            try db.execute(sql: "UPDATE mailbox SET address = ?, domain_id = ? WHERE id = ?", arguments: [new.key, newDomain.id, account.id])
            try db.execute(sql: "UPDATE mail_alias SET target = ? WHERE target = ?", arguments: [new.key, old.key])
            try db.execute(sql: "UPDATE mail_sender_login SET login = ? WHERE login = ?", arguments: [new.key, old.key])
            try db.execute(sql: "INSERT INTO mail_alias (address, target, domain_id, kind) VALUES (?, ?, ?, 'rename')",
                           arguments: [old.key, new.key, oldDomain.id])
            details["to"] = new.key
        }
    }

    /// Authorizes `action` on the mailbox `address` as acting on its owner: the mailbox of an admin
    /// (its password above all, which opens the admin's mail) needs an admin, as the person does.
    func authorizeOnOwner(_ action: Action, address: String) throws {
        let owner = try database.read { db in
            try Role.fetchOne(db, sql: "SELECT p.role FROM mailbox m JOIN person p ON p.id = m.person_id WHERE m.address = ?", arguments: [address])
        }
        try session.authorize(action, target: "mailbox:\(address)", actingOn: owner ?? .staff)
    }

    /// Removes mailboxes whose deletion grace period has run out, their aliases and, when
    /// `mail.home_base` is set, their mail folders; only those of `domain` when given.
    /// Returns the addresses purged.
    public func purge(domain rawDomain: String? = nil) throws -> [String] {
        let domain = rawDomain.map { Punycode.toASCII(domain: $0) ?? $0.lowercased() }
        let purged = try session.perform(.mailAccountPurge, target: domain.map { "mail-domain:\($0)" } ?? "mailbox:*") { db, details in
            let domainID = try domain.map { try Self.requireDomain(db, name: $0).id }
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, address, home_key FROM mailbox
                WHERE status = 'pending-purge' AND purge_after <= ? AND (? IS NULL OR domain_id = ?) ORDER BY address
                """, arguments: [timestamp, domainID, domainID])
            for row in rows {
                let address: String = row["address"]
                try db.execute(sql: "DELETE FROM mail_alias WHERE target = ? OR (address = ? AND kind = 'rename')", arguments: [address, address])
                try db.execute(sql: "DELETE FROM mail_sender_login WHERE login = ? OR address = ?", arguments: [address, address])
                try db.execute(sql: "DELETE FROM mailbox WHERE id = ?", arguments: [row["id"] as Int64])
            }
            details["purged"] = rows.map { $0["address"] as String }
            return rows.map { ($0["address"] as String, $0["home_key"] as String) }
        }
        // Files go after the commit: a failed removal leaves an orphan folder, never a dangling row.
        if !settings.homeBase.isEmpty {
            for (address, homeKey) in purged {
                guard let folder = Self.mailFolder(homeKey, under: settings.homeBase) else {
                    session.logger.error("left the mail folder of \(address) in place: its home key \(Quoting.quoted(homeKey)) is not mb-NUMBER under \(settings.homeBase)")
                    continue
                }
                // With the caller's rights: the set-gid group has no business in mail homes.
                _ = try? CallerIdentity.perform { try FileManager.default.removeItem(atPath: folder) }
            }
        }
        return purged.map(\.0)
    }

    /// The mail folder purge may remove: `BASE/mb-NUMBER` and nothing else, its path resolved
    /// (symbolic links followed) and still directly under the resolved base.
    static func mailFolder(_ homeKey: String, under base: String) -> String? {
        guard homeKey.hasPrefix("mb-"), homeKey.count > 3,
              homeKey.dropFirst(3).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let resolvedBase = URL(fileURLWithPath: base).resolvingSymlinksInPath().path
        let folder = URL(fileURLWithPath: base + "/" + homeKey).resolvingSymlinksInPath()
        guard folder.deletingLastPathComponent().path == resolvedBase else { return nil }
        return folder.path
    }

    /// The one row every new mailbox is inserted as (by `account create` and `account import`).
    func newMailbox(address: String, domainID: Int64, personID: Int64?, displayName: String, passwordHash: String,
                    quotaBytes: Int?, mustChangePassword: Bool) -> NewMailbox {
        let stamp = timestamp
        return NewMailbox(address: address, domainID: domainID, personID: personID, displayName: displayName,
                          passwordHash: passwordHash, status: .active, quotaBytes: quotaBytes.map(Int64.init),
                          passwordChangedAt: stamp, passwordExpiresAt: passwordExpiry,
                          mustChangePassword: mustChangePassword, enforcePasswordChange: settings.enforcePasswordChange,
                          statusChangedAt: stamp, createdAt: stamp)
    }

    func quotaBytes(_ megabytes: Int) throws -> Int? {
        guard (0...10_000_000).contains(megabytes) else {
            throw MailError.invalid("quota", String(megabytes), "must be 0 (none) to 10000000 MB")
        }
        return megabytes == 0 ? nil : megabytes * 1_048_576
    }
}
