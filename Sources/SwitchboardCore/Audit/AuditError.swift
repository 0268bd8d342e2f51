public import SwitchboardBase

/// The audit log cannot take or give an event, in words an operator can act on.
public struct AuditError: SwitchboardError {
    /// The kind of failure.
    public enum Code: Sendable {
        /// The log is in a state only tampering explains (a sequence at its limit, a broken row) (exit 1).
        case tampered
        /// An action that is not audited was asked to be recorded (a programming error) (exit 1).
        case notAudited
    }

    /// The kind.
    public let code: Code
    /// What is wrong and what to do.
    public let description: String

    /// An error of a kind with its message.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    public var category: ErrorCategory { .failed }
}
