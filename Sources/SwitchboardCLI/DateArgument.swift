public import Foundation
import SwitchboardCore
import SwitchboardBase

/// Dates typed on the command line, in the configured zone unless they carry one.
public enum DateArgument {
    /// What the error message and the help show.
    public static let accepted = "2026-11-29, \"2026-11-29 08:30\", ISO 8601 with a zone, today, yesterday, 7d, 2w, 12h, \"2 weeks ago\""

    /// Parses `2026-11-29`, `2026-11-29 08:30`, `2026-11-29T08:30`, ISO 8601 with a zone, or a
    /// time relative to `now`: `today` and `yesterday` (midnight in the zone), `now`, `7d`, `2w`,
    /// `12h`, `30m` and `"7 days ago"`, `"2 weeks ago"` (calendar days in the zone, so a
    /// daylight-saving change does not shift them by an hour).
    public static func parse(_ text: String, zone: String, option: String, now: Date = Date()) throws -> Date {
        if let date = Timestamp.parse(text) { return date }
        let timeZone = TimeZone(identifier: zone) ?? .current
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        if let date = relative(text, timeZone: timeZone, now: now) { return date }
        throw UsageError("\(option) \"\(text)\": expected a date or a time relative to now: \(accepted)")
    }

    /// A relative time, or nil when `text` is none.
    static func relative(_ text: String, timeZone: TimeZone, now: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let words = text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        switch words {
        case ["now"]: return now
        case ["today"]: return calendar.startOfDay(for: now)
        case ["yesterday"]: return calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: now))
        default: break
        }
        // "7d", "7 d", "7 days", "7 days ago": a count and a unit, "ago" optional.
        var parts = words
        if parts.last == "ago" { parts.removeLast() }
        let joined = parts.joined()
        guard let split = joined.firstIndex(where: { !$0.isNumber }), split != joined.startIndex,
              let count = Int(joined[..<split]), count >= 0, count <= 100_000 else { return nil }
        let component: Calendar.Component
        var amount = count
        switch String(joined[split...]) {
        case "m", "min", "mins", "minute", "minutes": component = .minute
        case "h", "hour", "hours": component = .hour
        case "d", "day", "days": component = .day
        case "w", "week", "weeks": component = .day; amount = count * 7
        case "month", "months": component = .month
        default: return nil
        }
        return calendar.date(byAdding: component, value: -amount, to: now)
    }
}
