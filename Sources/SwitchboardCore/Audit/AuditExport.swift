public import Foundation
import SwitchboardBase
public import GRDB

/// Exports of the audit log: JSON Lines (verifiable offline) and RFC 5424 syslog.
public enum AuditExport {
    /// The format tag on the first line of a JSON Lines export.
    public static let format = "switchboard-audit-export/v1"

    /// What a JSON Lines export holds.
    public struct Contents: Sendable {
        /// Events, in file order.
        public var events: [AuditEvent] = []
        /// Checkpoints carried by the export.
        public var checkpoints: [AuditCheckpoint] = []
        /// Lines that could not be read: (line number, problem).
        public var malformedLines: [(Int, String)] = []
        /// The time window of an export cut with `--since`/`--until` (UTC, as in its header):
        /// such a slice proves its own events' links, not what came before its first one.
        public var slice: (since: String?, until: String?)?
    }

    private struct Line: Codable {
        var type: String
        var format: String?
        var origin: String?
        var since: String?
        var until: String?
        var event: AuditEvent?
        var checkpoint: AuditCheckpoint?
    }

    /// Writes the events (those at or after `since` and before `until`, when given) and the
    /// checkpoints over them as JSON Lines to `output`, one object a line.
    public static func writeJSONLines(_ db: Database, origin: String, since: Date? = nil, until: Date? = nil, to output: (String) -> Void) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func emit(_ line: Line) throws { output(String(decoding: try encoder.encode(line), as: UTF8.self) + "\n") }
        let since = since.map(Timestamp.format), until = until.map(Timestamp.format)
        try emit(Line(type: "header", format: format, origin: origin, since: since, until: until))
        let rows = try Row.fetchCursor(db, sql: """
            SELECT * FROM audit_event WHERE (?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time < ?2) ORDER BY seq
            """, arguments: [since, until])
        var first: Int64?, last: Int64 = 0
        while let row = try rows.next() {
            let event = AuditEvent(row: row)
            if first == nil { first = event.seq }
            last = event.seq
            try emit(Line(type: "event", event: event))
        }
        let sliced = since != nil || until != nil
        for checkpoint in try AuditCheckpoint.all(db) where !sliced || (first.map { checkpoint.seq >= $0 } ?? false) && checkpoint.seq <= last {
            try emit(Line(type: "checkpoint", checkpoint: checkpoint))
        }
    }

    /// Reads a JSON Lines export; unreadable lines are reported, not skipped silently.
    public static func read(_ path: String) throws -> Contents {
        guard let data = try CallerIdentity.perform({ FileManager.default.contents(atPath: path) }) else {
            throw InputFileError(path: path, problem: "export file cannot be read (check the path)")
        }
        var contents = Contents()
        let decoder = JSONDecoder()
        var number = 0
        var sawHeader = false
        for slice in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if slice.isEmpty { continue }
            guard let line = try? decoder.decode(Line.self, from: Data(slice)) else {
                contents.malformedLines.append((number, "not a JSON object of this export format"))
                continue
            }
            switch line.type {
            case "header":
                sawHeader = line.format == format
                if line.since != nil || line.until != nil { contents.slice = (line.since, line.until) }
                if !sawHeader { contents.malformedLines.append((number, "unknown export format \(line.format ?? "none")")) }
            case "event":
                if let event = line.event { contents.events.append(event) } else { contents.malformedLines.append((number, "event line without an event")) }
            case "checkpoint":
                if let checkpoint = line.checkpoint { contents.checkpoints.append(checkpoint) } else { contents.malformedLines.append((number, "checkpoint line without a checkpoint")) }
            default:
                contents.malformedLines.append((number, "unknown line type \(line.type)"))
            }
        }
        if !sawHeader, contents.malformedLines.isEmpty {
            contents.malformedLines.append((1, "no \(format) header line"))
        }
        return contents
    }

    /// Formats one event as an RFC 5424 syslog line (facility log audit; warning for refusals).
    public static func syslogLine(_ event: AuditEvent, appName: String = "switchboard") -> String {
        let severity = event.outcome == AuditOutcome.ok.rawValue ? 6 : 4
        let priority = 13 * 8 + severity
        let parameters: [(String, String)] = [
            ("seq", String(event.seq)), ("actor", event.actor), ("osUser", event.osUser), ("role", event.role),
            ("tool", event.tool), ("action", event.action), ("target", event.target), ("outcome", event.outcome),
            ("hash", event.hash),
        ]
        let data = parameters.map { "\($0.0)=\"\(escapeParameter($0.1))\"" }.joined(separator: " ")
        let host = event.host.isEmpty ? "-" : String(event.host.filter { $0.isASCII && !$0.isWhitespace }.prefix(255))
        return "<\(priority)>1 \(event.time) \(host) \(appName) - \(event.action) [switchboard@32473 \(data)] \(escapeMessage(event.details))"
    }

    /// RFC 5424 section 6.3.3: `"`, `\` and `]` are escaped in parameter values; control characters encoded.
    static func escapeParameter(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"", "\\", "]": out += "\\" + String(scalar)
            default: out += encodeControl(scalar)
            }
        }
        return out
    }

    static func escapeMessage(_ value: String) -> String {
        value.unicodeScalars.map(encodeControl).joined()
    }

    private static func encodeControl(_ scalar: Unicode.Scalar) -> String {
        if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
            return String(format: "\\u%04X", scalar.value)
        }
        return String(scalar)
    }
}
