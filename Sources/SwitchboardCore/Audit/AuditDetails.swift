import Foundation
import SwitchboardBase

/// A value that may be put into an audit event's details.
///
/// ``Secret`` deliberately does not conform: a password or token cannot reach the audit log.
public protocol AuditValueConvertible: Sendable {
    /// The value as it is recorded.
    var auditValue: AuditValue { get }
}

/// One recorded detail value.
public enum AuditValue: Sendable, Equatable, Encodable {
    /// Text.
    case text(String)
    /// A whole number.
    case number(Int64)
    /// A flag.
    case flag(Bool)
    /// A list of texts.
    case list([String])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .text(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .flag(value): try container.encode(value)
        case let .list(value): try container.encode(value)
        }
    }
}

extension String: AuditValueConvertible {
    /// The text itself.
    public var auditValue: AuditValue { .text(self) }
}

extension Int: AuditValueConvertible {
    /// The number itself.
    public var auditValue: AuditValue { .number(Int64(self)) }
}

extension Int64: AuditValueConvertible {
    /// The number itself.
    public var auditValue: AuditValue { .number(self) }
}

extension Bool: AuditValueConvertible {
    /// The flag itself.
    public var auditValue: AuditValue { .flag(self) }
}

extension Array: AuditValueConvertible where Element == String {
    /// The list itself.
    public var auditValue: AuditValue { .list(self) }
}

/// The details of an audit event: typed values under keys, redacted by type and by name.
public struct AuditDetails: Sendable, Equatable {
    /// Keys whose values are never recorded, whatever their type (defence in depth).
    static let secretKeyFragments = ["password", "secret", "token", "private", "passphrase", "credential"]

    private(set) var values: [String: AuditValue] = [:]

    /// Empty details.
    public init() {}

    /// Records `value` under `key`; a key that names a secret records `[redacted]` instead.
    public subscript(key: String) -> (any AuditValueConvertible)? {
        get { nil }
        set {
            let lowered = key.lowercased()
            if Self.secretKeyFragments.contains(where: { lowered.contains($0) }) {
                values[key] = newValue == nil ? nil : .text("[redacted]")
            } else {
                values[key] = newValue?.auditValue
            }
        }
    }

    /// True when nothing was recorded.
    public var isEmpty: Bool { values.isEmpty }

    /// Canonical JSON: keys sorted, no whitespace, so the same details always hash the same.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(values) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
