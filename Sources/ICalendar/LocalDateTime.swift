/// A wall-clock date and time with no zone: what a calendar shows, what a user types.
public struct LocalDateTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The year (1 to 9999 when valid).
    public var year: Int
    /// The month, 1 to 12.
    public var month: Int
    /// The day of the month, from 1.
    public var day: Int
    /// The hour, 0 to 23.
    public var hour: Int
    /// The minute, 0 to 59.
    public var minute: Int
    /// The second, 0 to 59.
    public var second: Int

    /// A wall-clock time; the fields are taken as given (``isValid`` tells whether it is a real calendar time).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Reads "2026-12-08T09:00:00", "2026-12-08T09:00" or "2026-12-08 09:00"; nil for anything else,
    /// including dates that do not exist (2026-02-30) and times out of range.
    public init?(iso: String) {
        let bytes = Array(iso.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count == 16 || bytes.count == 19, bytes[4] == 0x2D, bytes[7] == 0x2D,
            bytes[10] == 0x54 || bytes[10] == 0x20, bytes[13] == 0x3A,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16)
        else { return nil }
        var second = 0
        if bytes.count == 19 {
            guard bytes[16] == 0x3A, let value = number(17..<19) else { return nil }
            second = value
        }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard isValid else { return nil }
    }

    /// "2026-12-08T09:00:00".
    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
            + "-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))"
    }

    /// True when the date exists in the Gregorian calendar and the time is within a day.
    public var isValid: Bool {
        (1...9999).contains(year) && (1...12).contains(month) && (1...Self.daysIn(month: month, year: year)).contains(day)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
    }

    /// Earlier on the wall clock (field by field, not by instant).
    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Seconds since 1970-01-01T00:00:00 of this wall clock read as if it were UTC: the arithmetic
    /// the zone conversions work on, with no calendar object per call.
    var wallSeconds: Int {
        // Fields far out of range are held in (an invalid value must not trap the arithmetic);
        // days from the civil date by H. Hinnant's algorithm, proleptic Gregorian.
        let year = min(max(self.year, -1_000_000), 1_000_000), month = min(max(self.month, 1), 12)
        let day = min(max(self.day, -1_000_000), 1_000_000), hour = min(max(self.hour, -1_000_000), 1_000_000)
        let minute = min(max(self.minute, -1_000_000), 1_000_000), second = min(max(self.second, -1_000_000), 1_000_000)
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// The wall clock `seconds` after 1970-01-01T00:00:00.
    init(wallSeconds seconds: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(year: year, month: month, day: day, hour: rest / 3_600, minute: rest % 3_600 / 60, second: rest % 60)
    }
}
