public import Foundation
import GRDB
public import ICalendar
import SwitchboardBase
import SwitchboardCore

/// What `meetctl find-time` asks for.
public struct FindTimeRequest: Sendable {
    /// `--with` values: logins, addresses, `group:NAME`, `unit:CODE`.
    public var attendees: [String]
    /// Length of the meeting.
    public var durationSeconds: Int
    /// Where to look: [from, to).
    public var from: Date, to: Date
    /// The zone working hours and the answer are read in.
    public var zone: CalendarZone
    /// One room that must be free, by name, or nil.
    public var room: String?
    /// Any room with at least this many seats must be free (`--need-room N`), or nil.
    public var seats: Int?
    /// How many slots to propose.
    public var count = 5
    /// The actor attends too (they will book it); false when the helpdesk looks for others.
    public var includeActor = true

    /// A request.
    public init(attendees: [String], durationSeconds: Int, from: Date, to: Date, zone: CalendarZone) {
        self.attendees = attendees
        self.durationSeconds = durationSeconds
        self.from = from
        self.to = to
        self.zone = zone
    }
}

/// A time when everyone (and a room, when one is needed) is free.
public struct FreeSlot: Sendable, Codable, Hashable {
    /// Start and end, Unix seconds.
    public var start: Int64, end: Int64
    /// The room proposed (the smallest free one with enough seats), or nil when none was asked for.
    public var room: String?

    /// A slot.
    public init(start: Int64, end: Int64, room: String?) {
        self.start = start
        self.end = end
        self.room = room
    }
}

/// Who is busy in how many of the candidate slots: said when no slot is free.
public struct FindTimeBlocker: Sendable, Codable, Hashable {
    /// A login (or address), or a room's name (or "every room with N seats").
    public var who: String
    /// In how many candidate slots they are busy.
    public var busySlots: Int

    /// A blocker.
    public init(who: String, busySlots: Int) {
        self.who = who
        self.busySlots = busySlots
    }
}

/// What find-time found.
public struct FindTimeResult: Sendable {
    /// The free slots, earliest first, at most the count asked for.
    public var slots: [FreeSlot]
    /// The people whose time was checked (logins, or addresses for outside people in the directory).
    public var people: [String]
    /// Outside addresses: their calendars are not here, so their time is not checked.
    public var unchecked: [String]
    /// How many candidate starts were inside working hours in the window.
    public var candidates: Int
    /// When no slot is free: who blocks the most candidates first.
    public var blockers: [FindTimeBlocker]
    /// The rooms considered, smallest first (empty when no room is needed).
    public var rooms: [String]
}

extension Scheduler {
    /// The earliest slots inside working hours (locale workday start, end and days, read in the
    /// request's zone), on steps of `meet.slot_minutes`, where every attendee with a directory
    /// entry is free and, when asked, a room is free too (the smallest with enough seats).
    ///
    /// Ranked earliest first (staff ask for "the soonest time"), each proposal starting at or
    /// after the end of the one before, so that the proposals are different times.
    public func findTime(_ request: FindTimeRequest) throws -> FindTimeResult {
        try session.authorize(.meetRead, target: "find-time")
        guard request.durationSeconds > 0, request.durationSeconds <= settings.maxDurationHours * 3600 else {
            throw SchedulingError(.invalidInput, "--duration: a meeting lasts more than 0 and at most \(settings.maxDurationHours) hours (meet.max_duration_hours)")
        }
        guard (1...100).contains(request.count) else { throw SchedulingError(.invalidInput, "--count must be between 1 and 100") }
        let hours = try WorkingHours(locale)
        let now = clock.now()
        let from = max(request.from, now)
        let candidates = hours.candidates(from: from, to: request.to, durationSeconds: request.durationSeconds,
                                          stepMinutes: settings.slotMinutes, zone: request.zone)
        return try database.read { db in
            var people = try AttendeeResolver.resolve(request.attendees, in: db, defaultLanguage: locale.language)
            if request.includeActor, let actor = session.personID,
               !people.contains(where: { $0.personID == actor }) {
                people.insert(try AttendeeResolver.person(id: actor, in: db, defaultLanguage: locale.language), at: 0)
            }
            guard !people.isEmpty else { throw SchedulingError(.invalidInput, "--with: name at least one person") }
            let rooms = try Self.candidateRooms(named: request.room, seats: request.seats, headcount: people.count, in: db)
            let checked = people.filter { $0.personID != nil }
            var result = FindTimeResult(slots: [], people: checked.map { $0.login ?? $0.address },
                                        unchecked: people.filter { $0.personID == nil }.map(\.address), candidates: candidates.count,
                                        blockers: [], rooms: rooms.map(\.name))
            guard let first = candidates.first, let last = candidates.last else { return result }
            let busy = try BusyTime.busy(personIDs: checked.compactMap(\.personID), roomIDs: rooms.map(\.id),
                                         from: first.start, to: last.end, in: db)
            var personBusy: [Int64: [BusyInterval]] = [:]
            var roomBusy: [Int64: [BusyInterval]] = [:]
            for interval in busy {
                if let id = interval.personID { personBusy[id, default: []].append(interval) }
                if let id = interval.roomID { roomBusy[id, default: []].append(interval) }
            }
            let everyone = FreeTime.merged(busy.filter { $0.personID != nil }.map { ($0.start, $0.end) })
            let roomTimes = rooms.map { FreeTime.merged((roomBusy[$0.id] ?? []).map { ($0.start, $0.end) }) }
            var cursor = 0
            for candidate in candidates {
                // Proposals do not overlap one another: five slots are five different times.
                if let previous = result.slots.last, candidate.start < previous.end { continue }
                // The union is sorted and disjoint: skip what ends before this start, then one test.
                while cursor < everyone.count, everyone[cursor].end <= candidate.start { cursor += 1 }
                if cursor < everyone.count, everyone[cursor].start < candidate.end { continue }
                var room: String?
                if !rooms.isEmpty {
                    guard let free = rooms.indices.first(where: { !FreeTime.overlaps(roomTimes[$0], candidate.start, candidate.end) }) else { continue }
                    room = rooms[free].name
                }
                result.slots.append(FreeSlot(start: candidate.start, end: candidate.end, room: room))
                if result.slots.count == request.count { break }
            }
            if result.slots.isEmpty {
                var blockers: [FindTimeBlocker] = checked.compactMap { person in
                    guard let id = person.personID else { return nil }
                    let times = FreeTime.merged((personBusy[id] ?? []).map { ($0.start, $0.end) })
                    let count = candidates.count(where: { FreeTime.overlaps(times, $0.start, $0.end) })
                    return count > 0 ? FindTimeBlocker(who: person.login ?? person.address, busySlots: count) : nil
                }
                if !rooms.isEmpty {
                    let count = candidates.count(where: { candidate in
                        roomTimes.allSatisfy { FreeTime.overlaps($0, candidate.start, candidate.end) }
                    })
                    let who = request.room ?? "every room with \(request.seats ?? people.count) seats"
                    if count > 0 { blockers.append(FindTimeBlocker(who: who, busySlots: count)) }
                }
                result.blockers = blockers.sorted { ($0.busySlots, $1.who) > ($1.busySlots, $0.who) }
            }
            return result
        }
    }

    /// The named room, or every room with enough seats (smallest first), or none.
    static func candidateRooms(named name: String?, seats: Int?, headcount: Int, in db: Database) throws -> [Room] {
        if let name {
            let room = try room(named: name, in: db)
            if room.kind == "physical", headcount > room.capacity {
                throw SchedulingError(.conflict, "\(room.name) holds \(room.capacity) and the meeting has \(headcount) people: choose a larger room (`dirctl room list`), or use --need-room \(headcount)")
            }
            return [room]
        }
        guard let seats else { return [] }
        guard seats > 0 else { throw SchedulingError(.invalidInput, "--need-room: give the number of seats, 1 or more") }
        let rooms = try Room.fetchAll(db, sql: "SELECT * FROM room WHERE kind = 'physical' AND capacity >= ? ORDER BY capacity, name",
                                      arguments: [seats])
        guard !rooms.isEmpty else {
            throw SchedulingError(.notFound, "no physical room has \(seats) seats (see `dirctl room list`)")
        }
        return rooms
    }
}

/// The working day from the `locale:` config: start, end and days.
struct WorkingHours: Sendable {
    /// Start and end of the day, in minutes after midnight.
    var start: Int, end: Int
    /// The working weekdays, 1 Sunday ... 7 Saturday.
    var days: Set<Int>

    init(start: Int, end: Int, days: Set<Int>) {
        self.start = start
        self.end = end
        self.days = days
    }

    init(_ locale: SwitchboardConfig.LocaleSettings) throws {
        guard let from = MeetingTimeParser.clockTime(locale.workdayStart), let to = MeetingTimeParser.clockTime(locale.workdayEnd),
              from.hour * 60 + from.minute < to.hour * 60 + to.minute else {
            throw SchedulingError(.invalidInput, "locale.workday_start \(locale.workdayStart) and locale.workday_end \(locale.workdayEnd) in the config must be times (HH:MM), the start first")
        }
        let names = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]
        start = from.hour * 60 + from.minute
        end = to.hour * 60 + to.minute
        days = Set(locale.workdays.compactMap { names[String($0.lowercased().prefix(3))] })
    }

    /// Every start on a step of `stepMinutes` after midnight, inside working hours, starting in
    /// [from, to), with the whole meeting inside the working day: (start, end) Unix seconds.
    func candidates(from: Date, to: Date, durationSeconds: Int, stepMinutes: Int, zone: CalendarZone) -> [(start: Int64, end: Int64)] {
        guard from < to else { return [] }
        let lower = Int64(from.timeIntervalSince1970.rounded(.up)), upper = Int64(to.timeIntervalSince1970)
        var result: [(start: Int64, end: Int64)] = []
        var day = zone.local(of: from).startOfDay
        let lastDay = zone.local(of: to).startOfDay
        let firstStep = (start + stepMinutes - 1) / stepMinutes * stepMinutes
        while day <= lastDay {
            if days.contains(MeetingTimeParser.weekday(day)) {
                var minute = firstStep
                while minute * 60 + durationSeconds <= end * 60 {
                    let local = LocalDateTime(year: day.year, month: day.month, day: day.day, hour: minute / 60, minute: minute % 60)
                    let begin = Int64(zone.date(of: local).timeIntervalSince1970)
                    if begin >= lower, begin < upper { result.append((begin, begin + Int64(durationSeconds))) }
                    minute += stepMinutes
                }
            }
            day = day.addingDays(1)
        }
        return result.sorted { $0.start < $1.start }
    }
}

/// Interval arithmetic on half-open [start, end) Unix-second intervals.
enum FreeTime {
    /// The union of intervals: sorted, disjoint, touching ones kept apart (they do not conflict).
    static func merged(_ intervals: [(Int64, Int64)]) -> [(start: Int64, end: Int64)] {
        var result: [(start: Int64, end: Int64)] = []
        for (start, end) in intervals.sorted(by: { $0.0 < $1.0 }) {
            if let last = result.last, start < last.end {
                result[result.count - 1].end = max(last.end, end)
            } else {
                result.append((start, end))
            }
        }
        return result
    }

    /// True when [start, end) overlaps one of the sorted, disjoint `intervals`.
    static func overlaps(_ intervals: [(start: Int64, end: Int64)], _ start: Int64, _ end: Int64) -> Bool {
        // The first interval ending after `start` is the only one that can overlap first.
        var low = 0, high = intervals.count
        while low < high {
            let middle = (low + high) / 2
            if intervals[middle].end <= start { low = middle + 1 } else { high = middle }
        }
        return low < intervals.count && intervals[low].start < end
    }
}
