public import Foundation

/// An IANA (Olson) time zone, converting wall clocks to instants and back.
///
/// Conversions use the system tzdata through Foundation's `TimeZone` offsets and integer
/// arithmetic: no calendar object per call, so expanding a long series stays cheap.
public struct CalendarZone: Hashable, Sendable, CustomStringConvertible {
    /// The plain Olson name, as given ("Asia/Ho_Chi_Minh").
    public let identifier: String
    let timeZone: TimeZone

    /// The zone called `identifier`; refuses names the system tzdata does not have.
    public init(_ identifier: String) throws(CalendarError) {
        guard let zone = Self.load(identifier) else {
            throw CalendarError(.unknownTimeZone, "unknown time zone '\(CalendarError.quote(identifier))': use an IANA name such as Asia/Ho_Chi_Minh")
        }
        self = zone
    }

    private init(identifier: String, timeZone: TimeZone) {
        self.identifier = identifier
        self.timeZone = timeZone
    }

    /// Coordinated Universal Time.
    public static let utc = CalendarZone(identifier: "UTC", timeZone: TimeZone(secondsFromGMT: 0) ?? TimeZone.current)

    /// The folder of compiled zone files; a name is a zone when its file is here and Foundation reads it.
    static let zoneFolder = ProcessInfo.processInfo.environment["TZDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"

    private static func load(_ identifier: String) -> CalendarZone? {
        // Foundation also accepts "GMT+7" and abbreviations; calendars need a real Olson name.
        guard !identifier.isEmpty, identifier.count <= 64, !identifier.hasPrefix("/"), !identifier.contains(".."),
            identifier.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || "/_-+0123456789".unicodeScalars.contains($0)) }),
            FileManager.default.fileExists(atPath: zoneFolder + "/" + identifier),
            let timeZone = TimeZone(identifier: identifier)
        else { return nil }
        return CalendarZone(identifier: identifier, timeZone: timeZone)
    }

    /// The zone a TZID names: an Olson name, libical's `/freeassociation.sourceforge.net/Olson`
    /// form (and other `/vendor/.../Olson` prefixes), or a common Windows name ("SE Asia Standard
    /// Time", "W. Europe Standard Time", ...); nil when none of these.
    public static func resolve(_ tzid: String) -> CalendarZone? {
        var name = tzid.trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        if let zone = load(name) { return zone }
        if name.hasPrefix("/") {
            let parts = name.split(separator: "/")
            for length in stride(from: min(3, parts.count), through: 1, by: -1) {
                if let zone = load(parts.suffix(length).joined(separator: "/")) { return zone }
            }
            return nil
        }
        if let olson = windowsNames[name.lowercased()] { return load(olson) }
        return nil
    }

    /// The instant of a wall-clock time here. In a spring-forward gap the time moves forward by
    /// the gap (02:30 becomes 03:30); in a fall-back overlap it is the first (earlier) instant.
    public func date(of local: LocalDateTime) -> Date {
        Date(timeIntervalSince1970: TimeInterval(utcSeconds(ofWall: local.wallSeconds)))
    }

    /// The wall clock here at `date` (to the second).
    public func local(of date: Date) -> LocalDateTime {
        let seconds = unixSeconds(date, .down)
        return LocalDateTime(wallSeconds: seconds + offset(atUTC: seconds))
    }

    /// Seconds east of UTC at `date` (25200 for +0700).
    public func offsetSeconds(at date: Date) -> Int {
        timeZone.secondsFromGMT(for: date)
    }

    /// "Asia/Ho_Chi_Minh".
    public var description: String { identifier }

    /// The same Olson name.
    public static func == (lhs: CalendarZone, rhs: CalendarZone) -> Bool { lhs.identifier == rhs.identifier }
    /// Hashes the Olson name.
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    func offset(atUTC seconds: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// Unix seconds of the wall clock `wall` (seconds as if UTC). The offsets a day before and a
    /// day after bracket any transition near it: equal offsets mean no transition; otherwise each
    /// candidate is checked, the earlier valid one wins (overlap), and none valid is the gap.
    func utcSeconds(ofWall wall: Int) -> Int {
        let before = offset(atUTC: wall - 86_400)
        let after = offset(atUTC: wall + 86_400)
        if before == after {
            let candidate = wall - before
            if offset(atUTC: candidate) == before { return candidate }
        }
        let early = wall - before, late = wall - after
        let earlyValid = offset(atUTC: early) == before
        let lateValid = offset(atUTC: late) == after
        switch (earlyValid, lateValid) {
        case (true, true): return min(early, late)
        case (true, false): return early
        case (false, true): return late
        case (false, false): return early  // the gap: the offset before it, so the time moves forward
        }
    }
}

/// Whole Unix seconds of `date`, held to years 1 to 9999 (a Date far outside them, or NaN, would
/// trap the conversion to Int).
func unixSeconds(_ date: Date, _ rule: FloatingPointRoundingRule) -> Int {
    let limit = 253_402_300_800.0  // 10000-01-01T00:00:00Z
    let value = date.timeIntervalSince1970
    guard !value.isNaN else { return 0 }
    return Int(min(max(value.rounded(rule), -62_135_596_800), limit))
}
