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

/// Completion of mailbox addresses, from the directory (see ``Completions``).
enum MailCompletions {
    static let addresses = CompletionKind.custom { words, _, prefix in
        Completions.candidates(words, prefix) { context in try context.mail.accounts().map(\.address) }
    }
}
