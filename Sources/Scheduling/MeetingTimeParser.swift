public import Foundation
public import ICalendar

/// Start times, ends and durations as staff type them, read in the meeting's zone.
///
/// Starts: `2026-12-08T09:00`, `2026-12-08 09:00`, `08/12/2026 9:00` (day first, as written in
/// Vietnam), `today 14:00`, `tomorrow 9:30`, `thu 8:00` (the coming Thursday: today if it is
/// Thursday and the time is still ahead), `next thu 8:00` (Thursday of next week). Times:
/// `14:00`, `9:30`, `9h30`, `9h`. Durations: `1h`, `90m`, `1h30m`, `1h30`, `1:30`, `45min`.
public enum MeetingTimeParser {
    /// What the help and errors show.
    public static let acceptedStarts = "2026-12-08T09:00, \"2026-12-08 09:00\", \"08/12/2026 9:00\", \"today 14:00\", \"tomorrow 9:30\", \"thu 8:00\", \"next mon 8:00\""
    /// What the help and errors show.
    public static let acceptedDurations = "1h, 90m, 1h30m, 1h30, 1:30"

    private static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    /// The wall-clock start `text` names, `now` and `zone` giving "today".
    public static func start(_ text: String, now: Date, zone: CalendarZone) throws -> LocalDateTime {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let local = LocalDateTime(iso: trimmed) { return local }
        if let day = isoDate(String(trimmed.prefix(10))), trimmed.count > 10, !valid(LocalDateTime(year: day.year, month: day.month, day: day.day)) {
            throw SchedulingError(.invalidInput, "start \(quoted(text)): \(trimmed.prefix(10)) is not a day of the calendar")
        }
        var words = trimmed.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count >= 2, let time = clockTime(words.removeLast()) else {
            throw SchedulingError(.invalidInput, "start \(quoted(text)): expected a day and a time, such as \(acceptedStarts)")
        }
        let today = zone.local(of: now)
        let day: (year: Int, month: Int, day: Int)
        let first = words.first.map { weekdays[String($0.prefix(3))] } ?? nil
        let second = words.count == 2 ? weekdays[String(words[1].prefix(3))] : nil
        if words == ["today"] || words == ["hôm", "nay"] {
            day = (today.year, today.month, today.day)
        } else if words == ["tomorrow"] || words == ["ngày", "mai"] {
            day = shifted(today, days: 1)
        } else if words.count == 1, let target = first {
            var ahead = (target - weekday(today) + 7) % 7
            if ahead == 0, (time.hour, time.minute) <= (today.hour, today.minute) { ahead = 7 }
            day = shifted(today, days: ahead)
        } else if words.count == 2, words[0] == "next", let target = second {
            // The named day of next week, weeks starting on Monday.
            let todayFromMonday = (weekday(today) + 5) % 7
            let targetFromMonday = (target + 5) % 7
            day = shifted(today, days: 7 - todayFromMonday + targetFromMonday)
        } else if words.count == 1, let parsed = dayMonthYear(words[0]) ?? isoDate(words[0]) {
            day = parsed
        } else {
            throw SchedulingError(.invalidInput, "start \(quoted(text)): expected \(acceptedStarts)")
        }
        let local = LocalDateTime(year: day.year, month: day.month, day: day.day, hour: time.hour, minute: time.minute)
        guard valid(local) else { throw SchedulingError(.invalidInput, "start \(quoted(text)): there is no such day") }
        return local
    }

    /// The end `text` names: a time on the start's day (`10:30`), or a full start-like value.
    public static func end(_ text: String, start: LocalDateTime, now: Date, zone: CalendarZone) throws -> LocalDateTime {
        if let time = clockTime(text.trimmingCharacters(in: .whitespaces).lowercased()) {
            return LocalDateTime(year: start.year, month: start.month, day: start.day, hour: time.hour, minute: time.minute)
        }
        return try self.start(text, now: now, zone: zone)
    }

    /// A duration in seconds.
    public static func duration(_ text: String) throws -> Int {
        let compact = text.lowercased().filter { !$0.isWhitespace }
        var seconds = 0
        if let colon = compact.firstIndex(of: ":"), let hours = Int(compact[..<colon]), let minutes = Int(compact[compact.index(after: colon)...]),
           minutes < 60 {
            seconds = hours * 3600 + minutes * 60
        } else {
            var sawUnit = false
            var rest = Substring(compact)
            while !rest.isEmpty {
                let digits = rest.prefix(while: \.isNumber)
                guard !digits.isEmpty, digits.count <= 5, let value = Int(digits) else { return try refuseDuration(text) }
                rest = rest.dropFirst(digits.count)
                let unit = rest.prefix(while: { !$0.isNumber })
                rest = rest.dropFirst(unit.count)
                switch unit {
                case "h", "hr", "hrs", "hour", "hours", "giờ": seconds += value * 3600
                case "m", "min", "mins", "minute", "minutes", "phút": seconds += value * 60
                case "" where sawUnit: seconds += value * 60   // "1h30"
                default: return try refuseDuration(text)
                }
                sawUnit = true
            }
        }
        guard seconds > 0 else { return try refuseDuration(text) }
        return seconds
    }

    private static func refuseDuration(_ text: String) throws -> Int {
        throw SchedulingError(.invalidInput, "duration \(quoted(text)): expected \(acceptedDurations)")
    }

    /// `14:00`, `9:30`, `9h30`, `9h`, or nil.
    static func clockTime(_ text: String) -> (hour: Int, minute: Int)? {
        let separators: [Character] = [":", "h"]
        guard let split = text.firstIndex(where: { separators.contains($0) }), let hour = Int(text[..<split]) else { return nil }
        let rest = text[text.index(after: split)...]
        let minute: Int
        if rest.isEmpty, text[split] == "h" { minute = 0 } else {
            guard rest.count == 2, let value = Int(rest) else { return nil }
            minute = value
        }
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return (hour, minute)
    }

    /// `08/12/2026` or `8/12` (this or next year is not guessed: the year is required past today).
    static func dayMonthYear(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 3, let day = parts[0], let month = parts[1], let year = parts[2], year >= 1900 else { return nil }
        return (year, month, day)
    }

    /// `2026-12-08`.
    static func isoDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-").map { Int($0) }
        guard parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2] else { return nil }
        return (year, month, day)
    }

    /// A local date-time that exists in the calendar (no 31 February).
    static func valid(_ local: LocalDateTime) -> Bool {
        guard (1...12).contains(local.month), local.day >= 1 else { return false }
        return local.day <= daysIn(month: local.month, year: local.year)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 1 Sunday ... 7 Saturday (Zeller's congruence on the proleptic Gregorian calendar).
    static func weekday(_ local: LocalDateTime) -> Int {
        var year = local.year
        var month = local.month
        if month < 3 {
            month += 12
            year -= 1
        }
        let monthPart = (13 * (month + 1)) / 5
        let yearPart = year + year / 4 - year / 100 + year / 400
        let saturdayBased = (local.day + monthPart + yearPart) % 7   // 0 = Saturday
        return (saturdayBased + 6) % 7 + 1
    }

    /// The day `days` after `local`'s.
    static func shifted(_ local: LocalDateTime, days: Int) -> (year: Int, month: Int, day: Int) {
        var (year, month, day) = (local.year, local.month, local.day)
        for _ in 0..<days {
            day += 1
            if day > daysIn(month: month, year: year) {
                day = 1
                month += 1
                if month > 12 { month = 1; year += 1 }
            }
        }
        return (year, month, day)
    }

    private static func quoted(_ text: String) -> String { "\"\(text)\"" }
}
