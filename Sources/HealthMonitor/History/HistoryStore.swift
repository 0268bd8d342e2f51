public import Foundation
import GRDB
import SwitchboardBase
import SwitchboardCore

/// The probe history: every result for a few days, hourly and daily rollups for longer, and the
/// time-weighted SLA over any window (see ``sla(service:from:to:now:)``).
///
/// Its own SQLite file (`health.history_file`), never the directory database: probe churn stays
/// out of the directory's WAL, its backups and the mail servers' lookups. Opened as a GRDB
/// `DatabasePool` in WAL mode (the HTTP side reads while the scheduler writes) with
/// `synchronous = NORMAL`: a power cut may lose the last probe results committed before it (a
/// few seconds of history that the next probes replace), never the file's consistency, and it
/// spares one fsync per batch of results that `FULL` would cost every few seconds. GRDB's own
/// WAL set-up (which creates and drops a table when the `-wal` file is missing) is harmless here:
/// no mail server holds prepared statements on this file.
public final class HistoryStore: Sendable {
    /// The file.
    public let path: String
    /// What is kept (normalized: each tier at least as long as the finer one).
    public let retention: Retention
    let pool: DatabasePool

    static let hourMs: Int64 = 3_600_000
    static let dayMs: Int64 = 86_400_000

    /// Opens (creating when missing, with its folder) the history file and brings its schema up to date.
    ///
    /// A file this user may not write, a folder that cannot be created, a damaged file: a
    /// ``HistoryError`` naming the file and what to try, never a crash.
    public convenience init(path: String, retention: Retention, busyTimeoutMilliseconds: Int = 5_000) throws {
        try self.init(path: path, retention: retention, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: false)
    }

    /// Opens the file for reading only (`healthd report`, `healthd status --recorded`): it is
    /// never created nor changed, so a reader (a set-gid tool run by anyone) can never make
    /// the file, and own it, before the daemon does.
    public static func reading(path: String, retention: Retention) throws -> HistoryStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw HistoryError(.unusable, path: path, problem: "does not exist yet: `healthd serve` makes it at its first start")
        }
        return try HistoryStore(path: path, retention: retention, busyTimeoutMilliseconds: 5_000, readOnly: true)
    }

    private init(path: String, retention: Retention, busyTimeoutMilliseconds: Int, readOnly: Bool) throws {
        self.path = path
        self.retention = retention.normalized
        if readOnly {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(TimeInterval(busyTimeoutMilliseconds) / 1000)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA trusted_schema = OFF")
            }
            do {
                pool = try DatabasePool(path: path, configuration: configuration)
            } catch {
                throw Self.translate(error, path: path, doing: "cannot be read")
            }
            return
        }
        let fileManager = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !fileManager.fileExists(atPath: folder) {
            do {
                try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw HistoryError(.readOnly, path: path, problem: "its folder cannot be created (\(error.localizedDescription)): create \(folder) writable by the daemon's user, or set health.history_file")
            }
        }
        if fileManager.fileExists(atPath: path), faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0 {
            let reason = errno == EROFS ? "the file system is read-only" : "this user may not write it"
            throw HistoryError(.readOnly, path: path, problem: "cannot be written (\(reason)): give the daemon's user write access to the file and its folder, or set health.history_file")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(busyTimeoutMilliseconds) / 1000)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA trusted_schema = OFF")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // The WAL is cut back to 4 MB after each checkpoint that resets it: without the limit it
            // keeps the high-water mark of the largest burst (a prune) on disk for good.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 4194304") }
            try HistorySchema.migrator.migrate(pool)
        } catch {
            throw Self.translate(error, path: path, doing: "cannot be opened")
        }
    }

    // MARK: - Writing

    /// Records results in one transaction: results in any order across services, in time order
    /// per service (a result at or before one already recorded for its service is refused,
    /// ``HistoryError/Code/outOfOrder``, and nothing of the batch is written).
    ///
    /// Each result closes its service's previous span (the previous result's state from its
    /// start until this one, at most its `maxSpanSeconds`), which is added to the hourly and
    /// daily rollups split exactly at hour and day boundaries.
    public func record(_ entries: [HistoryEntry]) throws {
        guard !entries.isEmpty else { return }
        try write("cannot record \(entries.count) results") { db in
            var ids: [String: Int64] = [:]
            var last: [Int64: OpenSpan] = [:]
            var rollups = RollupBatch()
            let insert = try db.cachedStatement(sql: """
                INSERT INTO raw (service, at, state, outcome, duration_ms, span_ms, detail, http_status, cert_expiry, phases)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let lookup = try db.cachedStatement(sql: "SELECT id, last_at, last_state, last_span_ms FROM service WHERE name = ?")
            let update = try db.cachedStatement(sql: """
                UPDATE service SET last_at = ?, last_state = ?, last_outcome = ?, last_duration_ms = ?, last_span_ms = ?, last_detail = ?,
                                   last_http_status = ?, last_cert_expiry = ?, last_phases = ?
                WHERE id = ?
                """)
            for entry in entries {
                let result = entry.result
                let id: Int64
                if let known = ids[result.service] {
                    id = known
                } else {
                    if let row = try Row.fetchOne(lookup, arguments: [result.service]) {
                        id = row["id"]
                        if let at: Int64 = row["last_at"], let code: Int = row["last_state"], let state = SampleState(code: code) {
                            last[id] = OpenSpan(at: at, state: state, spanMs: row["last_span_ms"] ?? 0)
                        }
                    } else {
                        try db.execute(sql: "INSERT INTO service (name) VALUES (?)", arguments: [result.service])
                        id = db.lastInsertedRowID
                    }
                    ids[result.service] = id
                }
                let at = Self.milliseconds(result.at)
                let spanMs = max(0, Int64((entry.maxSpanSeconds * 1000).rounded()))
                let durationMs = max(0, Int64((result.durationSeconds * 1000).rounded()))
                if let previous = last[id] {
                    guard at > previous.at else {
                        throw HistoryError(.outOfOrder, path: path, problem: "a result of \(result.service) at \(Timestamp.format(result.at)) is not after the one recorded at \(Timestamp.format(Self.date(previous.at))): results of one service must be recorded in time order; nothing of this batch was recorded")
                    }
                    rollups.addSpan(service: id, from: previous.at, to: min(at, previous.at + previous.spanMs), state: previous.state)
                }
                rollups.addProbe(service: id, at: at, outcome: result.outcome, durationMs: durationMs)
                last[id] = OpenSpan(at: at, state: entry.state, spanMs: spanMs)
                let phases = PhaseCoding.encode(result.phases).map { Data($0) }
                let expiry = result.certificateExpiry.map { Int64($0.timeIntervalSince1970.rounded()) }
                let arguments: StatementArguments = [id, at, entry.state.code, Self.outcomeCode(result.outcome), durationMs, spanMs, result.detail,
                                                     result.httpStatus, expiry, phases]
                try insert.execute(arguments: arguments)
                try update.execute(arguments: [at, entry.state.code, Self.outcomeCode(result.outcome), durationMs, spanMs, result.detail,
                                               result.httpStatus, expiry, phases, id])
            }
            try rollups.write(to: db)
        }
    }

    /// Applies the retention relative to `now`: raw results before `now - rawDays` (whole hours),
    /// hourly rollups before `now - hourlyDays` (whole hours), daily rollups before
    /// `now - dailyDays` (whole UTC days) are deleted, and the cutoffs recorded so SLA queries
    /// know which tier covers which time. Deletes run per service range in transactions of
    /// bounded size, so the scheduler's writes are never held long; the freed pages are reused by
    /// later results (the file stops growing once the retention is reached).
    public func prune(now: Date) throws {
        let nowMs = Self.milliseconds(now)
        let rawFrom = Self.floor(nowMs - Int64(retention.rawDays) * Self.dayMs, Self.hourMs)
        let hourlyFrom = Self.floor(nowMs - Int64(retention.hourlyDays) * Self.dayMs, Self.hourMs)
        let dailyFrom = Self.floor(nowMs - Int64(retention.dailyDays) * Self.dayMs, Self.dayMs)
        let services = try read("cannot read its services") { db in try Int64.fetchAll(db, sql: "SELECT id FROM service ORDER BY id") }
        let chunk = 50
        var start = 0
        repeat {
            let ids = services[start..<min(start + chunk, services.count)]
            try write("cannot apply the retention") { db in
                for id in ids {
                    try db.execute(sql: "DELETE FROM raw WHERE service = ? AND at < ?", arguments: [id, rawFrom])
                    try db.execute(sql: "DELETE FROM hourly WHERE service = ? AND hour < ?", arguments: [id, hourlyFrom / Self.hourMs])
                    try db.execute(sql: "DELETE FROM daily WHERE service = ? AND day < ?", arguments: [id, dailyFrom / Self.dayMs])
                }
            }
            start += chunk
        } while start < services.count
        try write("cannot record the retention cutoffs") { db in
            for (key, value) in [("raw_from", rawFrom), ("hourly_from", hourlyFrom), ("daily_from", dailyFrom)] {
                try db.execute(sql: """
                    INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
                    """, arguments: [key, value])
            }
        }
    }

    /// Readiness: a real write (a row in `meta`, committed), so a full disk or a file made
    /// read-only since start is seen.
    public func checkWritable() throws {
        try write("cannot be written") { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('write_check', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [Self.milliseconds(Date())])
        }
    }

    // MARK: - Reading

    /// Results of one service in `[from, to)`, newest first, at most `limit`. Raw results are
    /// kept `rawDays`: older windows return nothing.
    public func results(service: String, from: Date, to: Date, limit: Int) throws -> [ProbeResult] {
        try read("cannot read the results of \(service)") { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM service WHERE name = ?", arguments: [service]) else { return [] }
            let rows = try Row.fetchAll(db, sql: """
                SELECT at, outcome, duration_ms, detail, http_status, cert_expiry, phases FROM raw
                WHERE service = ? AND at >= ? AND at < ? ORDER BY at DESC LIMIT ?
                """, arguments: [id, Self.milliseconds(from), Self.milliseconds(to), max(0, limit)])
            return rows.map { row in
                Self.result(service: service, at: row["at"], outcome: row["outcome"], durationMs: row["duration_ms"], detail: row["detail"],
                            httpStatus: row["http_status"], expiry: row["cert_expiry"], phases: row["phases"])
            }
        }
    }

    /// The last recorded result of every service, by name (kept whatever the retention: the
    /// daemon restores its state from it after a restart).
    public func lastResults() throws -> [String: ProbeResult] {
        try read("cannot read the last results") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT name, last_at, last_outcome, last_duration_ms, last_detail, last_http_status, last_cert_expiry, last_phases
                FROM service WHERE last_at IS NOT NULL
                """)
            var results: [String: ProbeResult] = [:]
            for row in rows {
                let name: String = row["name"]
                results[name] = Self.result(service: name, at: row["last_at"], outcome: row["last_outcome"], durationMs: row["last_duration_ms"],
                                            detail: row["last_detail"] ?? "", httpStatus: row["last_http_status"], expiry: row["last_cert_expiry"],
                                            phases: row["last_phases"])
            }
            return results
        }
    }

    // MARK: - Helpers

    struct OpenSpan {
        var at: Int64
        var state: SampleState
        var spanMs: Int64
    }

    static func result(service: String, at: Int64, outcome: Int?, durationMs: Int64?, detail: String, httpStatus: Int?, expiry: Int64?,
                       phases: Data?) -> ProbeResult {
        ProbeResult(service: service, at: date(at), outcome: Self.outcome(code: outcome ?? 2), durationSeconds: Double(durationMs ?? 0) / 1000,
                    detail: detail, httpStatus: httpStatus, certificateExpiry: expiry.map { Date(timeIntervalSince1970: Double($0)) },
                    phases: PhaseCoding.decode(phases.map { Array($0) }))
    }

    static func outcomeCode(_ outcome: ProbeOutcome) -> Int {
        switch outcome {
        case .up: 0
        case .degraded: 1
        case .down: 2
        }
    }

    static func outcome(code: Int) -> ProbeOutcome {
        switch code {
        case 0: .up
        case 1: .degraded
        default: .down
        }
    }

    /// Milliseconds since 1970, rounded to the nearest (instants built from seconds stay whole).
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// `value` rounded down to a multiple of `unit` (also for times before 1970).
    static func floor(_ value: Int64, _ unit: Int64) -> Int64 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: unit)
        return (remainder < 0 ? quotient - 1 : quotient) * unit
    }

    func write<T>(_ doing: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as HistoryError {
            throw error
        } catch {
            throw Self.translate(error, path: path, doing: doing)
        }
    }

    func read<T>(_ doing: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as HistoryError {
            throw error
        } catch {
            throw Self.translate(error, path: path, doing: doing)
        }
    }

    /// SQLite's error as a ``HistoryError`` saying what to try.
    static func translate(_ error: any Error, path: String, doing: String) -> HistoryError {
        guard let error = error as? DatabaseError else {
            return HistoryError(.unusable, path: path, problem: "\(doing): \(error)")
        }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_FULL:
            return HistoryError(.full, path: path, problem: "\(doing): the disk is full (\(message)); free space on its file system, or lower health.retention")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN, .SQLITE_AUTH:
            return HistoryError(.readOnly, path: path, problem: "\(doing): it cannot be written (\(message)); give the daemon's user write access to the file and its folder, or set health.history_file")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return HistoryError(.busy, path: path, problem: "\(doing): another process holds its write lock (\(message)); is a second healthd using the same history_file?")
        case .SQLITE_IOERR:
            return HistoryError(.unusable, path: path, problem: "\(doing): input/output error (\(message)); check the disk (dmesg) and free space")
        default:
            return HistoryError(.unusable, path: path, problem: "\(doing): \(message); if the file is damaged, move it aside: healthd starts a new history")
        }
    }
}
