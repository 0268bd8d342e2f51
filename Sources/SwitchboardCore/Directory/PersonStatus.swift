public import GRDB

/// Where a person is in their lifecycle; the mail servers' views read it too.
public enum PersonStatus: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Works here: logs in, receives mail.
    case active
    /// Temporarily without access; data kept.
    case suspended
    /// Has left; personal data purged after the retention period.
    case departed
    /// Personal data removed; the id and login stay as a tombstone for the audit log.
    case purged
}
