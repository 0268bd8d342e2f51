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
        try occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions, from: from, to: to, limit: limit, engine: .automatic)
    }

    /// Who walks the wall clock: libical always, or (automatic) this file's own walk for plain DAILY
    /// and WEEKLY rules (INTERVAL, BYDAY without positions, WKST, COUNT, UNTIL) and libical for
    /// the rest. libical's iterator goes through ICU calendars for every step, about 200,000 steps
    /// a second; the plain walk is integer arithmetic. Tests hold the two to the same answers.
    enum Engine {
        case automatic, libical
    }

    static func occurrences(start: LocalDateTime, zone: CalendarZone, rule: RecurrenceRule?, exceptions: [LocalDateTime],
                            from: Date, to: Date, limit: Int, engine: Engine) throws(CalendarError) -> [Date] {
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

        var result: [Date] = []
        // Wall clocks only grow; UTC starts may step back by an overlap (at most a day), so the
        // walk ends a day past `to`.
        let stopWall = toSeconds + 2 * 86_400
        /// Takes one wall-clock start; false when the walk is over.
        func take(_ wall: Int) -> Bool {
            if wall > untilWall || wall > stopWall { return false }
            let utc = zone.utcSeconds(ofWall: wall)
            if utc > untilUTC { return false }
            if utc < fromSeconds || utc >= toSeconds || excluded.contains(wall) { return true }
            result.append(Date(timeIntervalSince1970: TimeInterval(utc)))
            return result.count < limit
        }

        let weekdays = CICal_recur_simple_weekdays(&recurrence)
        if engine == .automatic, weekdays >= 0,
            recurrence.freq == ICAL_DAILY_RECURRENCE || recurrence.freq == ICAL_WEEKLY_RECURRENCE {
            var walk = PlainWalk(start: start.wallSeconds, weekly: recurrence.freq == ICAL_WEEKLY_RECURRENCE, interval: Int(recurrence.interval),
                                 weekdays: Int(weekdays), weekStart: Int(recurrence.week_start.rawValue), count: Int(recurrence.count))
            walk.skip(toWall: fromSeconds - 3 * 86_400)
            while let wall = walk.next(), take(wall) {}
            return result
        }

        let dtstart = CICal_time(Int32(start.year), Int32(start.month), Int32(start.day),
                                 Int32(start.hour), Int32(start.minute), Int32(start.second), 0)
        guard let iterator = icalrecur_iterator_new(recurrence, dtstart) else {
            throw CalendarError(.badRecurrence, "libical cannot expand '\(CalendarError.quote(rule.text))' from \(start); check the rule against RFC 5545")
        }
        defer { icalrecur_iterator_free(iterator) }
        while true {
            let next = icalrecur_iterator_next(iterator)
            if CICal_time_is_null(next) != 0 { break }
            let wall = LocalDateTime(year: Int(next.year), month: Int(next.month), day: Int(next.day),
                                     hour: Int(next.hour), minute: Int(next.minute), second: Int(next.second)).wallSeconds
            if !take(wall) { break }
        }
        return result
    }
}

/// The wall-clock starts of a plain DAILY or WEEKLY rule, as libical gives them: days (or the
/// weekdays of every INTERVAL-th week, weeks beginning on WKST) at DTSTART's time of day, none
/// before DTSTART (a DTSTART off the rule is not an occurrence), at most COUNT of them.
struct PlainWalk {
    let startDay: Int, timeOfDay: Int
    let weekly: Bool
    let step: Int  // days from one period to the next
    let weekdays: Int  // bit (weekday - 1), SUNDAY = 1; all days when 0 for DAILY
    let count: Int
    var period = 0  // which period (day or week) the walk is in
    var dayInWeek = 0
    var produced = 0
    let firstDay: Int  // the first day of period 0

    init(start: Int, weekly: Bool, interval: Int, weekdays: Int, weekStart: Int, count: Int) {
        startDay = start >= 0 ? start / 86_400 : (start - 86_399) / 86_400
        timeOfDay = start - startDay * 86_400
        self.weekly = weekly
        step = max(1, interval) * (weekly ? 7 : 1)
        self.weekdays = weekly && weekdays == 0 ? 1 << (PlainWalk.weekday(startDay) - 1) : weekdays
        self.count = count
        let firstWeekday = (1...7).contains(weekStart) ? weekStart : 2  // MONDAY unless WKST says
        firstDay = weekly ? startDay - (PlainWalk.weekday(startDay) - firstWeekday + 7) % 7 : startDay
    }

    /// libical's numbering: SUNDAY = 1 ... SATURDAY = 7 (1970-01-01, day 0, was a Thursday).
    static func weekday(_ day: Int) -> Int {
        ((day + 4) % 7 + 7) % 7 + 1
    }

    /// Jumps over whole periods that end before `wall` (only without COUNT: those count).
    mutating func skip(toWall wall: Int) {
        guard count == 0, produced == 0, wall > startDay * 86_400 else { return }
        let days = wall / 86_400 - firstDay
        period = max(0, days / step - 1)
        dayInWeek = 0
    }

    mutating func next() -> Int? {
        if count > 0, produced >= count { return nil }
        while true {
            let day: Int
            if weekly {
                day = firstDay + period * step + dayInWeek
                dayInWeek += 1
                if dayInWeek == 7 {
                    dayInWeek = 0
                    period += 1
                }
            } else {
                day = firstDay + period * step
                period += 1
            }
            guard day <= 2_932_896 else { return nil }  // 9999-12-31
            if day < startDay { continue }
            if weekdays != 0, weekdays & (1 << (PlainWalk.weekday(day) - 1)) == 0 { continue }
            produced += 1
            return day * 86_400 + timeOfDay
        }
    }
}
