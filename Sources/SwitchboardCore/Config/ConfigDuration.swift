import Foundation

/// Durations as the configuration writes them (`health:`, `mail.dkim.rotation_grace`): a whole number and a unit, `500ms`, `30s`,
/// `5m`, `4h`, `1d`.
public enum ConfigDuration {
    /// The units, longest suffix first so `ms` is not read as `m`.
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// `text` as a duration, or nil when it is not a positive whole number followed by a unit.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let digits = trimmed.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let number = Int64(digits), number > 0,
                  number <= Int64.max / unit.milliseconds / 1000
            else { return nil }
            return .milliseconds(number * unit.milliseconds)
        }
        return nil
    }

    /// `duration` the way it is written in the configuration: the largest unit that divides it.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for unit in units.reversed() where milliseconds % unit.milliseconds == 0 && milliseconds >= unit.milliseconds {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }
}

extension ConfigNode {
    /// A duration (`500ms`, `30s`, `5m`, `4h`, `1d`) within `range`.
    public func duration(in range: ClosedRange<Duration>) throws -> Duration {
        let text = try nonEmptyString()
        guard let value = ConfigDuration.parse(text) else {
            throw error("expected a duration such as 500ms, 30s, 5m, 4h or 1d, got \"\(text)\"")
        }
        guard range.contains(value) else {
            throw error("expected a duration from \(ConfigDuration.format(range.lowerBound)) to \(ConfigDuration.format(range.upperBound)), got \(text)")
        }
        return value
    }
}
