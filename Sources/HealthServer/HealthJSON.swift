public import Foundation

/// The JSON conventions of healthd's API, shared by the server and its clients (`healthd status`):
/// dates as ISO 8601 instants in UTC (`2026-12-05T05:43:41Z`), keys in snake_case (each type
/// spells its own), sorted keys so a body is stable for the same data.
public enum HealthJSON {
    /// An encoder with the API's conventions.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A decoder with the API's conventions; it also takes instants with fractional seconds.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = InstantParser.instant(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\(text.debugDescription) is not an ISO 8601 instant (2026-12-05T08:00:00Z or with an offset, +07:00)")
            }
            return date
        }
        return decoder
    }
}

/// Reads the instants the API accepts: ISO 8601 with a zone (`Z` or `±hh:mm`), with or without
/// fractional seconds; and, where a day is allowed, `YYYY-MM-DD` in a given zone.
enum InstantParser {
    /// An ISO 8601 instant with its zone, nil when the text is not one.
    static func instant(_ text: String) -> Date? {
        let plain = Date.ISO8601FormatStyle()
        if let date = try? plain.parse(text) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? fractional.parse(text)
    }

    /// The start of a local day `YYYY-MM-DD` in `zone`, nil when the text is not a valid day.
    static func dayStart(_ text: String, zone: TimeZone) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }

    /// The start of the day after the local day `YYYY-MM-DD` in `zone` (so `to=2026-11-30`
    /// includes the whole of 30 November), nil when the text is not a valid day.
    static func dayEnd(_ text: String, zone: TimeZone) -> Date? {
        guard let start = dayStart(text, zone: zone) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(byAdding: .day, value: 1, to: start)
    }
}
