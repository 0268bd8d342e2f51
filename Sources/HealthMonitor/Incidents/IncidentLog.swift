public import Foundation
import GRDB
public import SwitchboardBase
public import SwitchboardCore

/// The daemon's incident bookkeeping in the directory database (`health_incident`, migration
/// v5-health): opened at a service's first failed probe, escalated, marked alerted or suppressed,
/// closed when resolved.
///
/// Not audited: these rows record what the monitor saw, not what an operator did (an operator's
/// acknowledgement goes through ``MaintenanceBook/acknowledge(service:note:now:)``). Each change is
/// one short IMMEDIATE transaction through ``Session/bookkeeping(_:target:_:)``, authorized as
/// `health.ack`: the daemon's actor (`health.api_actor`) must be a helpdesk or admin person.
public struct IncidentLog: Sendable {
    /// The daemon's session.
    public let session: Session

    /// The log, writing as `session`.
    public init(session: Session) {
        self.session = session
    }

    /// Opens an incident of `service` that started at its first failed probe.
    ///
    /// A service has at most one open incident: opening a second is refused (the daemon
    /// restores open incidents with ``openIncidents()`` after a restart).
    public func open(service: String, severity: ServiceState, startedAt: Date, cause: String) throws -> IncidentRecord {
        guard severity == .down || severity == .degraded else {
            throw HealthBookError(.badInput, "an incident of \(service) is down or degraded, not \(severity.rawValue)")
        }
        let line = Self.oneLine(cause)
        return try session.bookkeeping(.healthAck, target: "health:\(service)") { db in
            if let open = try Int64.fetchOne(db, sql: "SELECT id FROM health_incident WHERE service = ? AND ended_at IS NULL", arguments: [service]) {
                throw HealthBookError(.failed, "\(service) already has an open incident (#\(open)): close it before opening another")
            }
            try db.execute(sql: "INSERT INTO health_incident (service, severity, started_at, cause) VALUES (?, ?, ?, ?)",
                           arguments: [service, severity.rawValue, Timestamp.format(startedAt), line])
            return IncidentRecord(id: db.lastInsertedRowID, service: service, severity: severity, startedAt: Self.stored(startedAt), cause: line)
        }
    }

    /// Raises an open incident's severity (degraded to down within one incident).
    public func escalate(id: Int64, severity: ServiceState) throws {
        guard severity == .down || severity == .degraded else {
            throw HealthBookError(.badInput, "incident #\(id) can be down or degraded, not \(severity.rawValue)")
        }
        try change(id, "UPDATE health_incident SET severity = ? WHERE id = ?", [severity.rawValue, id])
    }

    /// Records when the first alert or digest of an incident went out (kept if already set).
    public func markAlerted(id: Int64, at: Date) throws {
        try change(id, "UPDATE health_incident SET alerted_at = coalesce(alerted_at, ?) WHERE id = ?", [Timestamp.format(at), id])
    }

    /// Records the parent service whose outage explains this incident (nil: none).
    public func setSuppressed(id: Int64, by parent: String?) throws {
        try change(id, "UPDATE health_incident SET suppressed_by = ? WHERE id = ?", [parent, id])
    }

    /// Closes an incident at the probe that resolved it.
    public func close(id: Int64, at: Date) throws {
        try change(id, "UPDATE health_incident SET ended_at = max(?, started_at) WHERE id = ? AND ended_at IS NULL", [Timestamp.format(at), id],
                   missing: "is not open")
    }

    /// Every open incident, oldest first.
    public func openIncidents() throws -> [IncidentRecord] {
        try session.database.read { db in try Self.fetch(db, where: "i.ended_at IS NULL", arguments: [], order: "i.started_at") }
    }

    /// The incidents open now or ended at or after `since`, newest start first.
    public func incidents(since: Date) throws -> [IncidentRecord] {
        try session.database.read { db in
            try Self.fetch(db, where: "i.ended_at IS NULL OR i.ended_at >= ?", arguments: [Timestamp.format(since)], order: "i.started_at DESC")
        }
    }

    private func change(_ id: Int64, _ sql: String, _ arguments: StatementArguments, missing: String = "does not exist") throws {
        try session.bookkeeping(.healthAck, target: "health:incident:\(id)") { db in
            try db.execute(sql: sql, arguments: arguments)
            if db.changesCount == 0 {
                throw HealthBookError(.badInput, "incident #\(id) \(missing)")
            }
        }
    }

    /// Incidents with their acknowledging person's login.
    static func fetch(_ db: Database, where condition: String, arguments: StatementArguments, order: String) throws -> [IncidentRecord] {
        try Row.fetchAll(db, sql: """
            SELECT i.*, p.login AS acked_login FROM health_incident i LEFT JOIN person p ON p.id = i.acked_by
            WHERE \(condition) ORDER BY \(order), i.id
            """, arguments: arguments).map(record(_:))
    }

    static func record(_ row: Row) -> IncidentRecord {
        let started: String = row["started_at"]
        return IncidentRecord(
            id: row["id"], service: row["service"], severity: ServiceState(rawValue: row["severity"]) ?? .down,
            startedAt: Timestamp.parse(started) ?? Date(timeIntervalSince1970: 0),
            endedAt: (row["ended_at"] as String?).flatMap(Timestamp.parse), cause: row["cause"], suppressedBy: row["suppressed_by"],
            alertedAt: (row["alerted_at"] as String?).flatMap(Timestamp.parse), ackedBy: row["acked_login"],
            ackedAt: (row["acked_at"] as String?).flatMap(Timestamp.parse), ackNote: row["ack_note"])
    }

    /// An instant as the database keeps it (milliseconds), so a returned record equals a re-read one.
    static func stored(_ date: Date) -> Date { Timestamp.parse(Timestamp.format(date)) ?? date }

    /// One line: control characters (a newline in a probe's detail) become spaces.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
            .trimmingCharacters(in: .whitespaces)
    }
}

/// A health change refused or impossible: bad input (unknown service, a window ending in the
/// past), an incident that is not open.
public struct HealthBookError: SwitchboardError {
    /// The kind of failure (badInput for what the caller can correct).
    public let category: ErrorCategory
    /// What was refused and what to do instead.
    public let description: String

    /// An error.
    public init(_ category: ErrorCategory, _ description: String) {
        self.category = category
        self.description = description
    }
}
