public import Foundation
internal import CICal

/// Lists the occurrences of a series: the rule is walked on the wall clock of the series' zone (by
/// this file's own walks for plain DAILY, WEEKLY and MONTHLY rules, by libical's iterator for the
/// rest), and each start is converted to UTC with the zone's offsets (so 09:00 Berlin stays 09:00
/// across both DST changes while its UTC time shifts).
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

    /// Who walks the wall clock: libical always, or (automatic) this file's own walks for plain
    /// DAILY and WEEKLY rules (INTERVAL, BYDAY without positions, WKST, COUNT, UNTIL) and MONTHLY
    /// ones (BYDAY with or without positions, BYMONTHDAY, BYSETPOS), and libical for the rest.
    /// libical's iterator goes through ICU calendars for every step, about 200,000 steps a second;
    /// the walks are integer arithmetic. Tests hold the walks to libical's answers on
    /// a table of rules and to python-dateutil's on random ones. A rule no date satisfies gives
    /// nothing from the walks, where libical's iterator refuses it.
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

        // The walks stop by themselves past the last wall clock that can still count, so a rule no
        // date satisfies does not run on to the year 9999.
        let lastWall = min(stopWall, untilWall, untilUTC == Int.max ? Int.max : untilUTC + 86_400)
        let weekdays = CICal_recur_simple_weekdays(&recurrence)
        if engine == .automatic, weekdays >= 0,
            recurrence.freq == ICAL_DAILY_RECURRENCE || recurrence.freq == ICAL_WEEKLY_RECURRENCE {
            var walk = PlainWalk(start: start.wallSeconds, weekly: recurrence.freq == ICAL_WEEKLY_RECURRENCE, interval: Int(recurrence.interval),
                                 weekdays: Int(weekdays), weekStart: Int(recurrence.week_start.rawValue), count: Int(recurrence.count))
            walk.skip(toWall: fromSeconds - 3 * 86_400)
            while let wall = walk.next(notAfter: lastWall), take(wall) {}
            return result
        }

        if engine == .automatic, recurrence.freq == ICAL_MONTHLY_RECURRENCE, CICal_recur_monthly_plain(&recurrence) != 0,
            var walk = MonthlyWalk(start: start, rule: &recurrence) {
            walk.skip(toWall: fromSeconds - 3 * 86_400)
            while let wall = walk.next(notAfter: lastWall), take(wall) {}
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

/// The wall-clock starts of a plain MONTHLY rule, as RFC 5545 (and libical) give them: in every INTERVAL-th month
/// from DTSTART's, the days BYMONTHDAY names (negative: from the month's end), limited by BYDAY when
/// both are given, or the weekdays BYDAY names (2TU the second Tuesday, -1FR the last Friday),
/// or else DTSTART's day (a month without it has none); BYSETPOS then picks among them; all at
/// DTSTART's time of day, none before DTSTART, at most COUNT.
struct MonthlyWalk {
    let start: Int, timeOfDay: Int
    let firstMonth: Int  // year * 12 + month - 1 of DTSTART
    let dayOfMonth: Int
    let interval: Int, count: Int
    let monthDays: [Int], weekdays: [(weekday: Int, position: Int)], setPositions: [Int]
    var period = 0
    var pending: [Int] = []
    var produced = 0

    init?(start local: LocalDateTime, rule: inout icalrecurrencetype) {
        func list(_ which: Int32) -> [Int] {
            var buffer = [Int16](repeating: 0, count: 400)
            let n = Int(CICal_recur_list(&rule, which, &buffer, 400))
            return buffer.prefix(n).map(Int.init)
        }
        var weekdays: [(weekday: Int, position: Int)] = []
        for encoded in list(0) {
            let weekday = Int(icalrecurrencetype_day_day_of_week(Int16(encoded)).rawValue)
            guard (1...7).contains(weekday) else { return nil }
            weekdays.append((weekday, Int(icalrecurrencetype_day_position(Int16(encoded)))))
        }
        self.weekdays = weekdays
        monthDays = list(1)
        setPositions = list(2)
        guard monthDays.allSatisfy({ $0 != 0 && abs($0) <= 31 }), setPositions.allSatisfy({ $0 != 0 }),
            weekdays.allSatisfy({ abs($0.position) <= 5 }) else { return nil }
        start = local.wallSeconds
        timeOfDay = start - MonthlyWalk.floorDiv(start, 86_400) * 86_400
        firstMonth = local.year * 12 + local.month - 1
        dayOfMonth = local.day
        interval = max(1, Int(rule.interval))
        count = Int(rule.count)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : (a - b + 1) / b }

    /// Jumps over whole months that end before `wall` (only without COUNT: those count).
    mutating func skip(toWall wall: Int) {
        guard count == 0, produced == 0, wall > start else { return }
        let local = LocalDateTime(wallSeconds: wall)
        let months = local.year * 12 + local.month - 1 - firstMonth
        period = max(0, months / interval - 1)
    }

    mutating func next(notAfter last: Int) -> Int? {
        if count > 0, produced >= count { return nil }
        while pending.isEmpty {
            let month = firstMonth + period * interval
            period += 1
            guard month < 10_000 * 12, LocalDateTime(year: month / 12, month: month % 12 + 1, day: 1).wallSeconds <= last else { return nil }
            pending = days(year: month / 12, month: month % 12 + 1).filter { $0 >= start }.reversed()
        }
        produced += 1
        return pending.removeLast()
    }

    func days(year: Int, month: Int) -> [Int] {
        let length = LocalDateTime.daysIn(month: month, year: year)
        let first = LocalDateTime(year: year, month: month, day: 1).wallSeconds / 86_400
        // Days of the month as bits (bit d for day d): no sets or sorting per month.
        var byMonthDay: UInt64 = 0
        for day in monthDays {
            let actual = day > 0 ? day : length + day + 1
            if (1...length).contains(actual) { byMonthDay |= 1 << UInt64(actual) }
        }
        var byWeekday: UInt64 = 0
        if !weekdays.isEmpty {
            let firstWeekday = PlainWalk.weekday(first)
            for (weekday, position) in weekdays {
                let earliest = 1 + (weekday - firstWeekday + 7) % 7
                if position == 0 {
                    var day = earliest
                    while day <= length {
                        byWeekday |= 1 << UInt64(day)
                        day += 7
                    }
                } else if position > 0 {
                    let day = earliest + (position - 1) * 7
                    if day <= length { byWeekday |= 1 << UInt64(day) }
                } else {
                    let latest = earliest + (length - earliest) / 7 * 7
                    let day = latest + (position + 1) * 7
                    if day >= 1 { byWeekday |= 1 << UInt64(day) }
                }
            }
        }
        let chosen: UInt64
        switch (monthDays.isEmpty, weekdays.isEmpty) {
        case (false, false): chosen = byMonthDay & byWeekday
        case (false, true): chosen = byMonthDay
        case (true, false): chosen = byWeekday
        case (true, true): chosen = dayOfMonth <= length ? 1 << UInt64(dayOfMonth) : 0
        }
        var days: [Int] = []
        days.reserveCapacity(chosen.nonzeroBitCount)
        for day in 1...length where chosen & (1 << UInt64(day)) != 0 { days.append(day) }
        if !setPositions.isEmpty {
            var picked: UInt64 = 0
            for position in setPositions {
                let index = position > 0 ? position - 1 : days.count + position
                if days.indices.contains(index) { picked |= 1 << UInt64(days[index]) }
            }
            days = (1...length).filter { picked & (1 << UInt64($0)) != 0 }
        }
        return days.map { (first + $0 - 1) * 86_400 + timeOfDay }
    }
}

/// The wall-clock starts of a plain DAILY or WEEKLY rule, as RFC 5545 defines them: days (or the
/// weekdays of every INTERVAL-th week, weeks beginning on WKST) at DTSTART's time of day, none
/// before DTSTART (a DTSTART off the rule is not an occurrence, as in libical and python-dateutil),
/// at most COUNT of them. libical 3.0.16 puts some WEEKLY rules with INTERVAL > 1 in the wrong weeks
/// (INTERVAL=4;BYDAY=SU from a Tuesday starts 3 weeks late); this walk agrees with python-dateutil.
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

    mutating func next(notAfter last: Int) -> Int? {
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
            guard day <= 2_932_896, day * 86_400 <= last else { return nil }  // 9999-12-31
            if day < startDay { continue }
            if weekdays != 0, weekdays & (1 << (PlainWalk.weekday(day) - 1)) == 0 { continue }
            produced += 1
            return day * 86_400 + timeOfDay
        }
    }
}
