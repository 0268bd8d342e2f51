import ArgumentParser
import SwitchboardCLI

/// `dirctl`: the shared directory (units, people, groups, rooms) and the audit log.
@main
struct Dirctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dirctl",
        abstract: "Run the Switchboard directory and read, verify and export its audit log.",
        discussion: """
            The helpdesk runs units, people, groups and rooms; auditors verify and export the
            tamper-evident record of every administrative action.

            Examples:
              dirctl init --admin lan.tran --name "Trần Thị Lan"
              dirctl unit add IT --name "Trung tâm Công nghệ thông tin"
              dirctl person add an.nguyen --name "Nguyễn Văn An" --email an@bo.gov.vn
              dirctl person search nguyen
              dirctl audit verify
            """,
        version: SwitchboardVersion.current,
        subcommands: [InitCommand.self, UnitCommand.self, PersonCommand.self, GroupCommand.self, RoomCommand.self,
                      AuditCommand.self, BackupCommand.self, RestoreCommand.self, DoctorCommand.self]
    )

    /// `--config`, `--as`, `--json` and `--verbose` anywhere on the line: read here, before the
    /// subcommand, and handed to the command's own `@OptionGroup` (argument-parser reuses a
    /// group of the same type already decoded by a parent command).
    @OptionGroup var global: GlobalOptions

    static func main() async {
        await ToolMain.run(Self.self)
    }
}
