public import ArgumentParser
public import MailAdmin
import SwitchboardCLI
import SwitchboardCore

/// A `mailctl` command that acts on the directory (see ``ToolCommand``).
protocol MailctlCommand: ToolCommand {}

extension MailctlCommand {
    static var tool: String { "mailctl" }
}

extension MailboxStatus: ExpressibleByArgument {}

extension CommandContext {
    /// The mail service acting as this session.
    var mail: MailAdministration {
        get throws { MailAdministration(database: database, session: session, settings: try MailSettings(loaded)) }
    }
}
