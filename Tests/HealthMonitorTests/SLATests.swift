import Foundation
@testable import HealthMonitor
import Testing

/// The SLA as an operator reads it: time-weighted, maintenance left out, gaps unknown.
@Suite struct SLATests {
    static let base: Int64 = 1_793_491_200_000  // 2026-11-01T00:00:00Z
    static let minute: Int64 = 60_000

    @Test func maintenanceIsExcludedFromTheRatio() throws {
        let folder = try HistoryFolder()
        let store = try HistoryStore(path: folder.file, retention: .standard)
        let span = 3 * Self.minute
        // up 10 min, maintenance (failing) 20 min, down 5 min, up 25 min.
        var entries: [HistoryEntry] = []
        for minute in stride(from: Int64(0), to: 60, by: 1) {
            let state: SampleState = minute < 10 ? .up : minute < 30 ? .maintenance : minute < 35 ? .down : .up
            entries.append(entry("portal", Self.base + minute * Self.minute, state, spanMs: span))
        }
        try store.record(entries)
        let now = date(Self.base + 60 * Self.minute)
        let figure = try store.sla(service: "portal", from: date(Self.base), to: now, now: now)
        #expect(figure.upSeconds == 35 * 60)
        #expect(figure.maintenanceSeconds == 20 * 60)
        #expect(figure.downSeconds == 5 * 60)
        #expect(figure.unknownSeconds == 0)
        #expect(figure.ratio == 35.0 / 40.0)
    }

    @Test func gapsAreUnknownAndTheLastResultHoldsUntilNowUnderItsCap() throws {
        let folder = try HistoryFolder()
        let store = try HistoryStore(path: folder.file, retention: .standard)
        let span = 2 * Self.minute + 10_000
        // Every minute for 10 minutes, nothing for 2 hours (the daemon was stopped), then 5 more.
        var entries = (0..<10).map { entry("mail", Self.base + Int64($0) * Self.minute, .up, spanMs: span) }
        entries += (0..<5).map { entry("mail", Self.base + 130 * Self.minute + Int64($0) * Self.minute, $0 == 2 ? .down : .up, spanMs: span) }
        try store.record(entries)
        let from = date(Self.base), to = date(Self.base + 3 * 60 * Self.minute)
        // now one minute after the last probe: it holds one minute, then the window's rest is unknown.
        let figure = try store.sla(service: "mail", from: from, to: to, now: date(Self.base + 135 * Self.minute))
        #expect(figure.upSeconds == Double(9 * 60 + 130) + 4 * 60)
        #expect(figure.downSeconds == 60)
        #expect(figure.unknownSeconds == 180 * 60 - figure.upSeconds - figure.downSeconds)
        // Much later: the last result holds only its cap.
        let later = try store.sla(service: "mail", from: from, to: to, now: date(Self.base + 170 * Self.minute))
        #expect(later.upSeconds == Double(9 * 60 + 130) + 3 * 60 + Double(span) / 1000)
        // A service never seen: the whole window unknown, no ratio.
        let unseen = try store.sla(service: "nothing", from: from, to: to, now: to)
        #expect(unseen.unknownSeconds == 3 * 3600)
        #expect(unseen.ratio == nil)
    }

    @Test func resultsAndLastResultsComeBackAsRecorded() throws {
        let folder = try HistoryFolder()
        let store = try HistoryStore(path: folder.file, retention: .standard)
        let expiry = Date(timeIntervalSince1970: 1_800_000_000)
        let first = ProbeResult(service: "web", at: date(Self.base), outcome: .up, durationSeconds: 0.412, detail: "HTTP 200", httpStatus: 200,
                                certificateExpiry: expiry, phases: ["resolve": 0.001, "connect": 0.012, "tls": 0.031, "first_byte": 0.4, "total": 0.412, "x-custom": 1.5])
        let second = ProbeResult(service: "web", at: date(Self.base + Self.minute), outcome: .down, durationSeconds: 2,
                                 detail: "timed out after 2 s waiting for 127.0.0.1:8081")
        try store.record([HistoryEntry(result: first, state: .up, maxSpanSeconds: 130),
                          HistoryEntry(result: second, state: .down, maxSpanSeconds: 130),
                          entry("dns", Self.base, .up, spanMs: 130_000)])
        let results = try store.results(service: "web", from: date(Self.base), to: date(Self.base + 2 * Self.minute), limit: 10)
        #expect(results == [second, first])
        #expect(try store.results(service: "web", from: date(Self.base), to: date(Self.base + 2 * Self.minute), limit: 1) == [second])
        #expect(try store.results(service: "web", from: date(Self.base + 1), to: date(Self.base + Self.minute), limit: 10).isEmpty)
        let last = try store.lastResults()
        #expect(last["web"] == second)
        #expect(last.keys.sorted() == ["dns", "web"])
        // A reopened file knows the same.
        let reopened = try HistoryStore(path: folder.file, retention: .standard)
        #expect(try reopened.lastResults()["web"] == second)
    }

    @Test func aResultOutOfOrderIsRefusedAndTheBatchLeftUnwritten() throws {
        let folder = try HistoryFolder()
        let store = try HistoryStore(path: folder.file, retention: .standard)
        try store.record([entry("web", Self.base + Self.minute, .up, spanMs: 130_000)])
        #expect {
            try store.record([entry("dns", Self.base, .up, spanMs: 130_000), entry("web", Self.base, .up, spanMs: 130_000)])
        } throws: { error in
            let error = error as? HistoryError
            return error?.code == .outOfOrder && error?.description.contains("web") == true
        }
        #expect(try store.lastResults().keys.sorted() == ["web"])
    }
}
