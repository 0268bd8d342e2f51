import ArgumentParser
import Foundation
import ICalendar
import Scheduling
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

/// `meetctl find-time`: the soonest times everyone (and a room) is free.
struct FindTimeCommand: MeetctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "find-time",
        abstract: "Propose the soonest times when every attendee (and a room) is free.",
        discussion: """
            Looks inside working hours (locale.workday_start, workday_end and workdays
            in the config), on steps of meet.slot_minutes, in the config's time zone
            or --tz. You attend too unless --without-me. Slots are ranked earliest
            first and do not overlap one another; with --need-room the smallest free
            room with enough seats is proposed. Outside addresses are invited, but
            their time is not checked. When nothing is free, it says who is busiest.

            Within: today, tomorrow, "this week", "next week", "next 2 weeks",
            "next 10 days", or one day (2026-12-08). Default: "next 2 weeks".

            Examples:
              meetctl find-time --with an.nguyen,binh.tran --duration 1h
              meetctl find-time --with group:lanh-dao --duration 90m --within "next week"
              meetctl find-time --with unit:VP --duration 1h --need-room 12
              meetctl find-time --with an.nguyen --duration 30m \\
                  --from 2026-12-07 --to 2026-12-11 --room "Phòng họp 2"
            """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("with"), help: ArgumentHelp("Attendees: logins, addresses, group:NAME, unit:CODE (repeat or use commas).", valueName: "who"))
    var with: [String] = []
    @Option(help: ArgumentHelp("Length: 1h, 90m, 1h30.", valueName: "duration")) var duration: String
    @Option(help: ArgumentHelp("Where to look (see above).", valueName: "phrase")) var within: String?
    @Option(help: ArgumentHelp("First day (or day and time) to look at.", valueName: "day")) var from: String?
    @Option(help: ArgumentHelp("Last day to look at (included).", valueName: "day")) var to: String?
    @Option(help: ArgumentHelp("This room must be free too.", valueName: "name")) var room: String?
    @Option(name: .customLong("need-room"), help: ArgumentHelp("Some physical room with this many seats must be free.", valueName: "seats"))
    var needRoom: Int?
    @Option(help: "How many slots to propose.") var count = 5
    @Option(help: ArgumentHelp("Time zone of working hours and of the answer (an IANA name).", valueName: "zone")) var tz: String?
    @Flag(name: .customLong("without-me"), help: "Do not count your own meetings (finding a time for others).")
    var withoutMe = false

    func validate() throws {
        if room != nil, needRoom != nil { throw ValidationError("give --room or --need-room, not both") }
        if within != nil, from != nil || to != nil { throw ValidationError("give --within or --from and --to, not both") }
        if (from == nil) != (to == nil) { throw ValidationError("--from and --to go together") }
        if AttendeeResolver.specs(with).isEmpty { throw ValidationError("--with: name at least one attendee") }
    }

    func run(in context: CommandContext) throws {
        let scheduler = try context.scheduler
        let zone = try context.zone(tz)
        let now = scheduler.clock.now()
        let window = if let from, let to {
            try FindTimeWindow.between(from, to, now: now, zone: zone)
        } else {
            try FindTimeWindow.within(within ?? "next 2 weeks", now: now, zone: zone)
        }
        var request = FindTimeRequest(attendees: AttendeeResolver.specs(with), durationSeconds: try MeetingTimeParser.duration(duration),
                                      from: window.from, to: window.to, zone: zone)
        request.room = room
        request.seats = needRoom
        request.count = count
        request.includeActor = !withoutMe
        let result = try scheduler.findTime(request)
        if global.json {
            try Console.json(FindTimeOutput(result, zone: zone))
            return
        }
        let hours = context.config.locale
        let rule = "starts every \(scheduler.settings.slotMinutes) min within \(hours.workdayStart)-\(hours.workdayEnd), \(hours.workdays.joined(separator: ","))"
        guard !result.slots.isEmpty else {
            let busiest = result.blockers.prefix(3).map { "\($0.who) (busy in \($0.busySlots) of \(result.candidates))" }
            let reason = result.candidates == 0 ? "the window holds no working time (\(rule))"
                : "busiest: \(busiest.joined(separator: ", "))"
            throw SchedulingError(.conflict, "no free time for everyone between \(AgendaFormat.day(AgendaFormat.local(Int64(window.from.timeIntervalSince1970), zone))) and \(AgendaFormat.day(AgendaFormat.local(Int64(window.to.timeIntervalSince1970) - 1, zone))); \(reason): try a wider --within, a shorter --duration, or fewer people")
        }
        Console.out("Free for \(result.people.count) \(result.people.count == 1 ? "person" : "people") (\(result.people.joined(separator: ", "))), \(duration), \(zone.identifier):")
        for slot in result.slots {
            let line = "  \(AgendaFormat.day(AgendaFormat.local(slot.start, zone)))  \(AgendaFormat.span(slot.start, slot.end, zone))"
            Console.out(slot.room.map { line + "  " + $0 } ?? line)
        }
        Console.out("Earliest first, no two overlapping; \(rule).")
        if !result.unchecked.isEmpty {
            Console.out("Not checked (outside the directory): \(result.unchecked.joined(separator: ", ")).")
        }
    }
}

/// find-time's `--json`.
struct FindTimeOutput: Encodable {
    struct Slot: Encodable { var start: String, end: String, room: String? }
    var slots: [Slot]
    var people: [String]
    var unchecked: [String]
    var candidates: Int
    var blockers: [FindTimeBlocker]
    var rooms: [String]
    var timeZone: String

    enum CodingKeys: String, CodingKey {
        case slots, people, unchecked, candidates, blockers, rooms, timeZone = "time_zone"
    }

    init(_ result: FindTimeResult, zone: CalendarZone) {
        slots = result.slots.map { Slot(start: AgendaFormat.iso($0.start, zone), end: AgendaFormat.iso($0.end, zone), room: $0.room) }
        people = result.people
        unchecked = result.unchecked
        candidates = result.candidates
        blockers = result.blockers
        rooms = result.rooms
        timeZone = zone.identifier
    }
}
