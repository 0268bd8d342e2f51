public import Foundation
import GRDB
import SwitchboardBase
public import SwitchboardCore

/// What operators do about service health, each an audited change in the directory database:
/// planning and ending maintenance windows (`health.maintenance`, table `health_maintenance`)
/// and acknowledging incidents (`health.ack`).
///
/// Every change goes through ``Session/perform(_:target:dryRun:_:)`` (the change and its audit
/// event in one transaction); a refusal by the policy is audited by the session, and a request
/// refused as bad input is recorded as a `failed` event with the reason before it is thrown.
public struct MaintenanceBook: Sendable {
    /// The operator's (or the API actor's) session.
    public let session: Session

    /// The book, acting as `session`.
    public init(session: Session) {
        self.session = session
    }

    /// Plans a window for `request.services` (`*`: all), refusing (badInput, audited) an unknown
    /// service, an end at or before the start or in the past, and an empty reason.
    ///
    /// - Parameters:
    ///   - known: the configured services' names.
    ///   - origin: where the request came from (the API peer's address), recorded in the event.
    /// How far before now a start may be (clocks differ; "now" typed a moment ago).
    static let startSlackSeconds: Double = 120
    /// The longest reason (it is shown on the status page and in reports).
    static let reasonLimit = 300

    public func plan(_ request: MaintenanceRequest, known: Set<String>, origin: String?, now: Date) throws -> MaintenanceEntry {
        let services = request.services.map { $0.trimmingCharacters(in: .whitespaces) }
        let reason = IncidentLog.oneLine(request.reason)
        let target = "health:maintenance"
        try session.authorize(.healthMaintenance, target: target)
        var details = AuditDetails()
        details["services"] = services
        details["start"] = Timestamp.format(request.start)
        details["end"] = Timestamp.format(request.end)
        details["reason"] = reason
        if let origin { details["origin"] = origin }
        var problem: String?
        let unknown = services.filter { $0 != "*" && !known.contains($0) }
        if services.isEmpty {
            problem = "no service named: give one or more configured services, or * for all"
        } else if !unknown.isEmpty {
            problem = "unknown service\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")): give names from health.services (or * for all)"
        } else if request.end <= request.start {
            problem = "the window ends (\(Timestamp.format(request.end))) at or before it starts (\(Timestamp.format(request.start)))"
        } else if request.end <= now {
            problem = "the window ends in the past (\(Timestamp.format(request.end))): give an end after now"
        } else if request.start < now.addingTimeInterval(-Self.startSlackSeconds) {
            // Planned after the fact, a window would take recorded downtime out of the SLA.
            problem = "the window starts in the past (\(Timestamp.format(request.start))): maintenance is planned ahead, never back-dated (give a start from now on)"
        } else if reason.isEmpty {
            problem = "no reason given: say why (it is shown on the status page)"
        } else if reason.count > Self.reasonLimit {
            problem = "the reason is \(reason.count) characters long: say it in at most \(Self.reasonLimit)"
        }
        if let problem {
            details["error"] = problem
            try session.record(.healthMaintenance, target: target, outcome: .failed, details: details)
            throw HealthBookError(.badInput, "maintenance refused: \(problem)")
        }
        let stored = services.contains("*") ? ["*"] : services
        let json = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        let person = session.personID
        return try session.perform(.healthMaintenance, target: target) { db, event in
            event = details
            try db.execute(sql: """
                INSERT INTO health_maintenance (services, starts_at, ends_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [json, Timestamp.format(request.start), Timestamp.format(request.end), reason, person, Timestamp.format(now)])
            let id = db.lastInsertedRowID
            event["id"] = id
            return MaintenanceEntry(id: id, services: stored, start: IncidentLog.stored(request.start), end: IncidentLog.stored(request.end),
                                    reason: reason, createdBy: session.login)
        }
    }

    /// Ends a stored window now (its end moves to `now`; a window not yet started ends before it
    /// starts, so it never runs). A window that does not exist or has already ended is refused.
    public func end(id: Int64, now: Date) throws {
        let target = "health:maintenance:\(id)"
        try session.authorize(.healthMaintenance, target: target)
        let row = try session.database.read { db in
            try Row.fetchOne(db, sql: "SELECT starts_at, ends_at, ended_at FROM health_maintenance WHERE id = ?", arguments: [id])
        }
        let nowText = Timestamp.format(now)
        var problem: String?
        if row == nil {
            problem = "maintenance window #\(id) does not exist"
        } else if let row, (row["ended_at"] as String?) != nil || (row["ends_at"] as String) <= nowText {
            problem = "maintenance window #\(id) has already ended"
        }
        if let problem {
            var details = AuditDetails()
            details["id"] = id
            details["error"] = problem
            try session.record(.healthMaintenance, target: target, outcome: .failed, details: details)
            throw HealthBookError(.badInput, problem)
        }
        try session.perform(.healthMaintenance, target: target) { db, details in
            details["id"] = id
            details["ended_at"] = nowText
            // A window not started yet keeps its times (the table's check wants ends_at > starts_at)
            // and is cancelled by ended_at at or before its start.
            let started = try String.fetchOne(db, sql: "SELECT starts_at FROM health_maintenance WHERE id = ?", arguments: [id]).map { $0 < nowText } ?? false
            try db.execute(sql: "UPDATE health_maintenance SET ended_at = ?, ends_at = CASE WHEN ? > starts_at THEN ? ELSE ends_at END WHERE id = ?",
                           arguments: [nowText, nowText, nowText, id])
            if !started { details["cancelled"] = true }
        }
    }

    /// Acknowledges the open incident of `service` (reminders stop): who, when and the note.
    /// No open incident is refused (badInput, audited).
    public func acknowledge(service: String, note: String, now: Date) throws -> IncidentRecord {
        let target = "health:\(service)"
        try session.authorize(.healthAck, target: target)
        let note = IncidentLog.oneLine(note)
        let open = try session.database.read { db in
            try IncidentLog.fetch(db, where: "i.service = ? AND i.ended_at IS NULL", arguments: [service], order: "i.started_at").first
        }
        guard let open else {
            var details = AuditDetails()
            details["error"] = "no open incident"
            try session.record(.healthAck, target: target, outcome: .failed, details: details)
            throw HealthBookError(.badInput, "\(service) has no open incident to acknowledge")
        }
        let person = session.personID
        return try session.perform(.healthAck, target: target) { db, details in
            details["incident"] = open.id
            details["note"] = note
            details["started_at"] = Timestamp.format(open.startedAt)
            try db.execute(sql: "UPDATE health_incident SET acked_by = ?, acked_at = ?, ack_note = ? WHERE id = ?",
                           arguments: [person, Timestamp.format(now), note, open.id])
            var record = open
            record.ackedBy = session.login
            record.ackedAt = IncidentLog.stored(now)
            record.ackNote = note
            return record
        }
    }

    /// Stored windows active at `activeOrAfter` or later (not ended early), as `.once` windows with their id.
    public func stored(activeOrAfter: Date) throws -> [MaintenanceWindow] {
        try rows(where: "m.ends_at > ? AND (m.ended_at IS NULL OR m.ended_at > m.starts_at)", [Timestamp.format(activeOrAfter)]).map { entry in
            MaintenanceWindow(id: entry.id, services: entry.services, schedule: .once(start: entry.start, end: entry.end), reason: entry.reason)
        }
    }

    /// Stored windows overlapping `[from, to)`, with who planned them, oldest start first
    /// (a window cancelled before it started is left out).
    public func entries(from: Date, to: Date) throws -> [MaintenanceEntry] {
        try rows(where: "m.ends_at > ? AND m.starts_at < ? AND (m.ended_at IS NULL OR m.ended_at > m.starts_at)",
                 [Timestamp.format(from), Timestamp.format(to)])
    }

    private func rows(where condition: String, _ arguments: StatementArguments) throws -> [MaintenanceEntry] {
        try session.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.id, m.services, m.starts_at, m.ends_at, m.reason, p.login FROM health_maintenance m
                LEFT JOIN person p ON p.id = m.created_by WHERE \(condition) ORDER BY m.starts_at, m.id
                """, arguments: arguments).map { row in
                let services = (try? JSONDecoder().decode([String].self, from: Data((row["services"] as String).utf8))) ?? []
                return MaintenanceEntry(id: row["id"], services: services, start: Timestamp.parse(row["starts_at"]) ?? Date(timeIntervalSince1970: 0),
                                        end: Timestamp.parse(row["ends_at"]) ?? Date(timeIntervalSince1970: 0), reason: row["reason"],
                                        createdBy: row["login"])
            }
        }
    }
}
