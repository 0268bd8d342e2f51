import Foundation
import GRDB
@testable import HealthMonitor
import Testing

/// 400 simulated days of 50 services (intervals of 40 to 80 minutes with jitter to the
/// millisecond, outages, degraded spells, maintenance, gaps of hours without results), pruned
/// every simulated day with the default retention: the file stays bounded, and the SLA over
/// windows in and across every tier equals a brute-force walk over the very same raw results.
@Suite struct RetentionTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    @Test func fourHundredDaysOfFiftyServicesStayBoundedAndMatchBruteForce() throws {
        let folder = try HistoryFolder()
        let store = try HistoryStore(path: folder.file, retention: .standard)
        let names = (0..<50).map { "svc-\($0)" }
        var random = SeededRandom(state: 20_261_105)
        let start: Int64 = 1_759_276_800_000  // 2025-10-01T00:00:00Z
        let days: Int64 = 400
        var samples = [[Sample]](repeating: [], count: names.count)
        var next = names.indices.map { _ in start + Int64.random(in: 0..<Self.hour, using: &random) }
        var state = [SampleState](repeating: .up, count: names.count)
        var sizeAt200 = 0
        for hourIndex in 0..<(days * 24) {
            let hourEnd = start + (hourIndex + 1) * Self.hour
            var batch: [HistoryEntry] = []
            for index in names.indices {
                let interval = Int64(40 + index % 41) * 60_000
                while next[index] < hourEnd {
                    if Int.random(in: 0..<1000, using: &random) < 3 {
                        // The daemon was stopped: hours without a result.
                        next[index] += Int64.random(in: 3...30, using: &random) * Self.hour + Int64.random(in: 0..<60_000, using: &random)
                        continue
                    }
                    if Int.random(in: 0..<100, using: &random) < 8 {
                        let roll = Int.random(in: 0..<100, using: &random)
                        state[index] = roll < 60 ? .up : roll < 75 ? .down : roll < 88 ? .degraded : .maintenance
                    }
                    let spanMs = 2 * interval + 10_000
                    batch.append(entry(names[index], next[index], state[index], spanMs: spanMs))
                    samples[index].append(Sample(at: next[index], state: state[index], spanMs: spanMs))
                    next[index] += interval + Int64.random(in: -30_000...30_000, using: &random)
                }
            }
            // Results of one batch in any order across services.
            batch.shuffle(using: &random)
            try store.record(Self.perServiceOrder(batch))
            if hourIndex % 24 == 23 {
                try store.prune(now: date(hourEnd))
                if hourIndex / 24 == 199 { sizeAt200 = try Self.checkpointedBytes(store, folder) }
            }
        }
        let now = start + days * Self.day + 16 * 60_000 + 123
        try store.prune(now: date(now))

        // Bounded: what the retention keeps, and a file of a few MB (unpruned it would be ~25 MB).
        let size = try Self.checkpointedBytes(store, folder)
        let (rawCount, oldestRaw, hourlyCount, dailyCount) = try store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM raw") ?? 0, try Int64.fetchOne(db, sql: "SELECT min(at) FROM raw") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM hourly") ?? 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM daily") ?? 0)
        }
        let total = samples.map(\.count).reduce(0, +)
        print("retention: \(total) results recorded; file \(size) bytes (\(sizeAt200) at day 200); raw \(rawCount), hourly \(hourlyCount), daily \(dailyCount)")
        #expect(total > 400_000)
        #expect(oldestRaw >= now - 3 * Self.day - Self.hour)
        #expect(rawCount <= 50 * 4 * 37)
        #expect(hourlyCount <= 50 * (35 * 24 + 1))
        #expect(dailyCount <= 50 * 401)
        #expect(size < 6_000_000, "the history file of 50 services over 400 days is \(size) bytes")
        #expect(size < sizeAt200 * 2, "the file grew from \(sizeAt200) bytes at day 200 to \(size): retention does not bound it")

        // Exact windows: edges on hour boundaries where only rollups are kept, ragged where raw is.
        let today = now / Self.day * Self.day
        let windows: [(String, Int64, Int64)] = [
            ("yesterday (raw)", today - Self.day, today),
            ("a day in the hourly tier", today - 10 * Self.day, today - 9 * Self.day),
            ("a day in the daily tier", today - 200 * Self.day, today - 199 * Self.day),
            ("30 days to a ragged end", (now - 30 * Self.day) / Self.hour * Self.hour, now - 17 * 60_000 - 3_500),
            ("both edges ragged in raw", now - 2 * Self.day - 5 * Self.hour - 17 * 60_000 - 3_250, now - Self.hour - 2 * 60_000 - 500),
            ("daily, hourly and raw tiers", (now - 380 * Self.day) / Self.day * Self.day, now - 2 * Self.hour - 7_750),
            ("daily tier only", today - 100 * Self.day, today - 50 * Self.day),
            ("hourly tier into raw", (now - 20 * Self.day) / Self.hour * Self.hour, (now - 2 * Self.day) / Self.hour * Self.hour + 23 * 60_000 + 11_000),
            ("past now", now - Self.hour, now + Self.hour),
            ("the whole history and before", start - Self.day, now),
        ]
        for (label, from, to) in windows {
            for (index, name) in names.enumerated() {
                let figure = try store.sla(service: name, from: date(from), to: date(to), now: date(now))
                let expected = expectedFigure(name, samples[index], from: from, to: to, now: now)
                #expect(figure == expected, "\(label), \(name)")
            }
        }

        // Local days in Ho Chi Minh City (midnight is 17:00 UTC): exact while hourly rollups are kept.
        let uptime = try store.uptimeDays(services: names, days: 90, now: date(now), timeZone: "Asia/Ho_Chi_Minh")
        for (index, name) in names.enumerated() {
            let bars = try #require(uptime[name])
            #expect(bars.count == 90)
            for bar in bars.suffix(30) {
                let expected = expectedFigure(name, samples[index], from: millis(bar.sla.from), to: millis(bar.sla.to), now: now)
                #expect(bar.sla == expected, "\(name) on \(bar.day)")
            }
        }
        #expect(uptime["svc-0"]?.last?.sla.to == date(now))

        // Where only daily rollups are left, a part of a day is that day prorated.
        let old = today - 200 * Self.day
        for name in names.prefix(5) {
            let whole = try store.sla(service: name, from: date(old), to: date(old + Self.day), now: date(now))
            let half = try store.sla(service: name, from: date(old + 6 * Self.hour), to: date(old + 18 * Self.hour), now: date(now))
            #expect(abs(half.upSeconds - whole.upSeconds / 2) < 1e-6)
            #expect(abs(half.downSeconds - whole.downSeconds / 2) < 1e-6)
        }
    }

    /// The file's size once the WAL is folded into it (what the data takes, not the WAL's high-water mark).
    static func checkpointedBytes(_ store: HistoryStore, _ folder: HistoryFolder) throws -> Int {
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        return folder.bytes()
    }

    /// The batch grouped so each service's results keep their time order, services interleaved.
    static func perServiceOrder(_ batch: [HistoryEntry]) -> [HistoryEntry] {
        var byService: [String: [HistoryEntry]] = [:]
        var order: [String] = []
        for item in batch {
            if byService[item.result.service] == nil { order.append(item.result.service) }
            byService[item.result.service, default: []].append(item)
        }
        var queues = order.map { byService[$0, default: []].sorted { $0.result.at < $1.result.at } }
        var result: [HistoryEntry] = []
        while queues.contains(where: { !$0.isEmpty }) {
            for index in queues.indices where !queues[index].isEmpty {
                result.append(queues[index].removeFirst())
            }
        }
        return result
    }
}
