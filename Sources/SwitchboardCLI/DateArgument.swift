public import Foundation
import SwitchboardCore
import SwitchboardBase

/// Dates typed on the command line, in the configured zone unless they carry one.
public enum DateArgument {
    /// Parses `2026-11-29`, `2026-11-29 08:30`, `2026-11-29T08:30` or ISO 8601 with a zone.
    public static func parse(_ text: String, zone: String, option: String) throws -> Date {
        if let date = Timestamp.parse(text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone) ?? .current
        for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        throw UsageError("\(option) \"\(text)\": expected a date like 2026-11-29 or \"2026-11-29 08:30\"")
    }
}
