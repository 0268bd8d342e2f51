public import Foundation
public import ICalendar

/// The stretch of days `meetctl find-time` and `meetctl agenda` look at, from the phrases staff type.
///
/// Phrases (English or Vietnamese): `today` (`hôm nay`), `tomorrow` (`ngày mai`), `this week`
/// (`tuần này`: from now to Sunday night), `next week` (`tuần sau`: Monday to Sunday), `next 2 weeks`
/// and `next 10 days` (from now), or one day (`2026-12-08`, `08/12/2026`). Weeks start on Monday.
public enum FindTimeWindow {
    /// What the help and errors show.
    public static let acceptedPhrases = "today, tomorrow, \"this week\", \"next week\", \"next 2 weeks\", \"next 10 days\", 2026-12-08"

    /// The longest window find-time searches, in days (a quarter).
    public static let maxDays = 92

    /// [from, to) for a phrase; `from` is never before `now`.
    public static func within(_ phrase: String, now: Date, zone: CalendarZone) throws -> (from: Date, to: Date) {
        let words = phrase.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        let today = zone.local(of: now)
        func midnight(_ days: Int) -> Date {
            let day = MeetingTimeParser.shifted(today, days: days)
            return zone.date(of: LocalDateTime(year: day.year, month: day.month, day: day.day))
        }
        // Days from today to the coming Monday (7 when today is Monday).
        let toMonday = 7 - (MeetingTimeParser.weekday(today) + 5) % 7
        switch words {
        case ["today"], ["hôm", "nay"]:
            return (now, midnight(1))
        case ["tomorrow"], ["ngày", "mai"]:
            return (midnight(1), midnight(2))
        case ["this", "week"], ["tuần", "này"]:
            return (now, midnight(toMonday))
        case ["next", "week"], ["tuần", "sau"], ["tuần", "tới"]:
            return (midnight(toMonday), midnight(toMonday + 7))
        default:
            break
        }
        if words.count == 3, ["next", "coming"].contains(words[0]), let count = Int(words[1]), count > 0 {
            let days: Int
            switch words[2] {
            case "week", "weeks": days = count * 7
            case "day", "days": days = count
            default: throw badPhrase(phrase)
            }
            guard days <= maxDays else {
                throw SchedulingError(.invalidInput, "--within \"\(phrase)\": at most \(maxDays) days are searched at once")
            }
            return (now, midnight(days))
        }
        if words.count == 1, let day = try? self.day(words[0]) {
            let start = zone.date(of: day)
            let end = zone.date(of: LocalDateTime(year: day.year, month: day.month, day: day.day).addingDays(1))
            return (max(start, now), end)
        }
        throw badPhrase(phrase)
    }

    /// [from, to) from `--from` and `--to` values: a day (`--to` then includes that whole day) or
    /// a day and a time (`2026-12-08 13:00`, `2026-12-08T13:00`).
    public static func between(_ fromText: String, _ toText: String, now: Date, zone: CalendarZone) throws -> (from: Date, to: Date) {
        let from = try instant(fromText, option: "--from", zone: zone, endOfDay: false)
        let to = try instant(toText, option: "--to", zone: zone, endOfDay: true)
        guard to > from else { throw SchedulingError(.invalidInput, "--to \(toText) is not after --from \(fromText)") }
        guard to.timeIntervalSince(from) <= Double(maxDays) * 86_400 else {
            throw SchedulingError(.invalidInput, "--from \(fromText) --to \(toText): at most \(maxDays) days are searched at once")
        }
        return (max(from, now), to)
    }

    /// A day: `2026-12-08`, `08/12/2026`.
    public static func day(_ text: String) throws -> LocalDateTime {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let parts = MeetingTimeParser.isoDate(trimmed) ?? MeetingTimeParser.dayMonthYear(trimmed) else {
            throw SchedulingError(.invalidInput, "\"\(text)\" is not a day: write 2026-12-08 or 08/12/2026")
        }
        let day = LocalDateTime(year: parts.year, month: parts.month, day: parts.day)
        guard MeetingTimeParser.valid(day) else { throw SchedulingError(.invalidInput, "\"\(text)\": there is no such day") }
        return day
    }

    private static func instant(_ text: String, option: String, zone: CalendarZone, endOfDay: Bool) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let local = LocalDateTime(iso: trimmed), MeetingTimeParser.valid(local) { return zone.date(of: local) }
        guard let day = try? day(trimmed) else {
            throw SchedulingError(.invalidInput, "\(option) \"\(text)\": expected a day (2026-12-08, 08/12/2026) or a day and a time (\"2026-12-08 13:00\")")
        }
        return zone.date(of: endOfDay ? day.addingDays(1) : day)
    }

    private static func badPhrase(_ phrase: String) -> SchedulingError {
        SchedulingError(.invalidInput, "--within \"\(phrase)\": expected \(acceptedPhrases), or give --from and --to")
    }
}

extension LocalDateTime {
    /// The same wall-clock time `days` days later (calendar days: 0 or more).
    func addingDays(_ days: Int) -> LocalDateTime {
        let day = MeetingTimeParser.shifted(self, days: days)
        return LocalDateTime(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: second)
    }

    /// Midnight of the same day.
    var startOfDay: LocalDateTime { LocalDateTime(year: year, month: month, day: day) }
}
