import GRDB

/// One hourly or daily rollup: milliseconds of closed spans per state, and the probes started in it.
struct Rollup: Equatable {
    var upMs: Int64 = 0
    var degradedMs: Int64 = 0
    var downMs: Int64 = 0
    var maintenanceMs: Int64 = 0
    var probes: Int64 = 0
    var failures: Int64 = 0
    var durationSumMs: Int64 = 0
    var durationMinMs: Int64?
    var durationMaxMs: Int64?

    var totalMs: Int64 { upMs + degradedMs + downMs + maintenanceMs }

    subscript(state: SampleState) -> Int64 {
        get {
            switch state {
            case .up: upMs
            case .degraded: degradedMs
            case .down: downMs
            case .maintenance: maintenanceMs
            }
        }
        set {
            switch state {
            case .up: upMs = newValue
            case .degraded: degradedMs = newValue
            case .down: downMs = newValue
            case .maintenance: maintenanceMs = newValue
            }
        }
    }

    init() {}

    init(row: Row) {
        upMs = row["up_ms"]
        degradedMs = row["degraded_ms"]
        downMs = row["down_ms"]
        maintenanceMs = row["maintenance_ms"]
        probes = row["probes"]
        failures = row["failures"]
        durationSumMs = row["duration_sum_ms"]
        durationMinMs = row["duration_min_ms"]
        durationMaxMs = row["duration_max_ms"]
    }

    static let columns = "up_ms, degraded_ms, down_ms, maintenance_ms, probes, failures, duration_sum_ms, duration_min_ms, duration_max_ms"
}

/// The rollup changes of one batch of results, gathered in memory and written once per
/// (service, hour) and (service, day).
struct RollupBatch {
    private var hours: [Key: Rollup] = [:]
    private var days: [Key: Rollup] = [:]

    struct Key: Hashable {
        var service: Int64
        var unit: Int64
    }

    /// Adds `[from, to)` in `state`, split at hour and UTC-day boundaries.
    mutating func addSpan(service: Int64, from: Int64, to: Int64, state: SampleState) {
        guard to > from else { return }
        var start = from
        while start < to {
            let hour = HistoryStore.floor(start, HistoryStore.hourMs)
            let end = min(to, hour + HistoryStore.hourMs)
            hours[Key(service: service, unit: hour / HistoryStore.hourMs), default: Rollup()][state] += end - start
            start = end
        }
        start = from
        while start < to {
            let day = HistoryStore.floor(start, HistoryStore.dayMs)
            let end = min(to, day + HistoryStore.dayMs)
            days[Key(service: service, unit: day / HistoryStore.dayMs), default: Rollup()][state] += end - start
            start = end
        }
    }

    /// Counts a probe started at `at` in its hour and day.
    mutating func addProbe(service: Int64, at: Int64, outcome: ProbeOutcome, durationMs: Int64) {
        func count(_ rollup: inout Rollup) {
            rollup.probes += 1
            if outcome != .up { rollup.failures += 1 }
            rollup.durationSumMs += durationMs
            rollup.durationMinMs = min(rollup.durationMinMs ?? durationMs, durationMs)
            rollup.durationMaxMs = max(rollup.durationMaxMs ?? durationMs, durationMs)
        }
        count(&hours[Key(service: service, unit: HistoryStore.floor(at, HistoryStore.hourMs) / HistoryStore.hourMs), default: Rollup()])
        count(&days[Key(service: service, unit: HistoryStore.floor(at, HistoryStore.dayMs) / HistoryStore.dayMs), default: Rollup()])
    }

    func write(to db: Database) throws {
        for (table, unit, rows) in [("hourly", "hour", hours), ("daily", "day", days)] {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO \(table) (service, \(unit), \(Rollup.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (service, \(unit)) DO UPDATE SET
                    up_ms = up_ms + excluded.up_ms, degraded_ms = degraded_ms + excluded.degraded_ms,
                    down_ms = down_ms + excluded.down_ms, maintenance_ms = maintenance_ms + excluded.maintenance_ms,
                    probes = probes + excluded.probes, failures = failures + excluded.failures,
                    duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
                    duration_min_ms = coalesce(min(duration_min_ms, excluded.duration_min_ms), duration_min_ms, excluded.duration_min_ms),
                    duration_max_ms = coalesce(max(duration_max_ms, excluded.duration_max_ms), duration_max_ms, excluded.duration_max_ms)
                """)
            for (key, rollup) in rows {
                try statement.execute(arguments: [key.service, key.unit, rollup.upMs, rollup.degradedMs, rollup.downMs, rollup.maintenanceMs,
                                                  rollup.probes, rollup.failures, rollup.durationSumMs, rollup.durationMinMs, rollup.durationMaxMs])
            }
        }
    }
}
