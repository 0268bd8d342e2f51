import ArgumentParser
import Foundation
import ICalendar
import Scheduling
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

/// `meetctl import`: meetings from another calendar system.
struct ImportCommand: MeetctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring meetings over from another calendar (.ics), all or nothing.",
        discussion: """
            Each event becomes a meeting you organize (the helpdesk keeps the file's
            ORGANIZER when it is a colleague); attendees are matched to the directory
            by address, the room by LOCATION. A room booked twice, a UID already
            here for another meeting, or a broken event refuses the whole file, one
            line per problem; busy attendees are listed. No invite is sent.

            Examples:
              meetctl import lich-cu.ics --dry-run
              meetctl import lich-cu.ics
              meetctl import outlook.ics --as hd --progress
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The iCalendar file.", valueName: "file.ics")) var file: String
    @Flag(help: "Check everything and report; store nothing.") var dryRun = false
    @Flag(help: "Show progress on standard error even when it is not a terminal.") var progress = false

    func run(in context: CommandContext) throws {
        let text = try Self.read(file)
        let name = (file as NSString).lastPathComponent
        let force = progress
        let report: CalendarImportReport
        do {
            report = try context.scheduler.importCalendar(text: text, source: name, dryRun: dryRun) { phase, done, total in
                Console.progress(done, total, label: "importing \(name), \(phase)", force: force)
            }
        } catch let refusal as CalendarImportRefusal {
            throw ImportOutput.refuse(refusal.problems, file: name, tool: "meetctl", nothingWritten: "nothing was imported")
        }
        if global.json {
            try Console.json(report)
            return
        }
        let zone = try context.zone(nil)
        let verb = report.dryRun ? "Would import" : "Imported"
        var counts = "\(report.events) events, \(report.imported.count) meetings \(report.dryRun ? "to store" : "stored")"
        if !report.unchanged.isEmpty { counts += ", \(report.unchanged.count) already here unchanged" }
        if report.skippedCancelled > 0 { counts += ", \(report.skippedCancelled) cancelled left out" }
        Console.out("\(verb) \(name): \(counts); no invites sent")
        for conflict in report.attendeeConflicts.prefix(20) {
            let other = conflict.otherMeetingID.map { "meeting \($0)" } ?? "the file's"
            Console.out("  busy: \(conflict.who) \(AgendaFormat.day(AgendaFormat.local(conflict.start, zone))) \(AgendaFormat.clock(conflict.start, zone)) in \(Quoting.quoted(conflict.title)), also in \(other) \(Quoting.quoted(conflict.otherTitle))")
        }
        if report.attendeeConflicts.count > 20 { Console.out("  ... and \(report.attendeeConflicts.count - 20) more busy attendees (--json lists all)") }
    }

    /// The file's text, read with the caller's rights; too big, unreadable or not UTF-8 is one line.
    static func read(_ path: String) throws -> String {
        let limit = CalendarLimits.standard.maxBytes
        let data: Data = try CallerIdentity.perform {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw InputFileError(path: path, problem: "cannot be read (check the path and permissions)")
            }
            defer { try? handle.close() }
            // One byte past the limit says "too big" without reading a huge file whole.
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            guard data.count <= limit else {
                throw InputFileError(path: path, problem: "is larger than \(limit >> 20) MB, more than an import takes: split it into smaller files")
            }
            return data
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputFileError(path: path, problem: "is not UTF-8 text: export the calendar again as .ics (UTF-8)")
        }
        return text
    }
}
