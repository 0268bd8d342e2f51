public import GRDB

/// Whether a mail domain is served.
public enum MailDomainStatus: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Logins and delivery work.
    case active
    /// Nobody in the domain logs in or receives mail.
    case disabled
}

/// A mail domain.
public struct MailDomain: Sendable, Codable, Equatable, FetchableRecord {
    /// Stable id.
    public var id: Int64
    /// Lower-case ASCII name (an IDN domain is stored as punycode).
    public var name: String
    /// Whether anyone in it logs in or receives mail.
    public var status: MailDomainStatus
    /// Mailboxes in the domain.
    public var mailboxes: Int

    public init(row: Row) {
        id = row["id"]
        name = row["name"]
        status = row["status"]
        mailboxes = row["mailboxes"] ?? 0
    }
}

/// A mailbox as the helpdesk sees it.
public struct MailAccount: Sendable, Codable, Equatable, FetchableRecord {
    /// Stable id.
    public var id: Int64
    /// The address, which is also the login.
    public var address: String
    /// The owner's directory login; nil for a service mailbox.
    public var owner: String?
    /// The owner's unit code.
    public var unit: String?
    /// Display name.
    public var displayName: String
    /// Whether it logs in and receives.
    public var status: MailboxStatus
    /// Storage limit in bytes, nil for none.
    public var quotaBytes: Int64?
    /// The mail folder's stable name (`mb-000123`).
    public var homeKey: String
    /// When the password last changed (UTC).
    public var passwordChangedAt: String?
    /// When the password expires (UTC), if it does.
    public var passwordExpiresAt: String?
    /// True when the owner must change the password at the next chance.
    public var mustChangePassword: Bool
    /// When the status last changed (UTC).
    public var statusChangedAt: String
    /// For `pending-purge`, when the mailbox may be purged.
    public var purgeAfter: String?
    /// The preferred language of the owner (`vi` when there is no owner).
    public var language: String

    enum CodingKeys: String, CodingKey {
        case id, address, owner, unit, displayName = "display_name", status, quotaBytes = "quota_bytes", homeKey = "home_key"
        case passwordChangedAt = "password_changed_at", passwordExpiresAt = "password_expires_at"
        case mustChangePassword = "must_change_password", statusChangedAt = "status_changed_at", purgeAfter = "purge_after", language
    }

    public init(row: Row) {
        id = row["id"]
        address = row["address"]
        owner = row["owner_login"]
        unit = row["unit_code"]
        displayName = row["display_name"]
        status = row["status"]
        quotaBytes = row["quota_bytes"]
        homeKey = row["home_key"]
        passwordChangedAt = row["password_changed_at"]
        passwordExpiresAt = row["password_expires_at"]
        mustChangePassword = row["must_change_password"]
        statusChangedAt = row["status_changed_at"]
        purgeAfter = row["purge_after"]
        language = row["owner_language"] ?? "vi"
    }

    /// The SELECT every mailbox read uses.
    static let selection: SQL = """
        SELECT m.*, p.login AS owner_login, p.language AS owner_language, u.code AS unit_code
        FROM mailbox m LEFT JOIN person p ON p.id = m.person_id LEFT JOIN unit u ON u.id = p.unit_id
        """
}

/// One alias row: mail to `address` goes to `target`.
public struct MailAliasEntry: Sendable, Codable, Equatable, FetchableRecord {
    /// The alias address.
    public var address: String
    /// Where its mail goes.
    public var target: String
    /// `alias`, `rename` or `group`.
    public var kind: String

    public init(row: Row) {
        address = row["address"]
        target = row["target"]
        kind = row["kind"]
    }
}

/// A mailbox as it is inserted: the one INSERT into `mailbox` (its `home_key` comes from its id).
struct NewMailbox: Encodable, PersistableRecord {
    static let databaseTableName = "mailbox"

    var address: String
    var domainID: Int64
    var personID: Int64?
    var displayName: String
    var passwordHash: String
    var status: MailboxStatus
    var quotaBytes: Int64?
    var passwordChangedAt: String
    var passwordExpiresAt: String?
    var mustChangePassword: Bool
    var enforcePasswordChange: Bool
    var statusChangedAt: String
    var createdAt: String

    enum CodingKeys: String, CodingKey {
        case address, domainID = "domain_id", personID = "person_id", displayName = "display_name"
        case passwordHash = "password_hash", status, quotaBytes = "quota_bytes", passwordChangedAt = "password_changed_at"
        case passwordExpiresAt = "password_expires_at", mustChangePassword = "must_change_password"
        case enforcePasswordChange = "enforce_password_change"
        case statusChangedAt = "status_changed_at", createdAt = "created_at"
    }
}
