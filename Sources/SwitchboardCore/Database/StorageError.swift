import GRDB
public import SwitchboardBase

/// The database refused or could not complete an operation, in words an operator can act on.
///
/// Raised at the edge of ``SwitchboardDatabase`` from SQLite's own errors, so no caller needs to
/// know GRDB: a busy database is "try again", a constraint is bad input, a read-only file says so.
public struct StorageError: SwitchboardError {
    /// The kind of failure.
    public enum Code: Sendable {
        /// Another process held the write lock longer than `database.busy_timeout_ms` (exit 69).
        case busy
        /// A constraint refused the change: a duplicate, a missing reference, an append-only row (exit 65).
        case constraint
        /// The file cannot be written by this user, or is on a read-only mount (exit 77).
        case readOnly
        /// Anything else SQLite reported (exit 1).
        case other
    }

    /// The kind.
    public let code: Code
    /// What failed and what to try, without the SQL statement.
    public let description: String

    /// An error of a kind with its message.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Translates SQLite's error on `path`; nil for errors that are not SQLite's.
    static func from(_ error: any Error, path: String) -> StorageError? {
        guard let error = error as? DatabaseError else { return nil }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StorageError(.busy, "the database is busy: another process held the write lock longer than database.busy_timeout_ms; try again")
        case .SQLITE_CONSTRAINT:
            return StorageError(.constraint, "refused by the database: \(message)")
        case .SQLITE_READONLY, .SQLITE_PERM:
            return StorageError(.readOnly, "database \(path) is read-only for this user: \(message)")
        default:
            return StorageError(.other, "database error: \(message)")
        }
    }

    public var category: ErrorCategory {
        switch code {
        case .busy: .unavailable
        case .constraint: .badInput
        case .readOnly: .denied
        case .other: .failed
        }
    }
}
