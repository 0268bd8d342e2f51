public import SwitchboardBase

/// A mail administration operation that cannot be done, in words the helpdesk can act on.
public struct MailError: SwitchboardError {
    /// The kind of failure, which decides the exit status.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case invalidInput = "invalid input"
            case notFound = "not found"
            case conflict
            case refused
            case serviceUnavailable = "service unavailable"
            case denied = "permission denied"
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// The input is malformed: an address, a quota, a password against the policy (exit 65).
        public static let invalidInput = Code(.invalidInput)
        /// A named domain, mailbox, alias, list or person does not exist (exit 65).
        public static let notFound = Code(.notFound)
        /// The input clashes with what exists: an address in use, an alias already there (exit 65).
        public static let conflict = Code(.conflict)
        /// The operation ran and a rule refused it: a mailbox in the wrong state (exit 1).
        public static let refused = Code(.refused)
        /// A mail server step cannot run or the server refused it: doveadm, a login, delivery (exit 69).
        public static let serviceUnavailable = Code(.serviceUnavailable)

        /// The operating system refuses what the operation needs: writing a key for another user
        /// without root (exit 77).
        public static let denied = Code(.denied)

        /// The kind in words.
        public var description: String { kind.rawValue }
    }

    /// The kind.
    public let code: Code
    /// What failed, on what, and what to try.
    public let description: String
    /// The input field at fault (`address`, `login`...), which per-row import reports name.
    public let field: String?

    /// An error of a kind, with its message and, when one is at fault, the field.
    public init(_ code: Code, _ description: String, field: String? = nil) {
        self.code = code
        self.description = description
        self.field = field
    }

    /// A mail server step (`directory`, `imap login`, `quota report`...) that failed.
    public init(step: String, problem: String) {
        self.init(.serviceUnavailable, "\(step): \(problem)")
    }

    /// Bad input in a named field: `field "value": reason`.
    public static func invalid(_ field: String, _ value: String, _ reason: String) -> MailError {
        MailError(.invalidInput, "\(field) \(Quoting.quoted(value)): \(reason)", field: field)
    }

    public var category: ErrorCategory {
        switch code {
        case .refused: .failed
        case .serviceUnavailable: .unavailable
        case .denied: .denied
        default: .badInput
        }
    }
}
