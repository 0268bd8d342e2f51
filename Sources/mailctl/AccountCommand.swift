import ArgumentParser
import Foundation
import MailAdmin
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Mailboxes: create, inspect, switch off and on, passwords, quota, rename, delete.",
        subcommands: [Create.self, Show.self, List.self, DisableLogin.self, Suspend.self, Enable.self, ResetPassword.self,
                      SetQuota.self, Rename.self, Delete.self, Purge.self, Import.self])

    static func show(_ account: MailAccount, json: Bool, zone: String) throws {
        if json { try Console.json(account); return }
        var pairs: [(String, String)] = [
            ("address", account.address), ("name", account.displayName), ("owner", account.owner ?? "(service mailbox)"),
            ("unit", account.unit ?? ""), ("status", "\(account.status.rawValue) since \(Console.localTime(account.statusChangedAt, zone: zone))"),
            ("quota", account.quotaBytes.map { "\($0 / 1_048_576) MB" } ?? "none"), ("mail folder", account.homeKey),
            ("password set", Console.localTime(account.passwordChangedAt, zone: zone)),
        ]
        if let expires = account.passwordExpiresAt { pairs.append(("password expires", Console.localTime(expires, zone: zone))) }
        if account.mustChangePassword { pairs.append(("must change", "yes")) }
        if let purge = account.purgeAfter { pairs.append(("purge after", Console.localTime(purge, zone: zone))) }
        Console.fields(pairs)
    }

    struct Create: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "create", 
            abstract: "Create a mailbox for a person or a service; the password is read, never taken from the command line.",
            discussion: """
                Without --password-stdin, a terminal prompts for the password; an empty answer, or no terminal
                and nothing on standard input (</dev/null), generates one, shown once. A password piped in
                without --password-stdin is refused.

                Examples:
                  mailctl account create an@bonoivu.gov.vn --person an.nguyen --send-welcome
                  mailctl account create hotro@bonoivu.gov.vn --name "Hỗ trợ" --quota 4096
                  mailctl account create lan@bo.gov.vn --person lan.tran --password-stdin <pw
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address (also the login).") var address: String
        @Option(help: "The owner's directory login.", completion: Completions.logins) var person: String?
        @Option(help: "Display name (default: the owner's name).") var name: String?
        @Option(help: "Quota in MB (default: mail.default_quota_mb; 0: none).") var quota: Int?
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        @Flag(help: "E-mail a welcome message (how to log in; never the password).") var sendWelcome = false

        func run(in context: CommandContext) async throws {
            try context.session.authorize(.mailAccountCreate, target: "mailbox:\(address)")
            let password = try readPassword(stdin: passwordStdin, label: "Password for \(address)")
            let (account, generated, notices) = try context.mail.createAccount(
                NewMailAccount(address: address, owner: person, displayName: name, quotaMB: quota, password: password),
                welcomeIn: sendWelcome ? context.config.locale.timeZone : nil)
            if global.json {
                try Console.json(CreatedAccount(account: account, generatedPassword: generated?.exposedValue))
            } else {
                Console.out("Created mailbox \(account.address) (\(account.displayName))")
                showGenerated(generated, for: account.address)
            }
            try await context.send(notices, json: global.json)
        }
    }

    struct Show: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a mailbox, by address or by its owner's login.",
                                                        discussion: "Examples:\n  mailctl account show an.nguyen@bonoivu.gov.vn\n  mailctl account show an.nguyen")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address, or the login of a person with one mailbox.", completion: MailCompletions.addresses) var address: String

        func run(in context: CommandContext) throws {
            try AccountCommand.show(try context.mail.account(address), json: global.json, zone: context.config.locale.timeZone)
        }
    }

    struct List: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "list", 
            abstract: "List mailboxes by domain, status or unit.",
            discussion: "Examples:\n  mailctl account list --domain bonoivu.gov.vn\n  mailctl account list --status login-disabled\n  mailctl account list --unit TTCNTT --subunits --json")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this domain.") var domain: String?
        @Option(help: "Only this status.") var status: MailboxStatus?
        @Option(help: "Only owners in this unit.", completion: Completions.units) var unit: String?
        @Flag(help: "With --unit: its sub-units too.") var subunits = false

        func run(in context: CommandContext) throws {
            if subunits, unit == nil { throw UsageError("--subunits needs --unit") }
            let accounts = try context.mail.accounts(domain: domain, status: status, unit: unit?.uppercased(), subunits: subunits)
            if global.json { try Console.json(accounts); return }
            Console.table(["ADDRESS", "NAME", "OWNER", "UNIT", "STATUS", "QUOTA"], accounts.map {
                [$0.address, $0.displayName, $0.owner ?? "-", $0.unit ?? "", $0.status.rawValue, $0.quotaBytes.map { "\($0 / 1_048_576) MB" } ?? "none"]
            })
        }
    }

    struct DisableLogin: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable-login", abstract: "Stop logins; mail is still delivered.",
            discussion: "Example:\n  mailctl account disable-login an@bonoivu.gov.vn --reason \"nghỉ phép\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address.", completion: MailCompletions.addresses) var address: String
        @Option(help: "Why (audited).") var reason: String?

        func run(in context: CommandContext) throws {
            try context.mail.setStatus(address, to: .loginDisabled, reason: reason)
            Console.out("Logins to \(address) are refused; mail is still delivered")
        }
    }

    struct Suspend: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "suspend", 
            abstract: "Stop logins and delivery (senders get a bounce).",
            discussion: "Example:\n  mailctl account suspend an@bonoivu.gov.vn --reason \"tài khoản bị lộ\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address.", completion: MailCompletions.addresses) var address: String
        @Option(help: "Why (audited).") var reason: String?

        func run(in context: CommandContext) throws {
            try context.mail.setStatus(address, to: .suspended, reason: reason)
            Console.out("Suspended \(address): no login, no delivery")
        }
    }

    struct Enable: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "enable", 
            abstract: "Make a mailbox active again (also undoes a delete before purge).",
            discussion: "Example:\n  mailctl account enable an.nguyen@bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address.", completion: MailCompletions.addresses) var address: String

        func run(in context: CommandContext) throws {
            try context.mail.setStatus(address, to: .active)
            Console.out("\(address) is active")
        }
    }

    struct ResetPassword: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a new password; the old one stops working at once.",
            discussion: """
                Examples:
                  mailctl account reset-password an.nguyen@bonoivu.gov.vn --notify
                  mailctl account reset-password an.nguyen --notify
                  mailctl account reset-password an.nguyen --password-stdin <new.txt
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address, or the login of a person with one mailbox.", completion: MailCompletions.addresses) var name: String
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        @Flag(help: "Require a change at the next chance.") var mustChange = false
        @Flag(help: "E-mail the owner that the password was reset (never the password); queued with the reset, kept in the outbox when the relay is down.") var notify = false

        func run(in context: CommandContext) async throws {
            // A login (no @) names that person's one mailbox.
            let address = name.contains("@") ? name : try context.mail.account(name).address
            try context.session.authorize(.mailAccountResetPassword, target: "mailbox:\(address)")
            let password = try readPassword(stdin: passwordStdin, label: "New password for \(address)")
            let (generated, notices) = try context.mail.resetPassword(address, password: password, mustChange: mustChange,
                                                                     notifyIn: notify ? context.config.locale.timeZone : nil)
            if global.json {
                try Console.json(ResetResult(address: address, generatedPassword: generated?.exposedValue))
            } else {
                Console.out("Password of \(address) reset")
                showGenerated(generated, for: address)
            }
            try await context.send(notices, json: global.json)
        }
    }

    struct SetQuota: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-quota", abstract: "Set the storage quota in MB (0: none).",
            discussion: "Example:\n  mailctl account set-quota an.nguyen@bonoivu.gov.vn 4096")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address.", completion: MailCompletions.addresses) var address: String
        @Argument(help: "MB.") var megabytes: Int

        func run(in context: CommandContext) throws {
            try context.mail.setQuota(address, megabytes: megabytes)
            Console.out("Quota of \(address): \(megabytes == 0 ? "none" : "\(megabytes) MB")")
        }
    }

    struct Rename: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "rename", 
            abstract: "Give a mailbox a new address; the old one keeps receiving as an alias; no mail moves.",
            discussion: "Example:\n  mailctl account rename an.nguyen@bonoivu.gov.vn an.nguyenvan@bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The current address.") var old: String
        @Argument(help: "The new address.") var new: String

        func run(in context: CommandContext) throws {
            try context.mail.rename(old, to: new)
            Console.out("Renamed \(old) to \(new); \(old) stays as an alias")
        }
    }

    struct Delete: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "delete", 
            abstract: "Delete a mailbox: no login, no delivery, purged after mail.deleted_retention_days.",
            discussion: "Example:\n  mailctl account delete an.nguyen@bonoivu.gov.vn\n\nUndo before the purge with `mailctl account enable`.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address.", completion: MailCompletions.addresses) var address: String

        func run(in context: CommandContext) throws {
            try context.mail.setStatus(address, to: .pendingPurge)
            Console.out("\(address) is pending purge; it is removed after \(try context.mail.settings.deletedRetentionDays) days (`mailctl account purge`)")
        }
    }

    struct Purge: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "purge", 
            abstract: "Remove deleted mailboxes whose retention has run out (admin).",
            discussion: "Examples:\n  mailctl account purge\n  mailctl account purge --domain old.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only mailboxes of this domain.") var domain: String?

        func run(in context: CommandContext) throws {
            let purged = try context.mail.purge(domain: domain)
            if global.json { try Console.json(purged) } else { Console.out(purged.isEmpty ? "Nothing to purge" : "Purged: \(purged.joined(separator: ", "))") }
        }
    }

    struct Import: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "import", 
            abstract: "Create mailboxes from CSV, all or nothing; generated passwords go to a file only you can read.",
            discussion: """
                Columns: \(MailAdministration.accountColumns.joined(separator: ",")) (address required; login or display_name).
                Every row is checked first; passwords are hashed on all cores.

                Examples:
                  mailctl account import accounts.csv --dry-run
                  mailctl account import accounts.csv --passwords-out /root/new-passwords.csv
                  mailctl account import new.csv --passwords-out /root/pw.csv --send-welcome

                A rerun is harmless: rows already there are reported unchanged (or updated when their
                display name or quota differs); only new mailboxes get a password and a welcome.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Check every row; create nothing.") var dryRun = false
        @Option(help: "Where to write address,password of the new mailboxes (mode 600; required unless --dry-run).") var passwordsOut: String?
        @Flag(help: "Show progress even when standard error is not a terminal.") var progress = false
        @Flag(help: "Queue a welcome notice (never the password) for each new mailbox, sent after the import commits.") var sendWelcome = false

        func validate() throws {
            if !dryRun, passwordsOut == nil { throw ValidationError("give --passwords-out FILE (the generated passwords go there), or --dry-run") }
        }

        func run(in context: CommandContext) async throws {
            guard FileManager.default.isReadableFile(atPath: file) else { throw InputFileError(path: file, problem: "cannot be read (check the path)") }
            try context.config.directory.checkImportSize(file)
            // Read with the caller's rights, never the set-gid group's.
            guard let data = try CallerIdentity.perform({ FileManager.default.contents(atPath: file) }) else {
                throw InputFileError(path: file, problem: "cannot be read (check the path)")
            }
            try context.session.authorize(.mailAccountImport, target: "import:\(file)")
            // Opened before anything is created, so the passwords always have somewhere to go.
            let secrets = try passwordsOut.map { path in try SecretFile.create(path) }
            var written = false
            defer { if !written { secrets?.discard() } }
            let name = (file as NSString).lastPathComponent
            let force = progress
            // The passwords file is written and in place before the mailboxes commit: if it cannot
            // be, nothing is created.
            let report = try context.mail.importAccounts(
                csv: data, fileName: name, dryRun: dryRun, welcomeIn: sendWelcome ? context.config.locale.timeZone : nil,
                progress: { done, total in Console.progress(done, total, label: "hashing passwords", force: force) },
                keep: { passwords in
                    guard let secrets else { return }
                    let lines = ["address,password"] + passwords.map { "\($0.address),\($0.password.exposedValue)" }
                    try secrets.write(lines.joined(separator: "\n") + "\n")
                    written = true
                })
            // With --json the report, problems included, is the output; the status says whether it was refused.
            if global.json { try Console.json(report) }
            if !report.problems.isEmpty {
                if global.json { throw ExitStatus.dataError }
                throw ImportOutput.refuse(report.problems, file: file, tool: "mailctl", nothingWritten: "no mailbox was created or changed")
            }
            if !global.json {
                let counts = "\(report.created) new, \(report.updated) updated, \(report.unchanged) unchanged"
                Console.out(report.dryRun
                    ? "Would import \(report.rows) rows from \(file) (\(counts)): no problem found"
                    : "Imported \(report.rows) rows from \(file) (\(counts))\(report.created > 0 ? "; passwords of the new mailboxes in \(passwordsOut ?? "")" : "")")
            }
            // The mailboxes are committed; their welcome notices go now, or wait in the outbox.
            try await context.send(report.notices, json: global.json)
        }
    }
}

/// `account create --json`: the mailbox, and the generated password when one was made (shown once).
struct CreatedAccount: Encodable {
    var account: MailAccount
    var generatedPassword: String?

    enum CodingKeys: String, CodingKey { case account, generatedPassword = "generated_password" }
}

/// `account reset-password --json`.
struct ResetResult: Encodable {
    var address: String
    var generatedPassword: String?

    enum CodingKeys: String, CodingKey { case address, generatedPassword = "generated_password" }
}
