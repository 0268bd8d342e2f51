import ArgumentParser
import Foundation
import HealthMonitor
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

extension CommandContext {
    /// The `health:` settings of this config.
    var healthSettings: HealthSettings {
        get throws { try HealthSettings(loaded) }
    }

    /// A time typed on the command line, in the monitor's zone unless it carries one.
    func healthTime(_ text: String, option: String, zone: String) throws -> Date {
        try DateArgument.parse(text, zone: zone, option: option)
    }
}

/// `healthd maintenance`: planned windows that silence alerts and are left out of SLA.
struct MaintenanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance", abstract: "Plan, list and end maintenance windows.",
        discussion: """
            During a window the services it names are still probed and recorded, but
            raise no alert and their time is left out of SLA. Windows written in the
            configuration (one-off or weekly) are listed too; those planned here are
            stored in the directory and each change is an audit event (health.maintenance).
            The running daemon picks them up within 15 seconds.

            Examples:
              healthd maintenance add --service mail-imap --service mail-smtp \\
                  --start "2026-12-06 22:00" --end "2026-12-06 23:30" --reason "Dovecot 2.4 upgrade"
              healthd maintenance add --service portal --start now --duration 45m --reason "Certificate renewal"
              healthd maintenance list
              healthd maintenance end 12
            """,
        subcommands: [Add.self, List.self, End.self], defaultSubcommand: List.self)

    struct Add: HealthdCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Plan a maintenance window.",
            discussion: """
                Times are in health.time_zone unless they carry a zone (\(DateArgument.accepted)).
                Give --end or --duration.

                Examples:
                  healthd maintenance add --service portal --start "2026-12-06 22:00" --duration 90m --reason "Upgrade"
                  healthd maintenance add --service '*' --start now --duration 30m --reason "Core switch replacement"
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("service"), help: "A service it covers (repeat; '*' for all).") var services: [String] = []
        @Option(help: "When it starts.") var start: String
        @Option(help: "When it ends.") var end: String?
        @Option(help: "How long it lasts: 90m, 2h, 1h30.") var duration: String?
        @Option(help: "Why (shown on the status page).") var reason: String

        func run(in context: CommandContext) async throws {
            let settings = try context.healthSettings
            guard !services.isEmpty else { throw UsageError("maintenance add needs at least one --service (or --service '*')") }
            let startDate = try context.healthTime(start, option: "--start", zone: settings.timeZone)
            let endDate: Date
            switch (end, duration) {
            case (let end?, nil): endDate = try context.healthTime(end, option: "--end", zone: settings.timeZone)
            case (nil, let duration?):
                guard let seconds = DurationText.seconds(duration) else {
                    throw UsageError("--duration \"\(duration)\": expected a length such as 45m, 2h or 1h30")
                }
                endDate = startDate.addingTimeInterval(seconds)
            default: throw UsageError("maintenance add needs exactly one of --end and --duration")
            }
            let request = MaintenanceRequest(services: services, start: startDate, end: endDate, reason: reason)
            let entry = try MaintenanceBook(session: context.session)
                .plan(request, known: Set(settings.services.map(\.name)), origin: "cli", now: Date())
            if global.json {
                try Console.json(entry)
            } else {
                Console.out("maintenance #\(entry.id.map(String.init) ?? "?") planned: \(entry.services.joined(separator: ", ")) "
                            + "from \(Timestamp.display(Timestamp.format(entry.start), zone: settings.timeZone)) "
                            + "to \(Timestamp.display(Timestamp.format(entry.end), zone: settings.timeZone)) (\(settings.timeZone)): \(entry.reason)")
            }
        }
    }

    struct List: HealthdCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List maintenance active now or planned in the next days.",
            discussion: """
                Examples:
                  healthd maintenance list
                  healthd maintenance list --days 30 --json
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many days ahead.") var days = 7

        func run(in context: CommandContext) async throws {
            guard (1...366).contains(days) else { throw UsageError("--days must be between 1 and 366") }
            let settings = try context.healthSettings
            let now = Date()
            let until = now.addingTimeInterval(Double(days) * 86_400)
            let stored = try MaintenanceBook(session: context.session).entries(from: now, to: until)
            let configured = MaintenanceCalendar(windows: settings.allMaintenanceWindows).entries(from: now, to: until)
            let entries = (stored + configured).sorted { $0.start < $1.start }
            if global.json {
                try Console.json(entries)
                return
            }
            guard !entries.isEmpty else {
                Console.out("no maintenance in the next \(days) day\(days == 1 ? "" : "s")")
                return
            }
            let rows = entries.map { entry in
                [entry.id.map { "#\($0)" } ?? "config", entry.services.joined(separator: ","),
                 Timestamp.display(Timestamp.format(entry.start), zone: settings.timeZone),
                 Timestamp.display(Timestamp.format(entry.end), zone: settings.timeZone),
                 entry.createdBy ?? "-", entry.reason]
            }
            Console.table(["ID", "SERVICES", "START", "END", "BY", "REASON"], rows)
        }
    }

    struct End: HealthdCommand {
        static let configuration = CommandConfiguration(
            commandName: "end", abstract: "End a planned window now (or cancel one that has not begun).",
            discussion: """
                Examples:
                  healthd maintenance end 12
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The window's number (maintenance list).") var id: Int64

        func run(in context: CommandContext) async throws {
            try MaintenanceBook(session: context.session).end(id: id, now: Date())
            Console.out("maintenance #\(id) ended")
        }
    }
}

/// `healthd ack`: an operator takes an incident, so reminders stop.
struct AckCommand: HealthdCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack", abstract: "Acknowledge a service's open incident (stops reminders).",
        discussion: """
            Recorded on the incident (who, when, the note) and in the audit log
            (health.ack); the status page shows it. The daemon stops reminding within
            15 seconds; the resolved mail still goes out.

            Examples:
              healthd ack portal --note "Vendor called, fix under way"
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The service.") var service: String
    @Option(help: "What is being done.") var note: String

    func run(in context: CommandContext) async throws {
        let incident = try MaintenanceBook(session: context.session).acknowledge(service: service, note: note, now: Date())
        if global.json {
            try Console.json(incident)
        } else {
            Console.out("\(service): incident #\(incident.id) acknowledged by \(context.session.login)")
        }
    }
}

/// `healthd config check`: the `health:` section, checked as the daemon would load it.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the health: section of the configuration.",
        subcommands: [Check.self], defaultSubcommand: Check.self)

    struct Check: HealthdCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Load the health: section as the daemon would (exit 78 when it is refused).",
            discussion: """
                Checks every key, kind, condition, duration and dependency, and that every
                owner and alert recipient is a directory person, group or unit. Run it
                before `systemctl reload healthd`.

                Examples:
                  healthd config check
                  healthd config check --config /etc/switchboard/switchboard.yaml.new
                """)
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            let settings = try context.healthSettings
            try settings.validateRecipients(in: context.database)
            let groups = Set(settings.services.map(\.group)).count
            Console.out("\(context.loaded.file ?? "built-in defaults"): health: \(settings.services.count) services in \(groups) group\(groups == 1 ? "" : "s"), history in \(settings.historyFile)")
        }
    }
}

/// Lengths typed on the command line: `45m`, `2h`, `1h30`, `90s`, `1d`.
enum DurationText {
    static func seconds(_ text: String) -> Double? {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in lower {
            if character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch character {
            case "d": total += value * 86_400
            case "h": total += value * 3_600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        if !number.isEmpty {
            // "1h30": minutes after hours.
            guard sawUnit, lower.contains("h"), let value = Double(number) else { return nil }
            total += value * 60
        }
        return total > 0 ? total : nil
    }
}
