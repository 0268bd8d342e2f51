import Foundation
internal import CICal

/// An RRULE value (RFC 5545) accepted for meetings: read by libical, normalized, and bounded.
public struct RecurrenceRule: Sendable, Hashable, CustomStringConvertible {
    /// The most occurrences a COUNT may ask for.
    public static let maxCount = 1_000

    /// The rule as libical writes it back ("FREQ=WEEKLY;UNTIL=20270331T165959Z;BYDAY=TU,TH").
    public var text: String
    /// True when the series ends: the rule has COUNT or UNTIL.
    public var isBounded: Bool

    /// Reads an RRULE value. Refused: what libical cannot read, FREQ=SECONDLY/MINUTELY/HOURLY (not a
    /// meeting series), COUNT above ``maxCount``.
    public init(_ text: String) throws(CalendarError) {
        let trimmed = text.utf8.first == 0x20 || text.utf8.last == 0x20 ? text.trimmingCharacters(in: .whitespaces) : text
        var quoted: String { CalendarError.quote(trimmed) }
        guard !trimmed.isEmpty else {
            throw CalendarError(.badRecurrence, "empty recurrence rule; write one as RFC 5545 does, such as FREQ=WEEKLY;BYDAY=TU,TH")
        }
        var rule = try Self.parse(trimmed)
        switch rule.freq {
        case ICAL_SECONDLY_RECURRENCE, ICAL_MINUTELY_RECURRENCE, ICAL_HOURLY_RECURRENCE:
            throw CalendarError(.badRecurrence, "recurrence rule '\(quoted)' repeats more often than daily; meetings repeat DAILY, WEEKLY, MONTHLY or YEARLY")
        default:
            break
        }
        if rule.count > Self.maxCount {
            throw CalendarError(.badRecurrence, "recurrence rule '\(quoted)' asks for \(rule.count) occurrences; at most \(Self.maxCount) are allowed: use a smaller COUNT or an UNTIL date")
        }
        if rule.count < 0 {
            throw CalendarError(.badRecurrence, "recurrence rule '\(quoted)' has a negative COUNT; use a COUNT from 1 to \(Self.maxCount)")
        }
        guard let normalized = LibICal.take(icalrecurrencetype_as_string_r(&rule)) else {
            throw CalendarError(.badRecurrence, "recurrence rule '\(quoted)' could not be written back by libical; check it against RFC 5545")
        }
        self.text = normalized
        self.isBounded = rule.count > 0 || CICal_time_is_null(rule.until) == 0
    }

    /// libical's reading of `text`; refuses what it cannot read (it reports unknown parts, bad
    /// values, COUNT together with UNTIL through icalerrno, or leaves FREQ unset).
    static func parse(_ text: String) throws(CalendarError) -> icalrecurrencetype {
        LibICal.prepare()
        CICal_clear_errno()
        let rule = icalrecurrencetype_from_string(text)
        let failed = CICal_errno() != ICAL_NO_ERROR
        CICal_clear_errno()
        guard !failed, rule.freq != ICAL_NO_RECURRENCE else {
            throw CalendarError(.badRecurrence, "cannot read the recurrence rule '\(CalendarError.quote(text))'; write it as RFC 5545 does, such as FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270331T165959Z (COUNT or UNTIL, not both)")
        }
        return rule
    }

    /// The normalized rule text.
    public var description: String { text }
}
