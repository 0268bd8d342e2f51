public import Foundation
import SwitchboardBase

/// The one text form of instants in the database: UTC, ISO 8601, milliseconds (`2026-11-29T01:22:33.123Z`).
///
/// Fixed width, so text order is time order and SQL can compare them.
public enum Timestamp {
    /// Formats an instant.
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var time = time_t(seconds.quotient)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(seconds.remainder))
    }

    /// A stored UTC time shown in a zone, `2026-11-29 08:22` (with `:ss` when `seconds`); the text as
    /// it is when it does not parse.
    public static func display(_ stored: String?, zone: String, seconds: Bool = false) -> String {
        guard let stored, let date = parse(stored) else { return stored ?? "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone) ?? .current
        formatter.dateFormat = seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// Parses the stored form (milliseconds optional).
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
