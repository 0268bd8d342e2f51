import Crypto
import SwitchboardBase
import Foundation

/// One recorded administrative action, as stored in `audit_event` and exported.
public struct AuditEvent: Sendable, Equatable, Codable {
    /// Position in the chain, from 1, without gaps.
    public var seq: Int64
    /// UTC time, ISO 8601 with milliseconds.
    public var time: String
    /// The directory login acting (`root` acting with `--as` records the person here).
    public var actor: String
    /// The operating-system login that ran the command.
    public var osUser: String
    /// The actor's role at the time, or `none` for an unknown actor.
    public var role: String
    /// The tool: `dirctl`, `mailctl`, `meetctl`, `healthd`.
    public var tool: String
    /// The host name.
    public var host: String
    /// The action, such as `person.add`.
    public var action: String
    /// What was acted on, such as `person:nguyenvan`.
    public var target: String
    /// `ok`, `denied` or `failed`.
    public var outcome: String
    /// Redacted details as canonical JSON.
    public var details: String
    /// The previous event's hash (64 zeros for the first event).
    public var prevHash: String
    /// SHA-256 over the domain tag, `seq`, `prevHash` and every field.
    public var hash: String

    enum CodingKeys: String, CodingKey {
        case seq, time, actor, osUser = "os_user", role, tool, host, action, target, outcome, details
        case prevHash = "prev_hash", hash
    }

    /// The `prevHash` of the first event.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Computes the hash this event must carry from its fields and `prevHash`.
    public func computedHash() -> String {
        Self.hash(fields: [String(seq), time, actor, osUser, role, tool, host, action, target, outcome, details, prevHash])
    }

    /// SHA-256 of a domain-separation tag and length-prefixed fields, as lower-case hex.
    static func hash<S: Sequence>(fields: S) -> String where S.Element == String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(512)
        buffer.append(contentsOf: "switchboard.audit.v1".utf8)
        buffer.append(0)
        for field in fields {
            let bytes = field.utf8
            let length = UInt32(bytes.count)
            buffer.append(UInt8(truncatingIfNeeded: length >> 24))
            buffer.append(UInt8(truncatingIfNeeded: length >> 16))
            buffer.append(UInt8(truncatingIfNeeded: length >> 8))
            buffer.append(UInt8(truncatingIfNeeded: length))
            buffer.append(contentsOf: bytes)
        }
        return Hex.encode(SHA256.hash(data: buffer))
    }
}

/// Lower-case hexadecimal.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// SHA-256 of bytes, for fingerprints recorded in audit details.
enum SHA256Digest {
    static func of(_ data: some DataProtocol) -> [UInt8] {
        Array(SHA256.hash(data: data))
    }
}
