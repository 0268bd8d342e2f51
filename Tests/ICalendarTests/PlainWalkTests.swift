import Foundation
@testable import ICalendar
import Testing

/// The expander's own walk of plain DAILY and WEEKLY rules gives exactly libical's answers.
@Suite struct PlainWalkTests {
    static let rules = [
        "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=DAILY;BYDAY=MO,WE,FR", "FREQ=DAILY;INTERVAL=2;BYDAY=SA,SU;COUNT=9",
        "FREQ=DAILY;COUNT=10", "FREQ=DAILY;UNTIL=20270115T000000Z", "FREQ=DAILY;UNTIL=20270110",
        "FREQ=WEEKLY", "FREQ=WEEKLY;COUNT=7", "FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=5",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU", "FREQ=WEEKLY;INTERVAL=3;WKST=WE;BYDAY=MO,TU,FR",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270601T000000Z", "FREQ=WEEKLY;BYDAY=SA;WKST=SA;INTERVAL=4",
    ]

    @Test(arguments: rules)
    func agreesWithLibical(_ text: String) throws {
        let rule = try RecurrenceRule(text)
        for zoneName in ["Europe/Berlin", "Asia/Ho_Chi_Minh", "America/New_York"] {
            let zone = try CalendarZone(zoneName)
            // A start on each day of a week, at a time that falls in Berlin's spring gap some years.
            for offset in 0..<7 {
                let start = LocalDateTime(year: 2026, month: 12, day: 7 + offset, hour: 2, minute: 30)
                for (from, to) in [(utc("2026-01-01T00:00"), utc("2028-01-01T00:00")), (utc("2027-03-01T00:00"), utc("2027-04-15T00:00"))] {
                    let exceptions = [LocalDateTime(year: 2026, month: 12, day: 15, hour: 2, minute: 30)]
                    let plain = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions,
                                                                   from: from, to: to, limit: 500, engine: .automatic)
                    let libical = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions,
                                                                     from: from, to: to, limit: 500, engine: .libical)
                    #expect(plain == libical, "\(text) from \(start) in \(zoneName), window \(from)..<\(to)")
                    #expect(!libical.isEmpty || text.contains("COUNT") || text.contains("UNTIL"), "\(text): nothing to compare")
                }
            }
        }
    }

    @Test func theWalkIsUsedForPlainRulesOnly() throws {
        var walk = PlainWalk(start: local("2026-12-07T09:00").wallSeconds, weekly: true, interval: 1, weekdays: 0, weekStart: 2, count: 2)
        #expect(walk.next().map { LocalDateTime(wallSeconds: $0) } == local("2026-12-07T09:00"))
        #expect(walk.next().map { LocalDateTime(wallSeconds: $0) } == local("2026-12-14T09:00"))
        #expect(walk.next() == nil)
        #expect(PlainWalk.weekday(0) == 5)  // 1970-01-01: THURSDAY in libical's numbering
    }
}
