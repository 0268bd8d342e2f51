import ArgumentParser
import Foundation
import ICalendar
import Scheduling
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

/// `meetctl export`: someone's meetings as an .ics file.
struct ExportCommand: MeetctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write someone's meetings as an iCalendar (.ics) file.",
        discussion: """
            The meetings you organize or attend (not declined), as METHOD:PUBLISH:
            each series once with its RRULE, cancelled occurrences as EXDATE, moved
            ones as overrides. With --from/--to, the meetings with an occurrence in
            those days (a series is still written whole). Without --output the
            calendar goes to standard output. Another person's calendar: helpdesk.

            Examples:
              meetctl export --output lich.ics
              meetctl export --from 2026-12-01 --to 2026-12-31 > thang12.ics
              meetctl export --person an.nguyen --output an.ics
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Whose meetings, by login (helpdesk).", valueName: "login"), completion: Completions.logins) var person: String?
    @Option(help: ArgumentHelp("First day: 2026-12-01, today.", valueName: "day")) var from: String?
    @Option(help: ArgumentHelp("Last day (included).", valueName: "day")) var to: String?
    @Option(help: ArgumentHelp("The file to write (mode 0600), else standard output.", valueName: "file.ics")) var output: String?
    @Option(help: ArgumentHelp("Zone --from and --to are read in (an IANA name).", valueName: "zone")) var tz: String?

    func run(in context: CommandContext) throws {
        let scheduler = try context.scheduler
        let zone = try context.zone(tz)
        let now = scheduler.clock.now()
        let lower = try from.map { zone.date(of: try AgendaFormat.day($0, now: now, zone: zone)) }
        let upper = try to.map { zone.date(of: AgendaFormat.nextDay(try AgendaFormat.day($0, now: now, zone: zone))) }
        let export = try scheduler.exportCalendar(of: person, from: lower, to: upper)
        let sink = try OutputSink(path: output)
        sink.write(export.text)
        try sink.close()
        if let output {
            let line = "Wrote \(export.meetings) meeting(s) (\(export.events) event(s)) of \(person ?? context.session.login) to \(output)"
            if global.json { Console.error(line) } else { Console.out(line) }
        }
    }
}
