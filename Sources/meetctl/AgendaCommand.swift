import ArgumentParser
import Foundation
import ICalendar
import Scheduling
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

/// `meetctl agenda`: one line per meeting of a day or a week.
struct AgendaCommand: MeetctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "agenda",
        abstract: "List the meetings of a day or a week: yours, a colleague's or a room's.",
        discussion: """
            One line per occurrence: time, meeting number, title, room or "online",
            organizer, and the answer when it is not yet "accepted". Times are in the
            config's time zone, or --tz. A colleague's or a room's meetings that you
            neither attend nor organize show as "busy" (the helpdesk sees all).

            Examples:
              meetctl agenda
              meetctl agenda --week
              meetctl agenda --person an.nguyen --date tomorrow
              meetctl agenda --room "Phòng họp VC" --week --date 2026-12-07
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("A colleague's agenda, by login.", valueName: "login"), completion: Completions.logins) var person: String?
    @Option(help: ArgumentHelp("A room's agenda, by name.", valueName: "name")) var room: String?
    @Flag(help: "One day (the default).") var day = false
    @Flag(help: "The week (Monday to Sunday) holding the date.") var week = false
    @Option(help: ArgumentHelp("The day: today, tomorrow, yesterday, 2026-12-08, 08/12/2026.", valueName: "day")) var date = "today"
    @Option(help: ArgumentHelp("Show times in this zone (an IANA name).", valueName: "zone")) var tz: String?

    func validate() throws {
        if person != nil, room != nil { throw ValidationError("give --person or --room, not both") }
        if day, week { throw ValidationError("give --day or --week, not both") }
    }

    func run(in context: CommandContext) throws {
        let scheduler = try context.scheduler
        let zone = try context.zone(tz)
        let chosen = try AgendaFormat.day(date, now: scheduler.clock.now(), zone: zone)
        let first = week ? AgendaFormat.monday(of: chosen) : chosen
        let days = week ? 7 : 1
        let subject: AgendaSubject = if let person { .person(person) } else if let room { .room(room) } else { .me }
        var last = first
        for _ in 0..<days { last = AgendaFormat.nextDay(last) }
        let agenda = try scheduler.agenda(of: subject, from: zone.date(of: first), to: zone.date(of: last))
        if global.json {
            try Console.json(AgendaOutput(agenda, zone: zone))
            return
        }
        let whose = agenda.isRoom ? "room \(agenda.subject)" : agenda.subject
        let span = week ? "week of \(AgendaFormat.day(first))" : AgendaFormat.day(first)
        Console.out("Agenda of \(whose), \(span) (\(zone.identifier))")
        guard !agenda.entries.isEmpty else {
            Console.out("  no meetings")
            return
        }
        var shownDay = ""
        for entry in agenda.entries {
            let day = AgendaFormat.day(AgendaFormat.local(entry.start, zone))
            if week, shownDay != day {
                shownDay = day
                Console.out(day)
            }
            Console.out("  " + Self.line(entry, zone: zone))
        }
    }

    /// `09:00-10:00  #12 Giao ban tuần  Phòng họp VC  (an.nguyen)  tentative`.
    static func line(_ entry: AgendaEntry, zone: CalendarZone) -> String {
        let time = AgendaFormat.span(entry.start, entry.end, zone)
        guard let id = entry.meetingID, !entry.hidden else { return "\(time)  busy" }
        var parts = [time, "#\(id) \(Quoting.escaped(entry.title, limit: 80))"]
        if let room = entry.room { parts.append(Quoting.escaped(room)) } else if entry.joinURL != nil { parts.append("online") }
        if let organizer = entry.organizer { parts.append("(\(organizer))") }
        if let answer = entry.answer, answer != "ACCEPTED" {
            parts.append(answer == "NEEDS-ACTION" ? "not answered" : answer.lowercased())
        }
        return parts.joined(separator: "  ")
    }
}

/// agenda's `--json`.
struct AgendaOutput: Encodable {
    struct Entry: Encodable {
        var meetingID: Int64?
        var start: String, end: String
        var title: String
        var room: String?, joinURL: String?, organizer: String?, answer: String?
        var hidden: Bool, recurring: Bool

        enum CodingKeys: String, CodingKey {
            case meetingID = "meeting_id", start, end, title, room, joinURL = "join_url", organizer, answer, hidden, recurring
        }
    }
    var subject: String
    var isRoom: Bool
    var from: String, to: String
    var timeZone: String
    var entries: [Entry]

    enum CodingKeys: String, CodingKey {
        case subject, isRoom = "is_room", from, to, timeZone = "time_zone", entries
    }

    init(_ agenda: Agenda, zone: CalendarZone) {
        subject = agenda.subject
        isRoom = agenda.isRoom
        from = AgendaFormat.iso(agenda.from, zone)
        to = AgendaFormat.iso(agenda.to, zone)
        timeZone = zone.identifier
        entries = agenda.entries.map {
            Entry(meetingID: $0.meetingID, start: AgendaFormat.iso($0.start, zone), end: AgendaFormat.iso($0.end, zone), title: $0.title,
                  room: $0.room, joinURL: $0.joinURL, organizer: $0.organizer, answer: $0.answer, hidden: $0.hidden, recurring: $0.recurring)
        }
    }
}
