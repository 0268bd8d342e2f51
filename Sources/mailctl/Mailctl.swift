import ArgumentParser
import MailAdmin
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

/// `mailctl`: mail accounts on the Dovecot + Postfix that read the Switchboard database.
@main
struct Mailctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailctl",
        abstract: "Administer mail domains, mailboxes, aliases and lists; prove a mailbox works end to end.",
        discussion: """
            Dovecot and Postfix read the same database, so every change is live at once.

            Examples:
              mailctl domain add bonoivu.gov.vn
              mailctl account create an@bonoivu.gov.vn --person an.nguyen --send-welcome
              mailctl account reset-password an.nguyen@bonoivu.gov.vn --notify
              mailctl doctor an.nguyen@bonoivu.gov.vn --password-stdin
            """,
        version: SwitchboardVersion.current,
        subcommands: [DomainCommand.self, AccountCommand.self, PasswordCommand.self, AliasCommand.self, ListCommand.self,
                      QuotaReportCommand.self, DoctorCommand.self, OutboxCommand.self]
    )

    /// `--config`, `--as`, `--json` and `--verbose` anywhere on the line: read here, before the
    /// subcommand, and handed to the command's own `@OptionGroup` (argument-parser reuses a
    /// group of the same type already decoded by a parent command).
    @OptionGroup var global: GlobalOptions

    static func main() async {
        await ToolMain.run(Self.self)
    }
}

/// Reads a password from `--password-stdin` or a terminal prompt; nil means "generate one".
func readPassword(stdin: Bool, label: String) throws -> Secret? {
    if stdin { return try PasswordInput.fromStandardInput() }
    return try PasswordInput.prompt("\(label) (empty: generate one)")
}

/// Prints a generated password once, where only the operator sees it.
func showGenerated(_ password: Secret?, for address: String) {
    guard let password else { return }
    Console.out("Password for \(address) (shown once, must be changed at first use): \(password.exposedValue)")
}
