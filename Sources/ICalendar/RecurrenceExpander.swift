public import Foundation
internal import CICal

/// Lists the occurrences of a series: libical's recurrence iterator walks the wall clock in the
/// series' zone, and each start is converted to UTC with the zone's offsets (so 09:00 Berlin stays
/// 09:00 across both DST changes while its UTC time shifts).
public enum RecurrenceExpander {
    /// UTC starts of the occurrences of a series whose first start is `start` (wall clock in `zone`)
    /// that begin in [from, to), EXDATEs (wall-clock starts in zone) left out, at most `limit`.
    ///
    /// UNTIL is applied here, not by libical: a UTC UNTIL ("...Z") against each occurrence's UTC
    /// start, a floating or date UNTIL against its wall clock (a date includes its whole day).
    public static func occurrences(start: LocalDateTime, zone: CalendarZone, rule: RecurrenceRule?, exceptions: [LocalDateTime],
                                   from: Date, to: Date, limit: Int) throws(CalendarError) -> [Date] {
        guard start.isValid else {
            throw CalendarError(.badTime, "the series start \(start) is not a real date and time; give a valid date such as 2026-12-08T09:00")
        }
        guard limit > 0, from < to else { return [] }
        let fromSeconds = unixSeconds(from, .up)
        let toSeconds = unixSeconds(to, .up)
        let excluded = Set(exceptions.map(\.wallSeconds))
        guard let rule else {
            let first = zone.utcSeconds(ofWall: start.wallSeconds)
            guard first >= fromSeconds, first < toSeconds, !excluded.contains(start.wallSeconds) else { return [] }
            return [Date(timeIntervalSince1970: TimeInterval(first))]
        }

        var recurrence = try RecurrenceRule.parse(rule.text)
        var untilUTC = Int.max, untilWall = Int.max
        if CICal_time_is_null(recurrence.until) == 0 {
            let until = recurrence.until
            let wall = LocalDateTime(year: Int(until.year), month: Int(until.month), day: Int(until.day),
                                     hour: Int(until.hour), minute: Int(until.minute), second: Int(until.second)).wallSeconds
            if until.is_date != 0 {
                untilWall = wall + 86_399
            } else if CICal_time_is_utc(until) != 0 {
                untilUTC = wall
            } else {
                untilWall = wall
            }
            CICal_recur_clear_until(&recurrence)
        }
        let dtstart = CICal_time(Int32(start.year), Int32(start.month), Int32(start.day),
                                 Int32(start.hour), Int32(start.minute), Int32(start.second), 0)
        guard let iterator = icalrecur_iterator_new(recurrence, dtstart) else {
            throw CalendarError(.badRecurrence, "libical cannot expand '\(CalendarError.quote(rule.text))' from \(start); check the rule against RFC 5545")
        }
        defer { icalrecur_iterator_free(iterator) }

        var result: [Date] = []
        // Wall clocks only grow; UTC starts may step back by an overlap (at most a day), so the
        // walk ends a day past `to`.
        let stopWall = toSeconds + 2 * 86_400
        while true {
            let next = icalrecur_iterator_next(iterator)
            if CICal_time_is_null(next) != 0 { break }
            let wall = LocalDateTime(year: Int(next.year), month: Int(next.month), day: Int(next.day),
                                     hour: Int(next.hour), minute: Int(next.minute), second: Int(next.second)).wallSeconds
            if wall > untilWall || wall > stopWall { break }
            let utc = zone.utcSeconds(ofWall: wall)
            if utc > untilUTC { break }
            if utc < fromSeconds || utc >= toSeconds || excluded.contains(wall) { continue }
            result.append(Date(timeIntervalSince1970: TimeInterval(utc)))
            if result.count >= limit { break }
        }
        return result
    }
}
