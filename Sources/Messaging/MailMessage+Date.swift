public import Foundation
import SwitchboardBase

extension MailMessage {
    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `date` in RFC 5322 form in `timeZone`: "Tue, 3 Jun 2025 09:05:00 +0700".
    ///
    /// Day and month names are always English, whatever the machine's locale: mail clients
    /// parse them, people do not read them.
    public static func formatDate(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        let weekday = dayNames[((parts.weekday ?? 1) - 1 + 7) % 7]
        let month = monthNames[((parts.month ?? 1) - 1 + 12) % 12]
        let offset = timeZone.secondsFromGMT(for: date) / 60
        let sign = offset < 0 ? "-" : "+"
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let zone = sign + two(abs(offset) / 60) + two(abs(offset) % 60)
        return "\(weekday), \(parts.day ?? 1) \(month) \(parts.year ?? 1970) "
            + "\(two(parts.hour ?? 0)):\(two(parts.minute ?? 0)):\(two(parts.second ?? 0)) \(zone)"
    }
}
