/// A secret value (password, token, key) that never prints itself.
///
/// `description` and `debugDescription` are redacted, and `Secret` does not conform to
/// ``AuditValueConvertible``: a secret cannot be put into an audit event or a log line by mistake.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret text. Read it only where it is used (hashing, authenticating).
    public let exposedValue: String

    /// Wraps a secret value.
    public init(_ value: String) {
        exposedValue = value
    }

    public var description: String { "[redacted]" }
    public var debugDescription: String { "Secret([redacted])" }
}
