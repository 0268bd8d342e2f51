import ArgumentParser
import Foundation
import MailAdmin
import SwitchboardCLI
import SwitchboardCore

struct QuotaReportCommand: ParsableCommand {
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

    func run() throws {
        try ExitStatus.run(tool: "mailctl") {
            let context = try CommandContext.open(global, tool: "mailctl")
            try context.session.authorize(.mailQuotaReport, target: "mailbox:*", database: context.database)
            let lines = try QuotaReporter(doveadmConfig: context.config.mail.doveadmConfig, threshold: threshold).report()
                .filter { !onlyFlagged || $0.flagged }
                .filter { line in domain.map { line.address.hasSuffix("@" + (Punycode.toASCII(domain: $0) ?? $0.lowercased())) } ?? true }
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
                    try Notifications.send(.quotaWarning, to: account, context: context, values: [
                        "used_mb": String(line.usedKiB / 1024), "quota_mb": String((line.limitKiB ?? 0) / 1024),
                        "percent": String(line.percent ?? 0),
                    ], json: global.json)
                }
            }
        }
    }
}

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Prove a mailbox works: directory, IMAP login, quota, SMTP submission, delivery, cleanup, with timings.",
        discussion: """
            Needs the mailbox's password (from the user, or after a reset): --password-stdin or a prompt.
            Exit 0 when every step passed, 1 when one failed (the detail says what to do).

            Examples:
              mailctl doctor an.nguyen@bonoivu.gov.vn
              printf '%s\\n' "$PASSWORD" | mailctl doctor an.nguyen@bonoivu.gov.vn --password-stdin --json
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The mailbox.") var address: String
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false

    func run() throws {
        try ExitStatus.run(tool: "mailctl") {
            let context = try CommandContext.open(global, tool: "mailctl")
            try context.session.authorize(.mailAccountDoctor, target: "mailbox:\(address)", database: context.database)
            let password: Secret
            if passwordStdin {
                password = try PasswordInput.fromStandardInput()
            } else if let typed = try PasswordInput.prompt("Password of \(address)") {
                password = typed
            } else {
                throw UsageError("doctor needs the mailbox's password: give --password-stdin or run it on a terminal")
            }
            let start = DispatchTime.now().uptimeNanoseconds
            let steps = try MailDoctor(database: context.database, settings: context.config.mail, timeZone: context.config.locale.timeZone)
                .run(address: address, password: password)
            let total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let passed = steps.allSatisfy { $0.result == "ok" }
            try context.database.write { db in
                var details = AuditDetails()
                details["failed_step"] = steps.first { $0.result == "failed" }?.name ?? ""
                try context.session.audit.append(db, context: context.session.context, action: Action.mailAccountDoctor.rawValue,
                                                 target: "mailbox:\(address.lowercased())", outcome: passed ? .ok : .failed, details: details)
            }
            if global.json {
                try Console.json(steps)
            } else {
                Console.table(["STEP", "RESULT", "TIME", "DETAIL"], steps.map {
                    [$0.name, $0.result, $0.result == "skipped" ? "" : String(format: "%.0f ms", $0.seconds * 1000), $0.detail]
                })
                Console.out(String(format: "%@ in %.0f ms", passed ? "mailbox works" : "mailbox does NOT work", total * 1000))
            }
            if !passed { throw ExitStatus.failed }
        }
    }
}
