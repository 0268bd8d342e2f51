import ArgumentParser
import Foundation
import HealthMonitor
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

/// `healthd report`: the monthly availability report for the ministry.
struct ReportCommand: HealthdCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a month's availability report: text, CSV and an HTML page.",
        discussion: """
            Availability is time-weighted: each probe's result holds until the next one,
            planned maintenance is left out, and time with no result (the monitor was
            stopped) is counted apart, never as up or down. Month boundaries are midnight
            in health.time_zone.

            Writes health-YYYY-MM.txt, health-YYYY-MM.csv and health-YYYY-MM.html (self-
            contained: inline styles and an SVG chart per service) into --out, and prints
            the text.

            Examples:
              healthd report --month 2026-11
              healthd report --month 2026-11 --out /srv/reports --quiet
              healthd report --month 2026-11 --json
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The month, YYYY-MM (default: last month).", valueName: "YYYY-MM")) var month: String?
    @Option(help: ArgumentHelp("The folder the three files go to (default: the current folder).", valueName: "dir")) var out: String = "."
    @Flag(help: "Do not print the text report.") var quiet = false

    func run(in context: CommandContext) async throws {
        try context.session.authorize(.healthRead, target: "health")
        let settings = try context.healthSettings
        let chosen = try month ?? Self.lastMonth(zone: settings.timeZone)
        guard chosen.range(of: #"^[0-9]{4}-(0[1-9]|1[0-2])$"#, options: .regularExpression) != nil else {
            throw UsageError("--month \"\(chosen)\": expected a month as YYYY-MM, such as 2026-11")
        }
        let history = try settings.readHistory()
        let now = Date()
        let report = MonthlyReport(month: chosen, timeZone: settings.timeZone, title: settings.title, language: settings.language)
        let maintenance = try MaintenanceBook(session: context.session).entries(from: now.addingTimeInterval(-400 * 86_400), to: now)
            + MaintenanceCalendar(windows: settings.allMaintenanceWindows).entries(from: now.addingTimeInterval(-62 * 86_400), to: now)
        let data = try report.build(services: settings.services, history: history,
                                    incidents: try IncidentLog(session: context.session).incidents(since: now.addingTimeInterval(-400 * 86_400)),
                                    maintenance: maintenance, now: now)
        let base = (out as NSString).appendingPathComponent("health-\(chosen)")
        let text = report.text(data)
        try AtomicFile.write(text, to: base + ".txt", mode: 0o644)
        try AtomicFile.write(report.csv(data), to: base + ".csv", mode: 0o644)
        try AtomicFile.write(report.html(data), to: base + ".html", mode: 0o644)
        if global.json {
            try Console.json(["month": chosen, "text": base + ".txt", "csv": base + ".csv", "html": base + ".html"])
        } else {
            if !quiet { Console.out(text) }
            Console.error("healthd: wrote \(base).txt, .csv and .html")
        }
    }

    /// The month before the current one, in `zone`.
    static func lastMonth(zone: String) throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? .current
        guard let date = calendar.date(byAdding: .month, value: -1, to: Date()) else { throw UsageError("cannot tell last month; give --month YYYY-MM") }
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }
}
