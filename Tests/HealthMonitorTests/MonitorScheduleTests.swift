import Foundation
import HealthMonitor
import Testing

/// The probe schedule: a fixed grid per service (no drift), spread over the interval.
@Suite struct MonitorScheduleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aThousandServicesWithOneIntervalAreSpreadOverItNotBurst() {
        let services = (0..<1_000).map { (name: "svc-\($0)", interval: 10.0) }
        var schedule = ProbeSchedule(services: services, start: start)
        // Over the first interval, in 1 s buckets: each bucket holds about a tenth.
        var perSecond: [Int] = []
        for second in 1...10 {
            perSecond.append(schedule.due(at: start.addingTimeInterval(Double(second))).count)
        }
        #expect(perSecond.reduce(0, +) == 1_000, "every service runs once in its first interval: \(perSecond)")
        #expect(perSecond.allSatisfy { (60...140).contains($0) }, "spread, not burst: \(perSecond)")
    }

    @Test func theGridDoesNotDriftWhenTheMonitorIsLateAndSkipsWhatWasMissed() throws {
        var schedule = ProbeSchedule(services: [(name: "portal", interval: 30)], start: start)
        let first = try #require(schedule.nextDue)
        #expect(first >= start.timeIntervalSince1970 && first < start.timeIntervalSince1970 + 30)
        // Woken 7 s late: the slot runs once, and the next one stays on the grid.
        let late = schedule.due(at: Date(timeIntervalSince1970: first + 7))
        #expect(late.map(\.due) == [first])
        #expect(schedule.nextDue == first + 30)
        // Stalled for 95 s: one run, not four in a burst; the next on the grid after now.
        let stalled = schedule.due(at: Date(timeIntervalSince1970: first + 30 + 95))
        #expect(stalled.count == 1)
        #expect(schedule.nextDue == first + 30 * 5)
    }

    @Test func offsetsAreStableAcrossRunsAndDifferByName() {
        let a = ProbeSchedule.offset(of: "mail-imap", interval: 60)
        #expect(a == ProbeSchedule.offset(of: "mail-imap", interval: 60))
        #expect(a != ProbeSchedule.offset(of: "mail-smtp", interval: 60))
        #expect((0..<60).contains(a))
    }

    @Test func servicesWithDifferentIntervalsEachKeepTheirOwn() {
        var schedule = ProbeSchedule(services: [(name: "fast", interval: 5), (name: "slow", interval: 60)], start: start)
        var runs = [0, 0]
        for second in stride(from: 0.5, through: 120, by: 0.5) {
            for slot in schedule.due(at: start.addingTimeInterval(second)) { runs[slot.index] += 1 }
        }
        #expect(runs[0] == 24)
        #expect(runs[1] == 2)
    }
}
