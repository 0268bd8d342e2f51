import ArgumentParser
import Foundation
import MailAdmin
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct QuotaReportCommand: MailctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota-report",
        abstract: "Storage use of every mailbox, from Dovecot; those at 80% or more are flagged.",
        discussion: "Run it on the mail server (it asks doveadm).\n\nExamples:\n  mailctl quota-report\n  mailctl quota-report --only-flagged --notify\n  mailctl quota-report --domain bonoivu.gov.vn --json")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only mailboxes of this domain.") var domain: String?
    @Option(help: "Flag mailboxes at or above this percentage.") var threshold: Int = 80
    @Flag(help: "List only flagged mailboxes.") var onlyFlagged = false
    @Flag(help: "E-mail a quota warning to each flagged mailbox.") var notify = false

    func validate() throws {
        guard (1...100).contains(threshold) else { throw ValidationError("--threshold must be 1 to 100 (percent)") }
    }

    func run(in context: CommandContext) async throws {
        try context.session.authorize(.mailQuotaReport, target: "mailbox:*")
        let lines = try QuotaReporter(doveadmConfig: context.mail.settings.doveadmConfig, threshold: threshold).report(domain: domain)
            .filter { !onlyFlagged || $0.flagged }
        if global.json {
            try Console.json(lines)
        } else if lines.isEmpty {
            Console.out(onlyFlagged ? "No mailbox is at \(threshold)% of its quota or more" : "No mailbox")
        } else {
            Console.table(["ADDRESS", "USED", "LIMIT", "USE", ""], lines.map { line in
                [line.address, "\(line.usedKiB / 1024) MB", line.limitKiB.map { "\($0 / 1024) MB" } ?? "none",
                 line.percent.map { "\($0)%" } ?? "-", line.flagged ? "FULL SOON" : ""]
            })
        }
        if notify {
            for line in lines where line.flagged {
                let account = try context.mail.account(line.address)
                try await context.notify(.quotaWarning, to: account, values: [
                    "used_mb": String(line.usedKiB / 1024), "quota_mb": String((line.limitKiB ?? 0) / 1024),
                    "percent": String(line.percent ?? 0),
                ], json: global.json)
            }
        }
    }
}
