public import Foundation
import GRDB

extension HistoryStore {
    /// Time-weighted availability of one service over `[from, to)`.
    ///
    /// A result's state holds from its start until the next result of its service, at most its
    /// `maxSpanSeconds`; beyond that, and after the last result's span (which runs until `now`,
    /// under the same cap), the time is unknown, as is the part of the window after `now`.
    /// Maintenance time is counted apart and, like unknown time, left out of ``SLAFigure/ratio``.
    ///
    /// Which data answers which part of the window:
    /// - whole hours whose hourly rollup is kept: the rollup (exact: spans are split at hour
    ///   boundaries when they are recorded);
    /// - a partial hour at a ragged edge: the raw results of that hour where they are kept, with
    ///   the span carried in from the previous hour taken from the hourly rollup (exact);
    /// - a partial hour whose raw results are gone: the hourly rollup prorated by the part of the
    ///   hour in the window;
    /// - time before the hourly retention: the daily rollups (UTC days; the part of a day still
    ///   covered by hourly rollups is subtracted), prorated by the part of the day in the window
    ///   only where the window starts or ends inside such a day;
    /// - time before the daily retention: unknown.
    /// An unknown service gives a figure whose whole window is unknown.
    public func sla(service: String, from: Date, to: Date, now: Date) throws -> SLAFigure {
        try read("cannot compute the SLA of \(service)") { db in
            let fromMs = Self.milliseconds(from), toMs = Self.milliseconds(to)
            guard toMs > fromMs, let calculator = try SLACalculator(service: service, from: fromMs, to: toMs, in: db) else {
                return SLAFigure(service: service, from: from, to: to, unknownSeconds: max(0, to.timeIntervalSince(from)))
            }
            return try calculator.figure(from: fromMs, to: toMs, now: Self.milliseconds(now), in: db).figure(service: service, from: from, to: to)
        }
    }

    /// The last `days` local days (today included, oldest first) of each service, in `timeZone`:
    /// each day's figure runs from local midnight to the next (today's until `now`), with the
    /// same data choice as ``sla(service:from:to:now:)`` (hourly rollups where kept, else daily
    /// rollups prorated over the UTC days a local day overlaps).
    public func uptimeDays(services: [String], days: Int, now: Date, timeZone: String) throws -> [String: [DayUptime]] {
        var calendar = Calendar(identifier: .gregorian)
        guard let zone = TimeZone(identifier: timeZone) else {
            throw HistoryError(.unusable, path: path, problem: "unknown time zone \"\(timeZone)\" for the uptime days: use an IANA name such as Asia/Ho_Chi_Minh (health.time_zone)")
        }
        calendar.timeZone = zone
        let today = calendar.startOfDay(for: now)
        var bounds: [(day: String, start: Date, end: Date)] = []
        for back in stride(from: max(0, days) - 1, through: 0, by: -1) {
            guard let start = calendar.date(byAdding: .day, value: -back, to: today),
                  let next = calendar.date(byAdding: .day, value: 1, to: start) else { continue }
            let parts = calendar.dateComponents([.year, .month, .day], from: start)
            let label = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            bounds.append((label, start, back == 0 ? max(start, min(next, now)) : next))
        }
        var result: [String: [DayUptime]] = [:]
        for service in services {
            let figures = try figures(service: service, windows: bounds.map { ($0.start, $0.end) }, now: now)
            result[service] = zip(bounds, figures).map { DayUptime(day: $0.day, sla: $1) }
        }
        return result
    }

    /// The SLA of one service over several windows (a month's days, say), reading the rollups
    /// of their whole range once; each figure as ``sla(service:from:to:now:)`` gives it.
    public func figures(service: String, windows: [(from: Date, to: Date)], now: Date) throws -> [SLAFigure] {
        guard let first = windows.map({ Self.milliseconds($0.from) }).min(), let last = windows.map({ Self.milliseconds($0.to) }).max() else { return [] }
        let nowMs = Self.milliseconds(now)
        return try read("cannot compute the SLA of \(service)") { db in
            let calculator = last > first ? try SLACalculator(service: service, from: first, to: last, in: db) : nil
            return try windows.map { window in
                let fromMs = Self.milliseconds(window.from), toMs = Self.milliseconds(window.to)
                guard let calculator, toMs > fromMs else {
                    return SLAFigure(service: service, from: window.from, to: window.to, unknownSeconds: max(0, window.to.timeIntervalSince(window.from)))
                }
                return try calculator.figure(from: fromMs, to: toMs, now: nowMs, in: db).figure(service: service, from: window.from, to: window.to)
            }
        }
    }
}

/// Milliseconds per state over one window (fractions only where a rollup was prorated).
struct StateSums {
    var ms: [Double] = [0, 0, 0, 0]
    var windowMs: Int64

    mutating func add(_ state: SampleState, _ value: Double) { ms[state.code] += value }

    mutating func add(_ rollup: Rollup, fraction: Double = 1) {
        for state in SampleState.allCases where rollup[state] != 0 {
            ms[state.code] += fraction == 1 ? Double(rollup[state]) : Double(rollup[state]) * fraction
        }
    }

    func figure(service: String, from: Date, to: Date) -> SLAFigure {
        let known = ms.reduce(0, +)
        return SLAFigure(service: service, from: from, to: to, upSeconds: ms[0] / 1000, degradedSeconds: ms[1] / 1000, downSeconds: ms[2] / 1000,
                         maintenanceSeconds: ms[3] / 1000, unknownSeconds: max(0, Double(windowMs) - known) / 1000)
    }
}

/// The SLA of one service over sub-windows of a range, from the rollups loaded once for the
/// range and the raw results of the edge hours (loaded when needed).
final class SLACalculator {
    let id: Int64
    let rawFrom: Int64
    let hourlyFrom: Int64
    let dailyFrom: Int64
    let last: HistoryStore.OpenSpan?
    var hourly: [Int64: Rollup] = [:]
    var daily: [Int64: Rollup] = [:]
    var rawHours: [Int64: [HistoryStore.OpenSpan]] = [:]

    /// Loads what `[from, to)` needs; nil for a service never recorded.
    init?(service: String, from: Int64, to: Int64, in db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, last_at, last_state, last_span_ms FROM service WHERE name = ?", arguments: [service]) else {
            return nil
        }
        id = row["id"]
        if let at: Int64 = row["last_at"], let code: Int = row["last_state"], let state = SampleState(code: code) {
            last = HistoryStore.OpenSpan(at: at, state: state, spanMs: row["last_span_ms"] ?? 0)
        } else {
            last = nil
        }
        let cutoffs = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, value FROM meta").map { row -> (String, Int64) in
            (row["key"], row["value"])
        })
        rawFrom = cutoffs["raw_from"] ?? Int64.min
        hourlyFrom = cutoffs["hourly_from"] ?? Int64.min
        dailyFrom = cutoffs["daily_from"] ?? Int64.min
        let firstDay = HistoryStore.floor(from, HistoryStore.dayMs), endDay = HistoryStore.floor(to - 1, HistoryStore.dayMs) + HistoryStore.dayMs
        for row in try Row.fetchAll(db, sql: "SELECT hour, \(Rollup.columns) FROM hourly WHERE service = ? AND hour >= ? AND hour < ?",
                                    arguments: [id, firstDay / HistoryStore.hourMs, endDay / HistoryStore.hourMs]) {
            hourly[row["hour"]] = Rollup(row: row)
        }
        if hourlyFrom > from {
            for row in try Row.fetchAll(db, sql: "SELECT day, \(Rollup.columns) FROM daily WHERE service = ? AND day >= ? AND day < ?",
                                        arguments: [id, firstDay / HistoryStore.dayMs, endDay / HistoryStore.dayMs]) {
                daily[row["day"]] = Rollup(row: row)
            }
        }
    }

    /// Milliseconds per state over `[from, to)` (within the loaded range).
    func figure(from: Int64, to: Int64, now: Int64, in db: Database) throws -> StateSums {
        let hour = HistoryStore.hourMs, day = HistoryStore.dayMs
        var sums = StateSums(windowMs: to - from)
        var start = from
        while start < to {
            if start < hourlyFrom {
                // Daily tier: the day's rollup less the hours of it that hourly rollups still cover.
                let dayStart = HistoryStore.floor(start, day)
                let tierEnd = min(dayStart + day, hourlyFrom)
                let end = min(tierEnd, to)
                if dayStart >= dailyFrom, var residual = daily[dayStart / day] {
                    if hourlyFrom < dayStart + day {
                        for hourNumber in (hourlyFrom / hour)..<((dayStart + day) / hour) {
                            guard let covered = hourly[hourNumber] else { continue }
                            for state in SampleState.allCases { residual[state] -= covered[state] }
                        }
                    }
                    sums.add(residual, fraction: start == dayStart && end == tierEnd ? 1 : Double(end - start) / Double(tierEnd - dayStart))
                }
                start = end
            } else {
                let hourStart = HistoryStore.floor(start, hour)
                let end = min(hourStart + hour, to)
                let rollup = hourly[hourStart / hour] ?? Rollup()
                if start == hourStart, end == hourStart + hour {
                    sums.add(rollup)
                } else if hourStart >= rawFrom {
                    try addEdge(hour: hourStart, from: start, to: end, rollup: rollup, into: &sums, db: db)
                } else {
                    sums.add(rollup, fraction: Double(end - start) / Double(hour))
                }
                start = end
            }
        }
        // The last result's span is in no rollup until the next result closes it.
        if let last {
            let end = min(last.at + last.spanMs, now)
            sums.add(last.state, Double(Self.overlap(last.at, end, from, to)))
        }
        return sums
    }

    /// The closed spans of `[from, to)` inside one hour whose raw results are kept: the spans of
    /// the results started in the hour, and the span carried in from before the hour (its length
    /// and state are what the hourly rollup holds beyond the hour's own results).
    private func addEdge(hour hourStart: Int64, from: Int64, to: Int64, rollup: Rollup, into sums: inout StateSums, db: Database) throws {
        let hourEnd = hourStart + HistoryStore.hourMs
        let rows: [HistoryStore.OpenSpan]
        if let cached = rawHours[hourStart] {
            rows = cached
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT at, state, span_ms FROM raw WHERE service = ? AND at >= ? AND at < ? ORDER BY at",
                                    arguments: [id, hourStart, hourEnd]).compactMap { row in
                SampleState(code: row["state"]).map { HistoryStore.OpenSpan(at: row["at"], state: $0, spanMs: row["span_ms"]) }
            }
            rawHours[hourStart] = rows
        }
        var own = Rollup()
        for (index, row) in rows.enumerated() where row.at != last?.at {
            let next = index + 1 < rows.count ? rows[index + 1].at : hourEnd
            let end = min(row.at + row.spanMs, next, hourEnd)
            guard end > row.at else { continue }
            own[row.state] += end - row.at
            sums.add(row.state, Double(Self.overlap(row.at, end, from, to)))
        }
        var cursor = hourStart
        for state in SampleState.allCases {
            let carried = rollup[state] - own[state]
            guard carried > 0 else { continue }
            sums.add(state, Double(Self.overlap(cursor, cursor + carried, from, to)))
            cursor += carried
        }
    }

    static func overlap(_ start: Int64, _ end: Int64, _ from: Int64, _ to: Int64) -> Int64 {
        max(0, min(end, to) - max(start, from))
    }
}
