import Foundation
import HealthMonitor

/// The history file at its steady size: 1,000 services with the default retention, after 400
/// simulated days, the last 5 of them probed every 60 s (the rest every 2 h: the rollups kept
/// for them, one hourly row per service and hour and one daily row per service and day, do not
/// depend on the interval, and only the last 3 days' raw results are kept). Everything goes
/// through `HistoryStore.record` and a daily `prune`, so the file carries the page churn of
/// pruning and reuse a real daemon's would. Then the SLA queries the endpoints make.
enum HealthHistoryBenchmarks {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    static func history(services count: Int = 1_000, days: Int64 = 400, fineDays: Int64 = 5) throws {
        let folder = NSTemporaryDirectory() + "switchboard-bench-health-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/health.sqlite"
        let store = try HistoryStore(path: path, retention: .standard)
        let names = (0..<count).map { "service-\($0)" }
        let start: Int64 = 1_759_276_800_000  // 2025-10-01T00:00:00Z
        let fineFrom = start + (days - fineDays) * day
        var random = SystemRandomNumberGenerator()
        var recorded = 0
        var fineSeconds = 0.0
        func entry(_ name: String, _ at: Int64, interval: Int64) -> HistoryEntry {
            let down = Int.random(in: 0..<500, using: &random) == 0
            let total = Double(Int.random(in: 20...400, using: &random)) / 1000
            let result = ProbeResult(service: name, at: Date(timeIntervalSince1970: Double(at) / 1000), outcome: down ? .down : .up,
                                     durationSeconds: total, detail: down ? "HTTP 503, expected 200" : "HTTP 200", httpStatus: down ? 503 : 200,
                                     certificateExpiry: Date(timeIntervalSince1970: 1_800_000_000),
                                     phases: ["resolve": 0.001, "connect": 0.002, "tls": 0.015, "first_byte": total - 0.002, "total": total])
            return HistoryEntry(result: result, state: down ? .down : .up, maxSpanSeconds: Double(2 * interval + 10_000) / 1000)
        }
        let setup = try SwitchboardBench.time {
            var at = start
            while at < start + days * day {
                let fine = at >= fineFrom
                let interval: Int64 = fine ? 60_000 : 2 * hour
                // Probes spread over the interval, as the scheduler does.
                let batch = names.enumerated().map { index, name in entry(name, at + Int64(index) * interval / Int64(count), interval: interval) }
                let seconds = try SwitchboardBench.time { try store.record(batch) }
                if fine { fineSeconds += seconds }
                recorded += batch.count
                let next = at + interval
                if (next - start) % day == 0 { try store.prune(now: Date(timeIntervalSince1970: Double(next) / 1000)) }
                at = next
            }
        }
        let now = Date(timeIntervalSince1970: Double(start + days * day) / 1000)
        try store.prune(now: now)
        SwitchboardBench.report("health: record+prune \(recorded) results (setup)", setup, "s")
        let fineResults = Double(fineDays * day / 60_000) * Double(count)
        SwitchboardBench.report("health: record, batches of \(count) results", fineResults / fineSeconds, "results/s")
        let bytes = fileBytes(path) + fileBytes(path + "-wal")
        SwitchboardBench.report("health: history file, \(count) services x \(days) d", Double(bytes) / 1_000_000, "MB", goal: "at most 200 MB",
                                note: "raw 3 d at 60 s, hourly 35 d, daily 400 d")

        var times: [Double] = []
        for index in 0..<200 {
            let name = names[(index * 7919) % count]
            let from = now.addingTimeInterval(-30 * 86_400 + Double(index * 37))
            times.append(try SwitchboardBench.time { _ = try store.sla(service: name, from: from, to: now.addingTimeInterval(-Double(index)), now: now) })
        }
        times.sort()
        SwitchboardBench.report("health: 30-day SLA of one service, median", times[times.count / 2] * 1000, "ms", goal: "under 50 ms")
        SwitchboardBench.report("health: 30-day SLA of one service, max", (times.last ?? 0) * 1000, "ms", goal: "under 50 ms")
        let oldFrom = now.addingTimeInterval(-380 * 86_400 + 4_321)
        let year = try SwitchboardBench.time { _ = try store.sla(service: names[0], from: oldFrom, to: now.addingTimeInterval(-1_234), now: now) }
        SwitchboardBench.report("health: 380-day SLA across all tiers", year * 1000, "ms")
        let bars = try SwitchboardBench.time {
            _ = try store.uptimeDays(services: names, days: 90, now: now.addingTimeInterval(-600), timeZone: "Asia/Ho_Chi_Minh")
        }
        SwitchboardBench.report("health: 90-day bars of \(count) services", bars, "s")
        let results = try SwitchboardBench.time { _ = try store.results(service: names[1], from: now.addingTimeInterval(-86_400), to: now, limit: 100) }
        SwitchboardBench.report("health: last 100 results of one service", results * 1000, "ms")
    }

    static func fileBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
