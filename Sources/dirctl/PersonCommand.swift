import ArgumentParser
import Foundation
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person",
        abstract: "Add, find, change, suspend and offboard people; import and export them as CSV.",
        subcommands: [Add.self, Show.self, List.self, Search.self, Update.self, SetRole.self, Suspend.self, Restore.self,
                      Depart.self, Purge.self, Import.self, Export.self])

    struct FieldOptions: ParsableArguments {
        @Option(help: "Full name as shown, such as \"Nguyễn Văn An\".") var name: String?
        @Option(help: "Given name.") var givenName: String?
        @Option(help: "Family name.") var familyName: String?
        @Option(help: "E-mail address (empty clears it).") var email: String?
        @Option(help: "Unit code (empty clears it).", completion: Completions.units) var unit: String?
        @Option(help: "Job title.") var title: String?
        @Option(help: "Employee number.") var employeeNumber: String?
        @Option(help: "Phone number.") var phone: String?
        @Option(help: "The manager's login (empty clears it).", completion: Completions.logins) var manager: String?
        @Option(help: "Preferred language: vi or en.") var language: String?

        var fields: PersonFields {
            PersonFields(displayName: name, givenName: givenName, familyName: familyName, email: email, unit: unit, title: title,
                         employeeNumber: employeeNumber, phone: phone, manager: manager, language: language)
        }
    }

    static func show(_ person: Person, json: Bool, zone: String) throws {
        if json { try Console.json(person); return }
        var pairs: [(String, String)] = [
            ("login", person.login), ("name", person.displayName), ("e-mail", person.email ?? ""), ("unit", person.unit ?? ""),
            ("title", person.title), ("employee no.", person.employeeNumber), ("phone", person.phone),
            ("manager", person.manager ?? ""), ("language", person.language), ("role", person.role.rawValue),
            ("status", "\(person.status.rawValue) since \(Console.localTime(person.statusChangedAt, zone: zone))"),
        ]
        if let purge = person.purgeAfter { pairs.append(("purge after", Console.localTime(purge, zone: zone))) }
        Console.fields(pairs)
    }

    static func list(_ people: [Person], json: Bool) throws {
        if json { try Console.json(people); return }
        Console.table(["LOGIN", "NAME", "UNIT", "E-MAIL", "ROLE", "STATUS"],
                      people.map { [$0.login, $0.displayName, $0.unit ?? "", $0.email ?? "", $0.role.rawValue, $0.status.rawValue] })
    }

    struct Add: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "add", 
            abstract: "Add a person.",
            discussion: """
                Examples:
                  dirctl person add an.nguyen --name "Nguyễn Văn An" --email an@bo.gov.vn
                  dirctl person add hoa.le --name "Lê Thị Hoa" --unit IT --manager an.nguyen
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Login (a-z, 0-9, . _ -).") var login: String
        @OptionGroup var options: FieldOptions
        @Option(help: "Role: admin, helpdesk, staff or auditor (only admins give other roles than staff).") var role: String = "staff"

        func run(in context: CommandContext) throws {
            let person = try context.directory.addPerson(login: login, fields: options.fields, role: try DirectoryValidation.role(role))
            if global.json { try Console.json(person) } else { Console.out("Added \(person.login) (\(person.displayName))") }
        }
    }

    struct Show: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one person.", discussion: "Example:\n  dirctl person show an.nguyen")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Login.", completion: Completions.logins) var login: String

        func run(in context: CommandContext) throws {
            try PersonCommand.show(try context.directory.person(login: login), json: global.json, zone: context.config.locale.timeZone)
        }
    }

    struct List: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "list", 
            abstract: "List people, by unit or status.",
            discussion: "Examples:\n  dirctl person list --unit IT --subunits\n  dirctl person list --status departed --json")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only people of this unit.", completion: Completions.units) var unit: String?
        @Flag(help: "With --unit: include its sub-units.") var subunits = false
        @Option(help: "Only this status (default: active and suspended).") var status: PersonStatus?

        func run(in context: CommandContext) throws {
            let people = try context.directory
                .people(.init(unit: unit, includeSubunits: subunits, status: status))
            try PersonCommand.list(people, json: global.json)
        }
    }

    struct Search: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "search", 
            abstract: "Find people by name, login or e-mail, ignoring accents and case.",
            discussion: "Examples:\n  dirctl person search nguyen       (finds Nguyễn)\n  dirctl person search \"van an\"\n  dirctl person search hoa --status departed")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Text to look for.") var text: String
        @Option(help: "Only this status (default: active and suspended), as in `person list`.") var status: PersonStatus?

        func run(in context: CommandContext) throws {
            let people = try context.directory.people(.init(text: text, status: status))
            try PersonCommand.list(people, json: global.json)
        }
    }

    struct Update: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "update", 
            abstract: "Change a person's fields.",
            discussion: "Examples:\n  dirctl person update an.nguyen --title \"Trưởng phòng\" --unit IT-NET\n  dirctl person update an.nguyen --phone \"\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Login.", completion: Completions.logins) var login: String
        @OptionGroup var options: FieldOptions

        func run(in context: CommandContext) throws {
            let person = try context.directory.updatePerson(login: login, fields: options.fields)
            if global.json { try Console.json(person) } else { Console.out("Updated \(person.login)") }
        }
    }

    struct SetRole: DirctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-role", abstract: "Give a person a role (admin only).",
            discussion: "Example:\n  dirctl person set-role hoa.le helpdesk")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Login.", completion: Completions.logins) var login: String
        @Argument(help: "admin, helpdesk, staff or auditor.") var role: String

        func run(in context: CommandContext) throws {
            try context.directory.setRole(login: login, role: try DirectoryValidation.role(role))
            Console.out("\(login) is now \(role)")
        }
    }

    struct Suspend: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "suspend", 
            abstract: "Suspend a person: no access, data kept.",
            discussion: "Example:\n  dirctl person suspend an.nguyen --reason \"nghỉ phép dài hạn\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Login.", completion: Completions.logins) var login: String
        @Option(help: "Why (recorded in the audit log).") var reason: String?

        func run(in context: CommandContext) throws {
            try context.directory.suspend(login: login, reason: reason)
            Console.out("Suspended \(login)")
        }
    }

    struct Restore: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "restore", 
            abstract: "Restore a suspended or departed (not yet purged) person.",
            discussion: "Example:\n  dirctl person restore an.nguyen")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Login.", completion: Completions.logins) var login: String

        func run(in context: CommandContext) throws {
            try context.directory.restore(login: login)
            Console.out("Restored \(login)")
        }
    }

    struct Depart: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "depart", 
            abstract: "Offboard a person; personal data is purged after the retention period.",
            discussion: "Example:\n  dirctl person depart an.nguyen --reason \"chuyển công tác\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Login.", completion: Completions.logins) var login: String
        @Option(help: "Why (recorded in the audit log).") var reason: String?

        func run(in context: CommandContext) throws {
            try context.directory.depart(login: login, reason: reason, mail: try DepartedMailPolicy(context.loaded))
            Console.out("\(login) departed; personal data will be purged after \(context.config.directory.departedRetentionDays) days (`dirctl person purge`)")
            // What the mail servers now do, read back from their own view (mail.departed decides).
            for box in try context.directory.mailFate(login: login) {
                let incoming = if let forward = box.forwardTo { "forwarded to their manager \(forward)" }
                    else if box.receives, let until = box.keepUntil { "still delivered until \(until), refused after" }
                    else if box.receives { "still delivered" }
                    else { "refused: \(box.reply ?? "550 user unknown")" }
                Console.out("Mail \(box.address): login \(box.mayLogin ? "still allowed" : "refused now"); incoming mail \(incoming)")
            }
        }
    }

    struct Purge: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "purge", 
            abstract: "Purge the personal data of departed people whose retention has run out.",
            discussion: "The id and login stay as a tombstone, so old audit events still resolve.\n\nExample:\n  dirctl person purge")
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) throws {
            let purged = try context.directory.purgeDeparted()
            if global.json { try Console.json(purged) } else { Console.out(purged.isEmpty ? "Nobody to purge" : "Purged: \(purged.joined(separator: ", "))") }
        }
    }

    struct Import: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "import", 
            abstract: "Import people from CSV: add new logins, update existing ones, all or nothing.",
            discussion: """
                Columns (header row required): \(DirectoryService.personColumns.joined(separator: ",")).
                login and name are required. UTF-8 with or without BOM, CRLF or LF.
                Every row is checked first; any problem is reported by line and field and nothing is written.

                Examples:
                  dirctl person import staff.csv --dry-run
                  dirctl person import staff.csv
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Check and report what would change; write nothing.") var dryRun = false
        @Flag(help: "Show progress on standard error even when it is not a terminal.") var progress = false

        func run(in context: CommandContext) throws {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw DirectoryError.fileUnreadable(file)
            }
            try context.config.directory.checkImportSize(file)
            let name = (file as NSString).lastPathComponent
            let report = try context.directory.importPeople(file: file, fileName: name, dryRun: dryRun) { done, total in
                Console.progress(done, total, label: "importing \(name)", force: progress)
            }
            if global.json { try Console.json(report) }
            if !report.problems.isEmpty {
                if global.json { throw ExitStatus.dataError }
                throw ImportOutput.refuse(report.problems, file: file, tool: "dirctl", nothingWritten: "nothing was imported")
            }
            if !global.json {
                let verb = report.dryRun ? "Would import" : "Imported"
                Console.out("\(verb) \(file): \(report.rows) rows, \(report.added) added, \(report.updated) updated, \(report.unchanged) unchanged")
            }
        }
    }

    struct Export: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "export", 
            abstract: "Export people as CSV (formula-like cells neutralized for spreadsheets).",
            discussion: "Examples:\n  dirctl person export > staff.csv\n  dirctl person export --unit IT --subunits --output it.csv")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only people of this unit.", completion: Completions.units) var unit: String?
        @Flag(help: "With --unit: include its sub-units.") var subunits = false
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func run(in context: CommandContext) throws {
            let csv = try context.directory.exportPeople(.init(unit: unit, includeSubunits: subunits))
            let sink = try OutputSink(path: output)
            sink.write(csv)
            try sink.close()
        }
    }
}
