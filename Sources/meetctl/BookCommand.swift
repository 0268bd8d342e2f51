import ArgumentParser
import Foundation
import ICalendar
import Scheduling
import SwitchboardCLI
import SwitchboardCore

struct BookCommand: MeetctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "book", abstract: "Book a meeting, a room or a videoconference, and invite people.",
        discussion: """
            Attendees (--with, repeat or separate with commas): logins, e-mail
            addresses, group:NAME (nested groups too) and unit:CODE (with the units
            under it). The room is never double-booked; busy attendees are listed
            and refuse the booking unless --allow-conflicts. Invites go out after
            the booking is stored; when the mail server is down they wait in
            `meetctl outbox` and the booking stands.

            Start: 2026-12-08T09:00, "today 14:00", "tomorrow 9:30", "thu 8:00",
            "next mon 8:00", "08/12/2026 9:00". Duration: 1h, 90m, 1h30.
            Repeat: "weekly on tue,thu until 2027-03-31", "daily count 10",
            "monthly on the last fri", "every 2 weeks", "weekdays".

            Examples:
              meetctl book "Giao ban tuần" --start "mon 8:00" --duration 1h \\
                  --with unit:VP --room "Phòng họp VC" --repeat "weekly"
              meetctl book "Họp dự án" --start "tomorrow 14:00" --end 15:30 \\
                  --with an.nguyen,binh.tran --virtual
              meetctl book "Tập huấn" --start 2026-12-10T08:00 --duration 4h \\
                  --with group:tap-huan --room "Hội trường" --organizer lan.pham
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The title (one line).") var title: String
    @Option(help: "When it starts (see above).") var start: String
    @Option(help: "How long it lasts: 1h, 90m, 1h30.") var duration: String?
    @Option(help: "When it ends: a time on the start's day (15:30) or a full date and time.") var end: String?
    @Option(name: .customLong("with"), help: ArgumentHelp("Who is invited (repeat, or separate with commas).", valueName: "who"))
    var attendees: [String] = []
    @Option(help: "The room, by name (`dirctl room list`).") var room: String?
    @Flag(help: "A videoconference with a join link of its own.") var virtual = false
    @Option(name: .customLong("repeat"), help: "A recurrence in words (see above).") var repeatPhrase: String?
    @Option(help: "A raw RRULE instead of --repeat (FREQ=WEEKLY;BYDAY=TU;COUNT=10).") var rrule: String?
    @Option(help: "The time zone of the start (default: the configured one).") var tz: String?
    @Option(help: "The agenda text; `-` reads it from standard input.") var agenda: String?
    @Option(help: "Book for this person (helpdesk): they organize, you are SENT-BY.") var organizer: String?
    @Flag(help: "Book even when attendees are busy (never over a taken room).") var allowConflicts = false
    @Flag(help: "Check everything, store and send nothing.") var dryRun = false

    func validate() throws {
        if (duration == nil) == (end == nil) { throw ValidationError("give one of --duration and --end") }
        if repeatPhrase != nil, rrule != nil { throw ValidationError("give one of --repeat and --rrule") }
    }

    func run(in context: CommandContext) async throws {
        let scheduler = try context.scheduler
        let zone = try context.zone(tz)
        let now = Date()
        let first = try MeetingTimeParser.start(start, now: now, zone: zone)
        let seconds: Int
        if let duration {
            seconds = try MeetingTimeParser.duration(duration)
        } else {
            let last = try MeetingTimeParser.end(end ?? "", start: first, now: now, zone: zone)
            seconds = Int(zone.date(of: last).timeIntervalSince(zone.date(of: first)))
            guard seconds > 0 else { throw SchedulingError(.invalidInput, "--end \(last) is not after --start \(first)") }
        }
        var request = BookingRequest(title: title, start: first, zone: zone, durationSeconds: seconds)
        if let repeatPhrase { request.rule = try RepeatPhrase.rule(repeatPhrase, zone: zone) }
        if let rrule {
            do { request.rule = try RecurrenceRule(rrule) } catch { throw SchedulingError(.invalidInput, "--rrule: \(error)") }
        }
        request.attendees = AttendeeResolver.specs(attendees)
        request.room = room
        request.virtual = virtual
        request.organizer = organizer
        request.allowConflicts = allowConflicts
        request.dryRun = dryRun
        if let agenda { request.agenda = agenda == "-" ? (String(data: FileHandle.standardInput.readDataToEndOfFile(), encoding: .utf8) ?? "") : agenda }
        let result = try scheduler.book(request)
        if global.json {
            try Console.json(BookingOutput(result, dryRun: dryRun))
        } else {
            let meeting = result.meeting
            Console.out("\(dryRun ? "Would book" : "Booked") meeting \(meeting.id): \(meeting.title)")
            var fields: [(String, String)] = [("When", "\(meeting.startLocal.replacingOccurrences(of: "T", with: " ").dropLast(3)) \(meeting.timeZone), \(Scheduler.describe(seconds: meeting.durationSeconds))")]
            if meeting.isRecurring {
                fields.append(("Repeats", "\(RecurrenceWords.describe(meeting.rrule, zone: zone, language: "en")) (\(result.occurrenceCount) occurrences booked)"))
            }
            if let room = meeting.roomName { fields.append(("Room", room)) }
            if !meeting.joinURL.isEmpty { fields.append(("Join", meeting.joinURL)) }
            fields.append(("Organizer", meeting.organizerLogin + (meeting.sentByLogin.map { " (booked by \($0))" } ?? "")))
            let invited = result.attendees.filter { $0.role != "CHAIR" }.map { $0.login ?? $0.address }
            fields.append(("Invited", invited.isEmpty ? "nobody else (the organizer gets the invite)" : invited.joined(separator: ", ")))
            Console.fields(fields)
            for conflict in result.conflicts {
                Console.out("Note: \(conflict.who) is also in \(conflict.meetingName) at that time")
            }
        }
        if !dryRun {
            try await context.sendInvites(result.notices, action: .meetBook, json: global.json)
        }
    }
}

/// `meetctl book --json`.
struct BookingOutput: Encodable {
    let id: Int64
    let uid: String
    let title: String
    let start: String
    let timeZone: String
    let durationMinutes: Int
    let rrule: String
    let room: String?
    let joinURL: String
    let organizer: String
    let attendees: [String]
    let occurrences: Int
    let conflicts: [BookingConflict]
    let dryRun: Bool
    let invitesQueued: Int

    enum CodingKeys: String, CodingKey {
        case id, uid, title, start, timeZone = "time_zone", durationMinutes = "duration_minutes", rrule, room, joinURL = "join_url"
        case organizer, attendees, occurrences, conflicts, dryRun = "dry_run", invitesQueued = "invites_queued"
    }

    init(_ result: BookingResult, dryRun: Bool) {
        let meeting = result.meeting
        id = meeting.id
        uid = meeting.uid
        title = meeting.title
        start = meeting.startLocal
        timeZone = meeting.timeZone
        durationMinutes = meeting.durationSeconds / 60
        rrule = meeting.rrule
        room = meeting.roomName
        joinURL = meeting.joinURL
        organizer = meeting.organizerLogin
        attendees = result.attendees.filter { $0.role != "CHAIR" }.map(\.address)
        occurrences = result.occurrenceCount
        conflicts = result.conflicts
        self.dryRun = dryRun
        invitesQueued = dryRun ? 0 : result.notices.count
    }
}
