import ArgumentParser
import MailAdmin
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct DomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Mail domains (admin).", subcommands: [Add.self, List.self, Disable.self, Enable.self, DNS.self, Check.self, DKIMCommand.self])

    struct Add: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "add", 
            abstract: "Add a domain (an IDN name is stored as punycode).", discussion: "Example:\n  mailctl domain add bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            let mail = try context.mail
            let domain = try mail.addDomain(name)
            if global.json { try Console.json(domain); return }
            Console.out("Added mail domain \(domain.name)")
            let keys = try mail.dkimKeys(domain: domain.name).filter { $0.state == .active }
            if !keys.isEmpty {
                Console.out("It signs its mail with DKIM selector \(keys.map(\.selector).joined(separator: ", ")): publish its records (`mailctl domain dns \(domain.name)`)")
            }
        }
    }

    struct List: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List domains.", discussion: "Example:\n  mailctl domain list")
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) throws {
            let domains = try context.mail.domains()
            if global.json { try Console.json(domains); return }
            Console.table(["DOMAIN", "STATUS", "MAILBOXES"], domains.map { [$0.name, $0.status.rawValue, String($0.mailboxes)] })
        }
    }

    struct Disable: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "disable", 
            abstract: "Disable a domain: nobody in it logs in or receives mail.", discussion: "Example:\n  mailctl domain disable old.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            try context.mail.setDomain(name, active: false)
            Console.out("Disabled mail domain \(name)")
        }
    }

    struct Enable: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled domain again.", discussion: "Example:\n  mailctl domain enable old.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            try context.mail.setDomain(name, active: true)
            Console.out("Enabled mail domain \(name)")
        }
    }
}
