import Foundation
import GRDB
public import SwitchboardCore
public import SwitchboardBase
public import Transport

/// The helpdesk's mail operations: domains, mailboxes, aliases, distribution lists.
///
/// Every change is authorized, validated and written with its audit event in one transaction;
/// password hashing happens before the transaction, network I/O never inside one.
public struct MailAdministration: Sendable {
    /// The database the mail servers read.
    public let database: SwitchboardDatabase
    /// The acting person.
    public let session: Session
    /// Mail settings from the config.
    public let settings: MailSettings
    /// Hashes passwords.
    public let hasher: any PasswordHashing
    /// Calendar time: expiry, retention, timestamps.
    public let clock: any WallClock
    /// The mail servers (libcurl by default).
    public let transport: any MailTransport

    /// A service acting as `session`.
    public init(database: SwitchboardDatabase, session: Session, settings: MailSettings,
                hasher: (any PasswordHashing)? = nil, clock: any WallClock = SystemWallClock(),
                transport: any MailTransport = CurlMailTransport()) {
        self.database = database
        self.session = session
        self.settings = settings
        self.hasher = hasher ?? CryptPasswordHasher(
            scheme: settings.passwordScheme, cost: settings.passwordCost)
        self.clock = clock
        self.transport = transport
    }

    /// The password policy of the config.
    public var policy: PasswordPolicy { PasswordPolicy(minimumLength: settings.passwordMinLength) }

    var timestamp: String { Timestamp.format(clock.now()) }

    var passwordExpiry: String? {
        settings.passwordMaxAgeDays > 0 ? Timestamp.format(clock.now().addingTimeInterval(Double(settings.passwordMaxAgeDays) * 86_400)) : nil
    }

    /// Validates an address and returns its stored form (lower-case, IDN domain as punycode).
    public static func normalize(address raw: String, field: String = "address") throws -> EmailAddress {
        let address: EmailAddress
        do { address = try EmailAddress(raw) } catch let error as EmailAddressError {
            throw MailError(.invalidInput, "\(field): \(error.description)", field: field)
        }
        // RFC 5322 allows an apostrophe; the mail servers' schema (ops/mail/schema.sql) does not.
        if address.key.contains("'") {
            throw MailError.invalid(field, raw, "an apostrophe is not allowed in a mail address here")
        }
        return address
    }

    // MARK: Domains

    /// Adds a domain (an IDN name is stored as punycode) with its first DKIM key, signing at once
    /// (`mail.dkim.enabled`): the key file is written first and removed again if the domain's
    /// row cannot be, so nothing is left half-made.
    @discardableResult
    public func addDomain(_ raw: String) throws -> MailDomain {
        guard let name = Punycode.toASCII(domain: raw.trimmingCharacters(in: .whitespaces)),
              (try? EmailAddress("postmaster@\(name)")) != nil else {
            throw MailError.invalid("domain", raw, "is not a valid domain name")
        }
        let target = "mail-domain:\(name)"
        try session.authorize(.mailDomainAdd, target: target)
        try database.read { db in try Self.refuseExistingDomain(db, name: name) }
        let keys = settings.dkim.enabled ? try writeNewKeys(domain: name, taken: []) : []
        do {
            return try session.perform(.mailDomainAdd, target: target) { db, details in
                try Self.refuseExistingDomain(db, name: name)
                try db.execute(sql: "INSERT INTO mail_domain (name, status, created_at) VALUES (?, ?, ?)",
                               arguments: [name, MailDomainStatus.active, timestamp])
                details["domain"] = name
                if !keys.isEmpty {
                    try insert(keys, domainID: db.lastInsertedRowID, state: .active, db: db)
                    details["dkim_selectors"] = keys.map(\.selector).joined(separator: ",")
                }
                return try Self.requireDomain(db, name: name)
            }
        } catch {
            for key in keys { keyStore.remove(domain: name, selector: key.selector, recorded: key.path) }
            throw error
        }
    }

    static func refuseExistingDomain(_ db: Database, name: String) throws {
        if try Int64.fetchOne(db, sql: "SELECT id FROM mail_domain WHERE name = ?", arguments: [name]) != nil {
            throw MailError(.conflict, "mail domain \(name) already exists")
        }
    }

    /// Disables or re-enables a domain: disabled, nobody in it logs in or receives mail.
    public func setDomain(_ raw: String, active: Bool) throws {
        let name = Self.domainName(raw)
        try session.perform(active ? .mailDomainEnable : .mailDomainDisable, target: "mail-domain:\(name)") { db, details in
            let domain = try Self.requireDomain(db, name: name)
            let status: MailDomainStatus = active ? .active : .disabled
            guard domain.status != status else { throw MailError(.refused, "mail domain \(name) is already \(status.rawValue)") }
            try db.execute(sql: "UPDATE mail_domain SET status = ? WHERE id = ?", arguments: [status, domain.id])
            details["from"] = domain.status.rawValue
            details["to"] = status.rawValue
        }
    }

    /// Every domain with its mailbox count.
    public func domains() throws -> [MailDomain] {
        try session.authorize(.mailDomainRead, target: "mail-domain:*")
        return try database.read { db in
            try MailDomain.fetchAll(db, sql: """
                SELECT d.*, (SELECT count(*) FROM mailbox m WHERE m.domain_id = d.id) AS mailboxes FROM mail_domain d ORDER BY d.name
                """)
        }
    }

    static func requireDomain(_ db: Database, name: String) throws -> MailDomain {
        guard let domain = try MailDomain.fetchOne(db, sql: """
            SELECT d.*, (SELECT count(*) FROM mailbox m WHERE m.domain_id = d.id) AS mailboxes FROM mail_domain d WHERE d.name = ?
            """, arguments: [name]) else {
            throw MailError(.notFound, "no mail domain \(Quoting.quoted(name)) (see `mailctl domain list`; an admin adds one with `mailctl domain add`)")
        }
        return domain
    }

    static func requireAccount(_ db: Database, address: String) throws -> MailAccount {
        let sql: SQL = "\(MailAccount.selection) WHERE m.address = \(address)"
        guard let account = try MailAccount.fetchOne(db, SQLRequest<MailAccount>(literal: sql)) else {
            throw MailError(.notFound, "no mailbox \(Quoting.quoted(address)) (see `mailctl account list`)")
        }
        return account
    }

    static func addressInUse(_ db: Database, _ address: String) throws -> String? {
        if try Int64.fetchOne(db, sql: "SELECT id FROM mailbox WHERE address = ?", arguments: [address]) != nil { return "a mailbox" }
        if try Int64.fetchOne(db, sql: "SELECT 1 FROM mail_list WHERE address = ?", arguments: [address]) != nil { return "a distribution list" }
        if let kind = try String.fetchOne(db, sql: "SELECT kind FROM mail_alias WHERE address = ? LIMIT 1", arguments: [address]) {
            return kind == "group" ? "a distribution list" : "an alias"
        }
        return nil
    }
}
