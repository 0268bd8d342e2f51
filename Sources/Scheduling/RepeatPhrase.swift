import Foundation
public import ICalendar

/// `--repeat` phrases turned into an RRULE, checked by ``RecurrenceRule``.
///
/// A frequency (`daily`, `weekly`, `monthly`, `weekdays`, `every 2 weeks`), then in any order:
/// `on tue,thu` (weekly), `on the 15th` or `on the last fri` (monthly), `until 2027-03-31` (the
/// last day an occurrence may start, in the meeting's zone) or `count 10` / `10 times`.
public enum RepeatPhrase {
    /// What the help and errors show.
    public static let examples = "\"weekly on tue,thu until 2027-03-31\", \"daily count 10\", \"monthly on the last fri\", \"every 2 weeks\", \"weekdays until 2027-01-31\""

    private static let days = ["mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"]
    private static let ordinals = ["first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1]

    /// The rule `phrase` describes for a series defined in `zone`.
    public static func rule(_ phrase: String, zone: CalendarZone) throws -> RecurrenceRule {
        var words = phrase.lowercased().replacingOccurrences(of: ",", with: " , ").split(whereSeparator: \.isWhitespace).map(String.init)
        func fail(_ why: String) -> SchedulingError {
            SchedulingError(.invalidInput, "--repeat \"\(phrase)\": \(why); examples: \(examples)")
        }
        guard !words.isEmpty else { throw fail("empty") }
        var parts: [String] = []
        var interval = 1
        let head = words.removeFirst()
        switch head {
        case "daily": parts.append("FREQ=DAILY")
        case "weekly": parts.append("FREQ=WEEKLY")
        case "monthly": parts.append("FREQ=MONTHLY")
        case "yearly": parts.append("FREQ=YEARLY")
        case "weekdays": parts += ["FREQ=WEEKLY", "BYDAY=MO,TU,WE,TH,FR"]
        case "every":
            guard words.count >= 2, let count = Int(words[0]), (1...99).contains(count) else { throw fail("expected `every N days|weeks|months`") }
            interval = count
            switch words[1] {
            case "day", "days": parts.append("FREQ=DAILY")
            case "week", "weeks": parts.append("FREQ=WEEKLY")
            case "month", "months": parts.append("FREQ=MONTHLY")
            default: throw fail("\(words[1]) is not days, weeks or months")
            }
            words.removeFirst(2)
        default: throw fail("it must begin with daily, weekly, monthly, yearly, weekdays or every")
        }
        if interval > 1 { parts.append("INTERVAL=\(interval)") }
        var ended = false
        while !words.isEmpty {
            let word = words.removeFirst()
            switch word {
            case "on":
                guard head != "weekdays", !parts.contains(where: { $0.hasPrefix("BYDAY") || $0.hasPrefix("BYMONTHDAY") }) else { throw fail("`on` given twice") }
                if words.first == "the" { words.removeFirst() }
                if let first = words.first, let ordinal = ordinals[first], words.count >= 2, let day = days[String(words[1].prefix(3))] {
                    guard parts[0] == "FREQ=MONTHLY" else { throw fail("`on the \(first) ...` is for monthly") }
                    parts.append("BYDAY=\(ordinal)\(day)")
                    words.removeFirst(2)
                } else if let first = words.first, let number = Int(first.filter(\.isNumber)), (1...31).contains(number), first.first?.isNumber == true {
                    guard parts[0] == "FREQ=MONTHLY" else { throw fail("`on the \(first)` is for monthly") }
                    parts.append("BYMONTHDAY=\(number)")
                    words.removeFirst()
                } else {
                    var list: [String] = []
                    while let next = words.first, next == "," || next == "and" || days[String(next.prefix(3))] != nil {
                        words.removeFirst()
                        if let day = days[String(next.prefix(3))] { list.append(day) }
                    }
                    guard !list.isEmpty else { throw fail("`on` must name days (mon,tue,...), `the 15th` or `the last fri`") }
                    guard parts[0] == "FREQ=WEEKLY" else { throw fail("`on DAYS` is for weekly") }
                    parts.append("BYDAY=\(list.joined(separator: ","))")
                }
            case "until":
                guard !ended, let text = words.first else { throw fail("`until` needs a date and may be given once, without count") }
                words.removeFirst()
                guard let date = LocalDateTime(iso: text + "T23:59:59") ?? dayFirst(text) else { throw fail("\(text) is not a date (2027-03-31)") }
                let instant = zone.date(of: date)
                parts.append("UNTIL=\(MeetingOccurrence.recurrenceID(of: instant))")
                ended = true
            case "count", "for":
                guard !ended, let text = words.first, let count = Int(text) else { throw fail("`count` needs a number") }
                words.removeFirst()
                if words.first == "times" { words.removeFirst() }
                parts.append("COUNT=\(count)")
                ended = true
            case let number where Int(number) != nil && words.first == "times":
                guard !ended else { throw fail("give one of until and count") }
                words.removeFirst()
                parts.append("COUNT=\(number)")
                ended = true
            case ",", "and": continue
            default: throw fail("\(word) is not understood")
            }
        }
        do { return try RecurrenceRule(parts.joined(separator: ";")) } catch { throw fail("\(error)") }
    }

    private static func dayFirst(_ text: String) -> LocalDateTime? {
        guard let day = MeetingTimeParser.dayMonthYear(text) else { return nil }
        return LocalDateTime(year: day.year, month: day.month, day: day.day, hour: 23, minute: 59, second: 59)
    }
}
