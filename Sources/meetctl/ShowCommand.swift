import ArgumentParser
import Foundation
import ICalendar
import Scheduling
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

/// `meetctl show ID`: a meeting and who is coming.
struct ShowCommand: MeetctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a meeting and who accepted, declined or has not answered.",
        discussion: """
            The meeting by its number or its iCalendar UID. Times are shown in the
            config's zone (locale.time_zone) or the one --tz names. Answers come from
            `meetctl replies sync`; answers for one occurrence are listed under it.

            Examples:
              meetctl show 42
              meetctl show 42 --tz Europe/Berlin
              meetctl show 5f0c3a7e-1b2d@bonoivu.demo.gov.vn --json
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The meeting's number or UID.") var meeting: String
    @Option(help: "Show times in this IANA zone (default: locale.time_zone).") var tz: String?

    func run(in context: CommandContext) async throws {
        let zone = try context.zone(tz)
        let status = try context.scheduler.status(of: meeting)
        if global.json {
            try Console.json(status)
            return
        }
        for line in Self.lines(status, zone: zone) { Console.out(line) }
    }

    /// The text of `show`, one line each.
    static func lines(_ status: MeetingStatus, zone: CalendarZone) -> [String] {
        let meeting = status.meeting
        var lines = ["Meeting #\(meeting.id): \(meeting.title)" + (meeting.status == "cancelled" ? " (CANCELLED)" : "")]
        var organizer = "Organizer: \(meeting.organizerName) (\(meeting.organizerLogin))"
        if let sentBy = meeting.sentByLogin { organizer += ", booked by \(sentBy)" }
        lines.append(organizer)
        let minutes = meeting.durationSeconds / 60
        let length = minutes % 60 == 0 ? "\(minutes / 60) h" : (minutes >= 60 ? "\(minutes / 60) h \(minutes % 60) min" : "\(minutes) min")
        var when = "When: \(show(status.start, zone)), \(length)"
        if let recurrence = status.recurrence { when += ", \(recurrence)" }
        lines.append(when)
        if meeting.timeZone != zone.identifier { lines.append("      (defined in \(meeting.timeZone); shown in \(zone.identifier))") }
        if meeting.isRecurring {
            var next = "Occurrences: \(status.occurrenceCount) booked"
            if let start = status.nextStart { next += ", next \(show(start, zone))" }
            lines.append(next)
        }
        if let room = meeting.roomName {
            lines.append("Room: \(room)" + ((meeting.roomLocation ?? "").isEmpty ? "" : " (\(meeting.roomLocation ?? ""))"))
        }
        if !meeting.joinURL.isEmpty { lines.append("Join: \(meeting.joinURL)") }
        lines.append("UID: \(meeting.uid)")
        for (label, people) in [("Accepted", status.accepted), ("Declined", status.declined), ("Tentative", status.tentative),
                                ("Not yet answered", status.pending)] {
            lines.append("\(label) (\(people.count)):")
            for person in people {
                var entry = "  " + (person.name.isEmpty ? person.address : "\(person.name) <\(person.address)>")
                if person.role == "CHAIR" { entry += " (organizer)" }
                if person.partstat == "DELEGATED" { entry += " (delegated)" }
                lines.append(entry)
            }
        }
        if !status.occurrenceAnswers.isEmpty {
            lines.append("Answers for single occurrences:")
            var last = ""
            for answer in status.occurrenceAnswers {
                if answer.recurrenceID != last {
                    lines.append("  " + (answer.start.map { show($0, zone) } ?? answer.recurrenceID) + ":")
                    last = answer.recurrenceID
                }
                lines.append("    " + (answer.name.isEmpty ? answer.address : "\(answer.name) <\(answer.address)>") + ": " + answer.partstat.lowercased())
            }
        }
        return lines
    }

    /// `Tue 2026-12-08 09:00` in `zone`.
    static func show(_ date: Date, _ zone: CalendarZone) -> String {
        let local = zone.local(of: date)
        let days = (date.timeIntervalSince1970 + Double(zone.offsetSeconds(at: date))) / 86_400
        let names = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let weekday = names[((Int(days.rounded(.down)) % 7) + 7) % 7]
        return weekday + " " + String(format: "%04d-%02d-%02d %02d:%02d", local.year, local.month, local.day, local.hour, local.minute)
    }
}
