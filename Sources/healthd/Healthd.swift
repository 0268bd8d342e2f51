import ArgumentParser
import SwitchboardCLI

/// `healthd`: the service-health monitor (probes, state, history and SLA, alerts, endpoints).
@main
struct Healthd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthd",
        abstract: "Watch the IT center's services: probes, incidents, alerts, SLA and a status page.",
        discussion: """
            `healthd serve` is the daemon: it probes every service of the `health:`
            section of the configuration on its interval, mails alerts, keeps history
            and SLA in its own SQLite file, and serves /metrics, /api/v1/status and a
            status page. The other commands are for operators and Nagios/Icinga.

            Examples:
              healthd serve
              healthd check portal            # Nagios plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
              healthd status
              healthd report --month 2026-11 --out /srv/reports
              healthd maintenance add --service mail-imap --start "2026-12-06 22:00" --end "2026-12-06 23:30" --reason "Dovecot upgrade"
              healthd ack portal --note "Vendor called, fix under way"
            """,
        version: SwitchboardVersion.current,
        subcommands: [ServeCommand.self, CheckCommand.self, StatusCommand.self, ReportCommand.self, MaintenanceCommand.self,
                      AckCommand.self, ConfigCommand.self]
    )

    /// `--config`, `--as`, `--json` and `--verbose` anywhere on the line.
    @OptionGroup var global: GlobalOptions

    static func main() async {
        await ToolMain.run(Self.self)
    }
}

/// A `healthd` command that acts on the directory (see ``ToolCommand``).
protocol HealthdCommand: ToolCommand {}

extension HealthdCommand {
    static var tool: String { "healthd" }
}
