import Foundation
import ICalendar
import Scheduling
import Testing

/// Start times, durations and `--repeat` phrases as staff type them, against known answers.
@Suite struct PhraseTests {
    let zone: CalendarZone
    /// Thursday 2026-12-10 10:00 in Ho Chi Minh City.
    let now: Date

    init() throws {
        zone = try CalendarZone("Asia/Ho_Chi_Minh")
        now = zone.date(of: LocalDateTime(year: 2026, month: 12, day: 10, hour: 10))
    }

    @Test(arguments: [
        ("2026-12-15T09:30", "2026-12-15T09:30:00"), ("2026-12-15 09:30", "2026-12-15T09:30:00"),
        ("15/12/2026 9:30", "2026-12-15T09:30:00"), ("today 14:00", "2026-12-10T14:00:00"),
        ("tomorrow 9h30", "2026-12-11T09:30:00"), ("thu 14:00", "2026-12-10T14:00:00"),
        ("thu 8:00", "2026-12-17T08:00:00"), ("mon 8h", "2026-12-14T08:00:00"),
        ("next mon 8:00", "2026-12-14T08:00:00"), ("next thu 8:00", "2026-12-17T08:00:00"),
        ("friday 16:00", "2026-12-11T16:00:00"), ("ngày mai 7:30", "2026-12-11T07:30:00"),
        ("31/12/2026 23:59", "2026-12-31T23:59:00"),
    ])
    func startsAreReadInTheZone(text: String, expected: String) throws {
        #expect(try MeetingTimeParser.start(text, now: now, zone: zone).description == expected)
    }

    @Test(arguments: ["", "9:00", "someday 9:00", "thu 25:00", "2026-02-29 09:00", "31/04/2026 9:00", "tomorrow"])
    func badStartsAreRefused(text: String) {
        #expect(throws: SchedulingError.self) { try MeetingTimeParser.start(text, now: now, zone: zone) }
    }

    @Test(arguments: [("1h", 3600), ("90m", 5400), ("1h30m", 5400), ("1h30", 5400), ("1:30", 5400), ("45min", 2700), ("2 hours", 7200)])
    func durations(text: String, seconds: Int) throws {
        #expect(try MeetingTimeParser.duration(text) == seconds)
    }

    @Test(arguments: ["", "0m", "1x", "h", "99999999h", "-1h", "1:75"])
    func badDurationsAreRefused(text: String) {
        #expect(throws: SchedulingError.self) { try MeetingTimeParser.duration(text) }
    }

    @Test(arguments: [
        ("weekly", "FREQ=WEEKLY"), ("daily count 10", "FREQ=DAILY;COUNT=10"), ("weekly on tue,thu", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("weekly on tue, thu until 2027-03-31", "FREQ=WEEKLY;UNTIL=20270331T165959Z;BYDAY=TU,TH"),
        ("monthly on the last fri", "FREQ=MONTHLY;BYDAY=-1FR"), ("monthly on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"), ("weekdays 10 times", "FREQ=WEEKLY;COUNT=10;BYDAY=MO,TU,WE,TH,FR"),
        ("monthly on the first mon until 31/12/2027", "FREQ=MONTHLY;UNTIL=20271231T165959Z;BYDAY=1MO"),
    ])
    func repeatPhrasesBecomeRules(phrase: String, rule: String) throws {
        #expect(try RepeatPhrase.rule(phrase, zone: zone).text == rule)
    }

    @Test(arguments: ["", "fortnightly", "weekly on the 15th", "daily on mon", "weekly count", "weekly count 5 until 2027-01-01",
                      "every 0 weeks", "weekly count 5000", "monthly on the last", "weekly until someday"])
    func badRepeatPhrasesAreRefused(phrase: String) {
        #expect(throws: SchedulingError.self) { try RepeatPhrase.rule(phrase, zone: zone) }
    }
}
