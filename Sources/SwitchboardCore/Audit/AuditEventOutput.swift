import Foundation

/// An audit event as `dirctl audit log --json` prints it: `details` as a JSON object, not the
/// stored string (the JSON Lines export keeps the string, which is what the hash covers).
public struct AuditEventOutput: Sendable, Encodable {
    /// The event.
    public var event: AuditEvent

    /// The event to print.
    public init(_ event: AuditEvent) {
        self.event = event
    }

    enum CodingKeys: String, CodingKey {
        case seq, time, actor, osUser = "os_user", role, tool, host, action, target, outcome, details
        case prevHash = "prev_hash", hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event.seq, forKey: .seq)
        try container.encode(event.time, forKey: .time)
        try container.encode(event.actor, forKey: .actor)
        try container.encode(event.osUser, forKey: .osUser)
        try container.encode(event.role, forKey: .role)
        try container.encode(event.tool, forKey: .tool)
        try container.encode(event.host, forKey: .host)
        try container.encode(event.action, forKey: .action)
        try container.encode(event.target, forKey: .target)
        try container.encode(event.outcome, forKey: .outcome)
        // A row whose details are not JSON (only a tampered one) is shown as stored.
        if let object = try? JSONDecoder().decode(JSONValue.self, from: Data(event.details.utf8)) {
            try container.encode(object, forKey: .details)
        } else {
            try container.encode(event.details, forKey: .details)
        }
        try container.encode(event.prevHash, forKey: .prevHash)
        try container.encode(event.hash, forKey: .hash)
    }
}

/// Any JSON value, read back from stored JSON text to be printed as structure.
enum JSONValue: Sendable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .integer(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }
}
