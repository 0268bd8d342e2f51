import ArgumentParser
import Foundation
import MailAdmin
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

struct DoctorCommand: MailctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Prove a mailbox works: directory, IMAP login, quota, SMTP submission, delivery, DKIM signing, cleanup, with timings.",
        discussion: """
            Needs the mailbox's password (from the user, or after a reset): --password-stdin or a prompt.
            Exit 0 when every step passed, 1 when one failed (the detail says what to do).

            Examples:
              mailctl doctor an.nguyen@bonoivu.gov.vn
              printf '%s\\n' "$PW" | mailctl doctor an@bo.gov.vn --password-stdin --json
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The mailbox.") var address: String
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false

    func run(in context: CommandContext) async throws {
        let report = try await context.mail.doctor(address: address, timeZone: context.config.locale.timeZone) {
            if passwordStdin { return try PasswordInput.fromStandardInput() }
            if let typed = try PasswordInput.prompt("Password of \(address)") { return typed }
            throw UsageError("doctor needs the mailbox's password: give --password-stdin or run it on a terminal")
        }
        if global.json {
            try Console.json(report.steps)
        } else {
            Console.table(["STEP", "RESULT", "TIME", "DETAIL"], report.steps.map {
                [$0.name, $0.result, $0.result == "skipped" ? "" : String(format: "%.0f ms", $0.seconds * 1000), $0.detail]
            })
            Console.out(String(format: "%@ in %.0f ms", report.passed ? "mailbox works" : "mailbox does NOT work", report.seconds * 1000))
        }
        if !report.passed { throw ExitStatus.failed }
    }
}
