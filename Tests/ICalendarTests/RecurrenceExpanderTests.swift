import Foundation
import ICalendar
import Testing

/// "2026-03-17T08:00" read as UTC.
func utc(_ text: String) -> Date {
    guard let local = LocalDateTime(iso: text) else { fatalError("bad test time \(text)") }
    return CalendarZone.utc.date(of: local)
}

func local(_ text: String) -> LocalDateTime {
    guard let value = LocalDateTime(iso: text) else { fatalError("bad test time \(text)") }
    return value
}

/// Known answers worked out by hand from RFC 5545 and the zones' rules (Berlin: CET +0100, CEST +0200
/// from 2026-03-29 01:00Z to 2026-10-25 01:00Z; Ho Chi Minh City: +0700 all year).
@Suite struct RecurrenceExpanderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let zone: String
        let start: String
        let rule: String?
        var exceptions: [String] = []
        var from = "2000-01-01T00:00"
        var to = "2100-01-01T00:00"
        var limit = 100
        let expected: [String]  // UTC
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "Berlin weekly 09:00 across the spring change: UTC moves from 08:00 to 07:00",
             zone: "Europe/Berlin", start: "2026-03-17T09:00", rule: "FREQ=WEEKLY;COUNT=4",
             expected: ["2026-03-17T08:00", "2026-03-24T08:00", "2026-03-31T07:00", "2026-04-07T07:00"]),
        Case(name: "Berlin weekly 09:00 across the autumn change: UTC moves from 07:00 to 08:00",
             zone: "Europe/Berlin", start: "2026-10-20T09:00", rule: "FREQ=WEEKLY;BYDAY=TU;COUNT=2",
             expected: ["2026-10-20T07:00", "2026-10-27T08:00"]),
        Case(name: "Berlin daily 02:30: the skipped hour moves forward, the repeated hour takes the first",
             zone: "Europe/Berlin", start: "2026-03-28T02:30", rule: "FREQ=DAILY;COUNT=3",
             expected: ["2026-03-28T01:30", "2026-03-29T01:30", "2026-03-30T00:30"]),
        Case(name: "Berlin daily 02:30 through the October overlap",
             zone: "Europe/Berlin", start: "2026-10-24T02:30", rule: "FREQ=DAILY;COUNT=3",
             expected: ["2026-10-24T00:30", "2026-10-25T00:30", "2026-10-26T01:30"]),
        Case(name: "Ho Chi Minh City Monday and Wednesday 09:00 (+0700, no DST)",
             zone: "Asia/Ho_Chi_Minh", start: "2026-12-07T09:00", rule: "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
             expected: ["2026-12-07T02:00", "2026-12-09T02:00", "2026-12-14T02:00", "2026-12-16T02:00"]),
        Case(name: "monthly on the 31st skips months without one",
             zone: "Asia/Ho_Chi_Minh", start: "2026-01-31T10:00", rule: "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5",
             expected: ["2026-01-31T03:00", "2026-03-31T03:00", "2026-05-31T03:00", "2026-07-31T03:00", "2026-08-31T03:00"]),
        Case(name: "monthly from a 31st with no BYMONTHDAY skips them too",
             zone: "Asia/Ho_Chi_Minh", start: "2026-01-31T10:00", rule: "FREQ=MONTHLY;COUNT=3",
             expected: ["2026-01-31T03:00", "2026-03-31T03:00", "2026-05-31T03:00"]),
        Case(name: "last workday of the month (BYSETPOS=-1), Berlin 17:00",
             zone: "Europe/Berlin", start: "2026-01-30T17:00", rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=4",
             expected: ["2026-01-30T16:00", "2026-02-27T16:00", "2026-03-31T15:00", "2026-04-30T15:00"]),
        Case(name: "EXDATE leaves one occurrence out; COUNT still counts it",
             zone: "Europe/Berlin", start: "2026-03-17T09:00", rule: "FREQ=WEEKLY;COUNT=4", exceptions: ["2026-03-24T09:00"],
             expected: ["2026-03-17T08:00", "2026-03-31T07:00", "2026-04-07T07:00"]),
        Case(name: "UNTIL in UTC is compared with UTC starts (07:00Z on 2 April is before 07:30Z)",
             zone: "Europe/Berlin", start: "2026-03-17T09:00", rule: "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260402T073000Z",
             expected: ["2026-03-17T08:00", "2026-03-19T08:00", "2026-03-24T08:00", "2026-03-26T08:00", "2026-03-31T07:00", "2026-04-02T07:00"]),
        Case(name: "UNTIL one second before an occurrence ends the series before it",
             zone: "Europe/Berlin", start: "2026-03-17T09:00", rule: "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260402T065959Z",
             expected: ["2026-03-17T08:00", "2026-03-19T08:00", "2026-03-24T08:00", "2026-03-26T08:00", "2026-03-31T07:00"]),
        Case(name: "UNTIL as a date includes that whole day",
             zone: "Asia/Ho_Chi_Minh", start: "2026-12-07T09:00", rule: "FREQ=DAILY;UNTIL=20261209",
             expected: ["2026-12-07T02:00", "2026-12-08T02:00", "2026-12-09T02:00"]),
        Case(name: "the window [from, to) and the limit",
             zone: "Asia/Ho_Chi_Minh", start: "2026-12-07T09:00", rule: "FREQ=DAILY",
             from: "2026-12-10T02:00", to: "2026-12-20T00:00", limit: 3,
             expected: ["2026-12-10T02:00", "2026-12-11T02:00", "2026-12-12T02:00"]),
        Case(name: "to is exclusive",
             zone: "Asia/Ho_Chi_Minh", start: "2026-12-07T09:00", rule: "FREQ=DAILY",
             from: "2026-12-07T00:00", to: "2026-12-09T02:00",
             expected: ["2026-12-07T02:00", "2026-12-08T02:00"]),
        Case(name: "a single meeting (no rule)", zone: "Europe/Berlin", start: "2026-07-01T09:00", rule: nil,
             expected: ["2026-07-01T07:00"]),
        Case(name: "a single meeting outside the window", zone: "Europe/Berlin", start: "2026-07-01T09:00", rule: nil,
             from: "2026-07-01T07:00:01", expected: []),
    ]

    @Test(arguments: cases)
    func knownAnswers(_ known: Case) throws {
        let zone = try CalendarZone(known.zone)
        let rule = try known.rule.map { try RecurrenceRule($0) }
        let starts = try RecurrenceExpander.occurrences(
            start: local(known.start), zone: zone, rule: rule, exceptions: known.exceptions.map(local),
            from: utc(known.from), to: utc(known.to), limit: known.limit)
        #expect(starts.map { CalendarZone.utc.local(of: $0).description } == known.expected.map { local($0).description })
    }

    @Test(arguments: ["FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=15", "FREQ=HOURLY;COUNT=3"])
    func tooFrequentRulesAreRefused(_ text: String) {
        let error = #expect(throws: CalendarError.self) { try RecurrenceRule(text) }
        #expect(error?.code == .badRecurrence)
        #expect(error?.description.contains("more often than daily") == true)
    }

    @Test func aHugeCountIsRefused() {
        let error = #expect(throws: CalendarError.self) { try RecurrenceRule("FREQ=WEEKLY;COUNT=1000000000") }
        #expect(error?.description == "recurrence rule 'FREQ=WEEKLY;COUNT=1000000000' asks for 1000000000 occurrences; at most 1000 are allowed: use a smaller COUNT or an UNTIL date")
        #expect(throws: Never.self) { try RecurrenceRule("FREQ=WEEKLY;COUNT=1000") }
    }

    @Test(arguments: ["garbage", "", "FREQ=WEEKLY;FOO=BAR", "FREQ=WEEKLY;BYDAY=XX", "FREQ=WEEKLY;COUNT=3;UNTIL=20270101T000000Z",
                      "FREQ=WEEKLY;UNTIL=2026", "FREQ=WEEKLY;INTERVAL=0", "RRULE:FREQ=WEEKLY", "FREQ=WEEKLY\r\nATTENDEE:mailto:x@y"])
    func garbageIsRefusedOnOneLine(_ text: String) {
        let error = #expect(throws: CalendarError.self) { try RecurrenceRule(text) }
        #expect(error?.code == .badRecurrence)
        #expect(error.map { !$0.description.contains("\n") && !$0.description.contains("\r") } == true)
    }

    @Test func rulesAreNormalizedAndKnowWhetherTheyEnd() throws {
        let rule = try RecurrenceRule("freq=weekly;byday=tu,th;until=20270331T165959Z")
        #expect(rule.text == "FREQ=WEEKLY;UNTIL=20270331T165959Z;BYDAY=TU,TH")
        #expect(rule.isBounded)
        #expect(try RecurrenceRule("FREQ=WEEKLY;COUNT=3").isBounded)
        #expect(try !RecurrenceRule("FREQ=MONTHLY;BYMONTHDAY=1").isBounded)
    }

    @Test func zonesConvertBothWays() throws {
        let berlin = try CalendarZone("Europe/Berlin")
        #expect(berlin.offsetSeconds(at: utc("2026-07-01T00:00")) == 7_200)
        #expect(berlin.offsetSeconds(at: utc("2026-12-01T00:00")) == 3_600)
        #expect(berlin.local(of: utc("2026-10-25T00:30")) == local("2026-10-25T02:30"))
        #expect(berlin.local(of: utc("2026-10-25T01:30")) == local("2026-10-25T02:30"))
        #expect(berlin.date(of: local("2026-03-29T02:30")) == utc("2026-03-29T01:30"))  // 03:30 CEST
        let saigon = try CalendarZone("Asia/Ho_Chi_Minh")
        #expect(saigon.date(of: local("2026-12-08T09:00")) == utc("2026-12-08T02:00"))
        #expect(saigon.local(of: utc("2026-12-08T02:00")) == local("2026-12-08T09:00"))
    }

    @Test func zoneNamesResolve() throws {
        #expect(CalendarZone.resolve("Asia/Ho_Chi_Minh")?.identifier == "Asia/Ho_Chi_Minh")
        #expect(CalendarZone.resolve("/freeassociation.sourceforge.net/Europe/Berlin")?.identifier == "Europe/Berlin")
        #expect(CalendarZone.resolve("/softwarestudio.org/Olson_20011030_5/America/New_York")?.identifier == "America/New_York")
        #expect(CalendarZone.resolve("SE Asia Standard Time")?.identifier == "Asia/Ho_Chi_Minh")
        #expect(CalendarZone.resolve("W. Europe Standard Time")?.identifier == "Europe/Berlin")
        #expect(CalendarZone.resolve("Mars/Olympus_Mons") == nil)
        #expect(CalendarZone.resolve("GMT+7") == nil)
        let error = #expect(throws: CalendarError.self) { try CalendarZone("Asia/Hanoi_City") }
        #expect(error?.description == "unknown time zone 'Asia/Hanoi_City': use an IANA name such as Asia/Ho_Chi_Minh")
    }

    @Test func localDateTimeReadsTheThreeForms() {
        #expect(LocalDateTime(iso: "2026-12-08T09:00:00") == LocalDateTime(year: 2026, month: 12, day: 8, hour: 9))
        #expect(LocalDateTime(iso: "2026-12-08T09:00") == LocalDateTime(year: 2026, month: 12, day: 8, hour: 9))
        #expect(LocalDateTime(iso: "2026-12-08 09:00")?.description == "2026-12-08T09:00:00")
        #expect(LocalDateTime(iso: "2026-02-30T09:00") == nil)
        #expect(LocalDateTime(iso: "2026-12-08T24:00") == nil)
        #expect(LocalDateTime(iso: "tomorrow") == nil)
        #expect(local("2026-12-08T09:00") < local("2026-12-08T09:01"))
    }

    /// The goal is 400,000 occurrences a second in a release build; a debug test build is several
    /// times slower, so this only guards against a per-occurrence cost gone badly wrong.
    @Test func expansionIsNotSlow() throws {
        let zone = try CalendarZone("Europe/Berlin")
        let rule = try RecurrenceRule("FREQ=DAILY")
        let clock = ContinuousClock()
        var count = 0
        let elapsed = try clock.measure {
            count = try RecurrenceExpander.occurrences(start: local("2000-01-03T09:00"), zone: zone, rule: rule, exceptions: [],
                                                       from: utc("2000-01-01T00:00"), to: utc("2100-01-01T00:00"), limit: 1_000_000).count
        }
        #expect(count == 36_523)  // 2000-01-03 up to 2100-01-01: 100 years of 365 days, 25 leap days, less 2
        let perSecond = Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        #expect(perSecond > 20_000, "\(Int(perSecond)) occurrences/s")
    }
}

@Suite struct OutOfRangeTests {
    @Test func absurdValuesDoNotTrap() throws {
        let zone = try CalendarZone("Europe/Berlin")
        _ = zone.date(of: LocalDateTime(year: Int.max, month: Int.min, day: Int.max, hour: Int.max, minute: Int.min, second: Int.max))
        _ = zone.local(of: Date(timeIntervalSince1970: 1e300))
        _ = zone.local(of: Date(timeIntervalSince1970: .nan))
        let starts = try RecurrenceExpander.occurrences(start: local("2026-12-08T09:00"), zone: zone, rule: RecurrenceRule("FREQ=YEARLY"),
                                                        exceptions: [], from: Date(timeIntervalSince1970: -1e300), to: Date(timeIntervalSince1970: 1e300), limit: 3)
        #expect(starts.count == 3)
        #expect(throws: CalendarError.self) {
            try RecurrenceExpander.occurrences(start: LocalDateTime(year: 2026, month: 2, day: 30), zone: zone, rule: nil, exceptions: [],
                                               from: .distantPast, to: .distantFuture, limit: 1)
        }
        // A rule no date can satisfy is refused (libical's iterator declines it) instead of spinning.
        let error = #expect(throws: CalendarError.self) {
            try RecurrenceExpander.occurrences(start: local("2026-01-01T09:00"), zone: zone, rule: RecurrenceRule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
                                               exceptions: [], from: .distantPast, to: .distantFuture, limit: 10)
        }
        #expect(error?.code == .badRecurrence)
    }
}
