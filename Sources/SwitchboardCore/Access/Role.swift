public import GRDB

/// What a person may do in the suite.
public enum Role: String, Sendable, CaseIterable, Codable, DatabaseValueConvertible {
    /// Everything, including roles, keys and backups.
    case admin
    /// The IT helpdesk: runs the directory and mail accounts.
    case helpdesk
    /// Staff: reads the directory, books meetings.
    case staff
    /// Auditors and the security team: read, verify and export the audit log.
    case auditor
}
