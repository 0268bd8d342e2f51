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
    ///
    /// Formatted by hand from the zone's offset: a `DateFormatter` would load ICU's calendar data
    /// for two fixed-width numbers (start-up time of every command that shows a time).
    public static func display(_ stored: String?, zone: String, seconds: Bool = false) -> String {
        guard let stored else { return "" }
        let timeZone = TimeZone(identifier: zone) ?? .current
        guard let date = parseStored(stored) else {
            // Not the stored form (a hand-written time, perhaps before 1970): the general formatter.
            guard let date = parse(stored) else { return stored }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = timeZone
            formatter.dateFormat = seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm"
            return formatter.string(from: date)
        }
        let local = date.timeIntervalSince1970.rounded(.down) + Double(timeZone.secondsFromGMT(for: date))
        var time = time_t(local)
        var parts = tm()
        gmtime_r(&time, &parts)
        let minutes = String(
            format: "%04d-%02d-%02d %02d:%02d",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min))
        return seconds ? minutes + String(format: ":%02d", Int(parts.tm_sec)) : minutes
    }

    /// Parses the stored form (milliseconds optional).
    ///
    /// The stored form itself is read by hand; anything else goes to `ISO8601DateFormatter`, whose
    /// first use costs milliseconds of ICU loading.
    public static func parse(_ text: String) -> Date? {
        if let date = parseStored(text) { return date }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` or `yyyy-MM-ddTHH:mm:ss.SSSZ` with every field in range; nil for
    /// anything else, which ``parse(_:)`` leaves to the formatter.
    static func parseStored(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 || bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes[bytes.count - 1] == UInt8(ascii: "Z") else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for byte in bytes[start..<(start + length)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        var milliseconds = 0
        if bytes.count == 24 {
            guard bytes[19] == UInt8(ascii: "."), let value = number(20, 3) else { return nil }
            milliseconds = value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              year >= 1970, (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= monthDays[month - 1] else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        guard seconds >= 0 else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(milliseconds) / 1000)
    }
}
