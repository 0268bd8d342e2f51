public import Foundation
public import ICalendar

/// How agendas and find-time show times: in the viewer's zone, day names in English.
public enum AgendaFormat {
    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// The wall clock of a Unix time in `zone`.
    public static func local(_ unix: Int64, _ zone: CalendarZone) -> LocalDateTime {
        zone.local(of: Date(timeIntervalSince1970: TimeInterval(unix)))
    }

    /// `Tue 2026-12-08`.
    public static func day(_ local: LocalDateTime) -> String {
        String(format: "%@ %04d-%02d-%02d", dayNames[MeetingTimeParser.weekday(local) - 1], local.year, local.month, local.day)
    }

    /// `09:00`.
    public static func clock(_ unix: Int64, _ zone: CalendarZone) -> String {
        let time = local(unix, zone)
        return String(format: "%02d:%02d", time.hour, time.minute)
    }

    /// `09:00-10:30`, or `09:00-Wed 10:30` when it ends on another day.
    public static func span(_ start: Int64, _ end: Int64, _ zone: CalendarZone) -> String {
        let from = local(start, zone), to = local(end, zone)
        let sameDay = from.startOfDay == to.startOfDay || (to.startOfDay == from.startOfDay.addingDays(1) && to.hour == 0 && to.minute == 0)
        let endText = sameDay ? String(format: "%02d:%02d", to.hour, to.minute) : day(to) + String(format: " %02d:%02d", to.hour, to.minute)
        return String(format: "%02d:%02d-", from.hour, from.minute) + endText
    }

    /// `2026-12-08T09:00:00+07:00`: an instant in `zone` for JSON output.
    public static func iso(_ unix: Int64, _ zone: CalendarZone) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(unix))
        let offset = zone.offsetSeconds(at: date)
        let sign = offset < 0 ? "-" : "+"
        return zone.local(of: date).description + String(format: "%@%02d:%02d", sign, abs(offset) / 3600, abs(offset) % 3600 / 60)
    }

    /// The first day (midnight) of the week holding `day`; weeks start on Monday.
    public static func monday(of day: LocalDateTime) -> LocalDateTime {
        let back = (MeetingTimeParser.weekday(day) + 5) % 7
        var result = day.startOfDay
        for _ in 0..<back { result = result.previousDay }
        return result
    }

    /// Midnight of the next day.
    public static func nextDay(_ day: LocalDateTime) -> LocalDateTime { day.startOfDay.addingDays(1) }

    /// A day as typed: `today`, `tomorrow`, `yesterday`, `2026-12-08`, `08/12/2026`.
    public static func day(_ text: String, now: Date, zone: CalendarZone) throws -> LocalDateTime {
        let today = zone.local(of: now).startOfDay
        switch text.lowercased().trimmingCharacters(in: .whitespaces) {
        case "today", "hôm nay": return today
        case "tomorrow", "ngày mai": return today.addingDays(1)
        case "yesterday", "hôm qua": return today.previousDay
        default: return try FindTimeWindow.day(text)
        }
    }
}

extension LocalDateTime {
    /// Midnight of the day before.
    var previousDay: LocalDateTime {
        if day > 1 { return LocalDateTime(year: year, month: month, day: day - 1) }
        let month = self.month == 1 ? 12 : self.month - 1
        let year = self.month == 1 ? self.year - 1 : self.year
        return LocalDateTime(year: year, month: month, day: MeetingTimeParser.daysIn(month: month, year: year))
    }
}
