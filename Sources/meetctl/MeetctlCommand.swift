import MailAdmin
import Scheduling
import SwitchboardCLI
import SwitchboardCore

/// A `meetctl` command that acts on the directory (see ``ToolCommand``).
protocol MeetctlCommand: ToolCommand {}

extension MeetctlCommand {
    static var tool: String { "meetctl" }
}

extension CommandContext {
    /// The `meet:` settings of this config.
    var meetSettings: MeetSettings {
        get throws { try MeetSettings(loaded) }
    }
}
