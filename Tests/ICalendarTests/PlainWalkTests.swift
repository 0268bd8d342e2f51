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
        "FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=2", "FREQ=MONTHLY;COUNT=5", "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTHDAY=1,15,-1;COUNT=8", "FREQ=MONTHLY;BYMONTHDAY=30;INTERVAL=3", "FREQ=MONTHLY;BYDAY=2TU",
        "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=1MO,3WE", "FREQ=MONTHLY;BYDAY=5TH", "FREQ=MONTHLY;BYDAY=-2SU;COUNT=4",
        "FREQ=MONTHLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,-1",
        "FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=2", "FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", "FREQ=MONTHLY;BYMONTHDAY=-7,-6,-5,-4,-3,-2,-1;BYDAY=MO",
        "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-2;UNTIL=20271231T000000Z", "FREQ=MONTHLY;BYMONTHDAY=29;INTERVAL=1;COUNT=12",
    ]

    @Test(arguments: rules)
    func agreesWithLibical(_ text: String) throws {
        let rule = try RecurrenceRule(text)
        for zoneName in ["Europe/Berlin", "Asia/Ho_Chi_Minh", "America/New_York"] {
            let zone = try CalendarZone(zoneName)
            // Starts on each day of the week (and on the 31st), at a time in Berlin's spring gap.
            for offset in 0..<7 {
                let start = LocalDateTime(year: 2026, month: 12, day: 7 + offset * 4, hour: 2, minute: 30)
                for (from, to) in [(utc("2026-01-01T00:00"), utc("2028-01-01T00:00")), (utc("2027-03-01T00:00"), utc("2027-04-15T00:00"))] {
                    let exceptions = [LocalDateTime(year: 2026, month: 12, day: 15, hour: 2, minute: 30)]
                    let plain = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions,
                                                                   from: from, to: to, limit: 500, engine: .automatic)
                    let libical = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions,
                                                                     from: from, to: to, limit: 500, engine: .libical)
                    #expect(plain == libical, "\(text) from \(start) in \(zoneName), window \(from)..<\(to)")
                    if to == utc("2028-01-01T00:00") {
                        #expect(!libical.isEmpty || text.contains("COUNT") || text.contains("UNTIL"), "\(text): nothing to compare")
                    }
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
