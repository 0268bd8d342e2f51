import ArgumentParser
import SwitchboardCLI

/// `meetctl`: staff book videoconferences and rooms; attendees get iCalendar invites by mail.
@main
struct Meetctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meetctl",
        abstract: "Book meetings, videoconferences and rooms; invite colleagues; read their answers.",
        discussion: """
            Rooms and people come from the directory (dirctl). Invites are real iCalendar
            mail that Outlook, Gmail, Thunderbird and phones show with Accept and Decline.

            Examples:
              meetctl book "Giao ban tuần" --start "mon 8:00" --duration 1h \\
                  --with unit:VP --room "Phòng họp VC" --repeat "weekly until 2027-03-31"
              meetctl find-time --with an.nguyen,group:lanh-dao --duration 1h
              meetctl agenda --week
            """,
        version: SwitchboardVersion.current,
        subcommands: [BookCommand.self, ShowCommand.self, RescheduleCommand.self, CancelCommand.self, AttendeeCommand.self,
                      RepliesCommand.self, MeetOutboxCommand.self, FindTimeCommand.self, AgendaCommand.self, ExportCommand.self,
                      ImportCommand.self]
    )

    /// `--config`, `--as`, `--json` and `--verbose` anywhere on the line (see mailctl).
    @OptionGroup var global: GlobalOptions

    static func main() async {
        await ToolMain.run(Self.self)
    }
}
