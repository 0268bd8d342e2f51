import ArgumentParser
import Foundation
import ICalendar
import Outbox
import Scheduling
import SwitchboardCLI
import SwitchboardCore

/// Prints a change and sends what it queued.
private func report(_ change: MeetingChange, action: Action, context: CommandContext, json: Bool) async throws {
    if json {
        try Console.json(ChangeOutput(id: change.meeting.id, uid: change.meeting.uid, sequence: change.meeting.sequence,
                                      status: change.meeting.status, summary: change.summary, messagesQueued: change.notices.count))
    } else {
        Console.out(change.summary.prefix(1).uppercased() + change.summary.dropFirst())
        for conflict in change.conflicts {
            Console.out("Note: \(conflict.who) is also in \(conflict.meetingName) at that time")
        }
    }
    try await context.sendInvites(change.notices, action: action, json: json)
}

/// `--json` of a change.
private struct ChangeOutput: Encodable {
    let id: Int64, uid: String, sequence: Int, status: String, summary: String, messagesQueued: Int

    enum CodingKeys: String, CodingKey {
        case id, uid, sequence, status, summary, messagesQueued = "messages_queued"
    }
}

struct CancelCommand: MeetctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a meeting, or one occurrence of a series.",
        discussion: """
            Everyone invited gets a cancellation their calendar applies. Cancelling one
            occurrence leaves the rest of the series in place.

            Examples:
              meetctl cancel 42
              meetctl cancel 42 --occurrence 2026-12-15
              meetctl cancel 42 --occurrence 2026-12-15T09:00
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The meeting's number (or UID).") var meeting: String
    @Option(help: "Only this occurrence: its day, or day and start, in the meeting's zone.") var occurrence: String?

    func run(in context: CommandContext) async throws {
        let scheduler = try context.scheduler
        let change = try occurrence.map { try scheduler.cancel(meeting, occurrence: $0) } ?? scheduler.cancel(meeting)
        try await report(change, action: .meetCancel, context: context, json: global.json)
    }
}

struct RescheduleCommand: MeetctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "reschedule", abstract: "Move a meeting, a series or one occurrence; change its room.",
        discussion: """
            Rooms and attendees are checked again; everyone gets the update (SEQUENCE
            raised) and is asked to answer again.

            Examples:
              meetctl reschedule 42 --start "thu 14:00"
              meetctl reschedule 42 --duration 90m --room "Phòng 301"
              meetctl reschedule 42 --occurrence 2026-12-15 --start "2026-12-16 9:00"
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The meeting's number (or UID).") var meeting: String
    @Option(help: "The new start.") var start: String?
    @Option(help: "The new length: 1h, 90m, 1h30.") var duration: String?
    @Option(help: "The new room by name; \"\" for none.") var room: String?
    @Option(help: "Only this occurrence: its day, or day and start.") var occurrence: String?
    @Option(help: "The zone --start is read in (default: the meeting's).") var tz: String?
    @Flag(help: "Move even when attendees are busy (never over a taken room).") var allowConflicts = false

    func validate() throws {
        if start == nil, duration == nil, room == nil { throw ValidationError("give --start, --duration or --room") }
    }

    func run(in context: CommandContext) async throws {
        let scheduler = try context.scheduler
        let current = try scheduler.meeting(meeting)
        let zone = try tz.map { try context.zone($0) } ?? CalendarZone(current.timeZone)
        var change = Scheduler.Reschedule()
        change.zone = zone
        if let start { change.start = try MeetingTimeParser.start(start, now: Date(), zone: zone) }
        if let duration { change.durationSeconds = try MeetingTimeParser.duration(duration) }
        change.room = room
        change.occurrence = occurrence
        change.allowConflicts = allowConflicts
        try await report(try scheduler.reschedule(meeting, change), action: .meetUpdate, context: context, json: global.json)
    }
}

struct AttendeeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attendee", abstract: "Invite more people to a meeting, or take people off it.",
        discussion: """
            Examples:
              meetctl attendee add 42 --with binh.tran,group:phap-che
              meetctl attendee remove 42 --with binh.tran
            """,
        subcommands: [Add.self, Remove.self])

    struct Add: MeetctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Invite more people: they get the invite, the others are not mailed.",
            discussion: "Examples:\n  meetctl attendee add 42 --with binh.tran\n  meetctl attendee add 42 --with unit:TCCB --allow-conflicts")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The meeting's number (or UID).") var meeting: String
        @Option(name: .customLong("with"), help: ArgumentHelp("Who to invite (repeat, or separate with commas).", valueName: "who"))
        var attendees: [String]
        @Flag(help: "Invite even when they are busy.") var allowConflicts = false

        func run(in context: CommandContext) async throws {
            let change = try context.scheduler.addAttendees(meeting, AttendeeResolver.specs(attendees), allowConflicts: allowConflicts)
            try await report(change, action: .meetUpdate, context: context, json: global.json)
        }
    }

    struct Remove: MeetctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Take people off a meeting: each gets a cancellation.",
            discussion: "Example:\n  meetctl attendee remove 42 --with binh.tran")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The meeting's number (or UID).") var meeting: String
        @Option(name: .customLong("with"), help: ArgumentHelp("Who to remove (repeat, or separate with commas).", valueName: "who"))
        var attendees: [String]

        func run(in context: CommandContext) async throws {
            let change = try context.scheduler.removeAttendees(meeting, AttendeeResolver.specs(attendees))
            try await report(change, action: .meetUpdate, context: context, json: global.json)
        }
    }
}

struct MeetOutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Invites waiting for the mail server: list them, send them.",
        discussion: """
            An invite is stored with its meeting and sent after it; when the mail server
            is down it waits here, and the next run sends it exactly once. Each attempt
            is in the audit log as mail.notify.

            Examples:
              meetctl outbox
              meetctl outbox send
            """,
        subcommands: [List.self, Send.self], defaultSubcommand: List.self)

    struct List: MeetctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List what waits or is being sent (staff: what they queued).",
            discussion: "Examples:\n  meetctl outbox list\n  meetctl outbox list --all --json")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Include what was already sent.") var all = false

        func run(in context: CommandContext) throws {
            let entries = try context.mayRunOutbox ? context.outbox.entries(includeSent: all)
                : context.outbox.ownEntries(includeSent: all, authorizedBy: .meetBook)
            if global.json { try Console.json(entries); return }
            guard !entries.isEmpty else { Console.out("The outbox is empty: every invite was sent"); return }
            let zone = context.config.locale.timeZone
            let now = Date()
            Console.table(OutboxEntry.columns, entries.map { $0.cells(zone: zone, now: now) })
        }
    }

    struct Send: MeetctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "send", abstract: "Send what waits once (staff: what they queued); failures wait again.",
            discussion: "Examples:\n  meetctl outbox send\n  meetctl outbox send --json")
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            let report = try await context.mayRunOutbox ? context.outbox.send() : context.outbox.sendOwn(authorizedBy: .meetBook)
            if global.json { try Console.json(report) } else {
                if report.attempts.isEmpty { Console.out("Nothing waits in the outbox") }
                for line in report.lines(tool: "meetctl") { Console.out(line) }
            }
            if !report.failed.isEmpty {
                Console.error("meetctl: \(report.failed.count) of \(report.attempts.count) messages were not sent; they wait in the outbox")
                throw ExitStatus.unavailable
            }
        }
    }
}
