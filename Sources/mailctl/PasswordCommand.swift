import ArgumentParser
import MailAdmin
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

/// `mailctl password`: a member of staff changes the password of their own mailbox.
struct PasswordCommand: MailctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Change the password of your own mailbox (the current one is asked first).",
        discussion: """
            Anyone in the directory may change the password of a mailbox of their own; the helpdesk
            resets other people's (`mailctl account reset-password`). Neither password ever goes on
            the command line: they are asked on the terminal with echo off, or read from standard
            input with --password-stdin (the current password on the first line, the new one on the
            second). The new one must follow the password policy (mail.password_min_length, not
            the address or the name, not a common password). A wrong current password is refused
            after a pause, and recorded.

            Examples:
              mailctl password
              mailctl password an.nguyen@bonoivu.gov.vn
              printf '%s\\n%s\\n' "$CURRENT" "$NEW" | mailctl password --password-stdin
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The mailbox, when you have more than one.") var address: String?
    @Flag(help: "Read the current password, then the new one, from the first two lines of standard input.") var passwordStdin = false

    func run(in context: CommandContext) throws {
        let current: Secret
        let new: Secret
        if passwordStdin {
            current = try PasswordInput.fromStandardInput()
            do { new = try PasswordInput.fromStandardInput() } catch {
                throw UsageError("--password-stdin: give the new password on the second line of standard input (the current one on the first)")
            }
        } else {
            guard let asked = try PasswordInput.promptOnce("Current password") else {
                throw UsageError("no terminal to ask the passwords on: give them on standard input with --password-stdin (current, then new)")
            }
            current = asked
            guard let chosen = try PasswordInput.prompt("New password") else {
                throw UsageError("no new password given; nothing was changed")
            }
            new = chosen
        }
        let changed = try context.mail.changeOwnPassword(address: address, current: current, new: new)
        if global.json {
            try Console.json(["address": changed, "changed": "true"])
        } else {
            Console.out("Password of \(changed) changed: use the new one from now on (in your mail program too)")
        }
    }
}
