import Foundation
public import SwitchboardBase

/// A directory operation that cannot be done, in words the helpdesk can act on.
public struct DirectoryError: SwitchboardError {
    /// The kind of failure, which decides the exit status.
    public enum Code: Sendable {
        /// The input is malformed (exit 65).
        case invalidInput
        /// A named unit, person, group or room does not exist (exit 65).
        case notFound
        /// The input clashes with what exists: a duplicate login, e-mail or name (exit 65).
        case conflict
        /// The operation ran and was refused by a rule: a unit not empty, a cycle (exit 1).
        case refused
    }

    /// The kind.
    public let code: Code
    /// What failed, on what, and what to try.
    public let description: String
    /// The input field at fault (`email`, `unit`...), which per-row import reports name.
    public let field: String?

    /// An error of a kind, with its message and, when one is at fault, the field.
    public init(_ code: Code, _ description: String, field: String? = nil) {
        self.code = code
        self.description = description
        self.field = field
    }

    /// Bad input in a named field: `field "value": reason`.
    public static func invalid(_ field: String, _ value: String, _ reason: String) -> DirectoryError {
        DirectoryError(.invalidInput, "\(field) \(Quoting.quoted(value)): \(reason)", field: field)
    }

    public var category: ErrorCategory { code == .refused ? .failed : .badInput }
}

extension DirectoryError {
    /// A file named on the command line that cannot be read or written.
    public static func fileUnreadable(_ path: String) -> DirectoryError {
        DirectoryError(.invalidInput, "file \(Quoting.quoted(path)): cannot be read or written (check the path and permissions)")
    }
}
