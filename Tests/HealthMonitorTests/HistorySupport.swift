import Foundation
@testable import HealthMonitor

/// A temporary folder removed at the end of the test.
final class HistoryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var file: String { path + "/health.sqlite" }

    /// The bytes of the history file and its -wal.
    func bytes() -> Int {
        [file, file + "-wal"].reduce(0) { sum, name in
            sum + (((try? FileManager.default.attributesOfItem(atPath: name))?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }
}

/// A deterministic generator (SplitMix64), so a failing run can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// One recorded result as the brute-force computation sees it.
struct Sample {
    var at: Int64
    var state: SampleState
    var spanMs: Int64
}

/// Milliseconds per state over `[from, to)` by walking every result: each holds until the next
/// (at most its span), the last until `now` (same cap); the rest is unknown.
func bruteForce(_ samples: [Sample], from: Int64, to: Int64, now: Int64) -> [Int64] {
    var sums: [Int64] = [0, 0, 0, 0, 0]
    for (index, sample) in samples.enumerated() {
        let end = index + 1 < samples.count ? min(samples[index + 1].at, sample.at + sample.spanMs) : min(now, sample.at + sample.spanMs)
        let overlap = max(0, min(end, to) - max(sample.at, from))
        sums[sample.state.code] += overlap
    }
    sums[4] = (to - from) - sums[0...3].reduce(0, +)
    return sums
}

/// The figure the brute force expects, in the figure's units.
func expectedFigure(_ service: String, _ samples: [Sample], from: Int64, to: Int64, now: Int64) -> SLAFigure {
    let sums = bruteForce(samples, from: from, to: to, now: now)
    return SLAFigure(service: service, from: Date(timeIntervalSince1970: Double(from) / 1000), to: Date(timeIntervalSince1970: Double(to) / 1000),
                     upSeconds: Double(sums[0]) / 1000, degradedSeconds: Double(sums[1]) / 1000, downSeconds: Double(sums[2]) / 1000,
                     maintenanceSeconds: Double(sums[3]) / 1000, unknownSeconds: Double(sums[4]) / 1000)
}

func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

/// An entry for `service` at `ms` counting as `state`.
func entry(_ service: String, _ ms: Int64, _ state: SampleState, spanMs: Int64, durationMs: Int64 = 120) -> HistoryEntry {
    let outcome: ProbeOutcome = switch state {
    case .up: .up
    case .degraded: .degraded
    case .down, .maintenance: .down
    }
    return HistoryEntry(result: ProbeResult(service: service, at: date(ms), outcome: outcome, durationSeconds: Double(durationMs) / 1000,
                                            detail: outcome == .up ? "HTTP 200" : "HTTP 503, expected 200", httpStatus: outcome == .up ? 200 : 503,
                                            phases: ["connect": 0.004, "total": Double(durationMs) / 1000]),
                        state: state, maxSpanSeconds: Double(spanMs) / 1000)
}
