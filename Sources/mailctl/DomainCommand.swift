import ArgumentParser
import MailAdmin
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct DomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Mail domains (admin).", subcommands: [Add.self, List.self, Disable.self, Enable.self])

    struct Add: MailctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a domain (an IDN name is stored as punycode).", discussion: "Example:\n  mailctl domain add bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            let domain = try context.mail.addDomain(name)
            if global.json { try Console.json(domain) } else { Console.out("Added mail domain \(domain.name)") }
        }
    }

    struct List: MailctlCommand {
        static let configuration = CommandConfiguration(abstract: "List domains.", discussion: "Example:\n  mailctl domain list")
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) throws {
            let domains = try context.mail.domains()
            if global.json { try Console.json(domains); return }
            Console.table(["DOMAIN", "STATUS", "MAILBOXES"], domains.map { [$0.name, $0.status, String($0.mailboxes)] })
        }
    }

    struct Disable: MailctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a domain: nobody in it logs in or receives mail.", discussion: "Example:\n  mailctl domain disable old.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            try context.mail.setDomain(name, active: false)
            Console.out("Disabled mail domain \(name)")
        }
    }

    struct Enable: MailctlCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled domain again.", discussion: "Example:\n  mailctl domain enable old.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            try context.mail.setDomain(name, active: true)
            Console.out("Enabled mail domain \(name)")
        }
    }
}

struct AliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias", abstract: "Aliases: more addresses for a mailbox, or one address for several.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: MailctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send mail for ADDRESS to TARGET too (add several targets to fan out).",
            discussion: "Examples:\n  mailctl alias add hotro@bonoivu.gov.vn an.nguyen@bonoivu.gov.vn\n  mailctl alias add hotro@bonoivu.gov.vn binh.tran@bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The alias address.") var address: String
        @Argument(help: "Where its mail goes.") var target: String

        func run(in context: CommandContext) throws {
            try context.mail.addAlias(address, target: target)
            Console.out("Alias \(address) -> \(target)")
        }
    }

    struct Remove: MailctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove one target of an alias, or the whole alias.",
            discussion: "Examples:\n  mailctl alias remove hotro@bonoivu.gov.vn binh.tran@bonoivu.gov.vn\n  mailctl alias remove hotro@bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The alias address.") var address: String
        @Argument(help: "One target (default: all).") var target: String?

        func run(in context: CommandContext) throws {
            try context.mail.removeAlias(address, target: target)
            Console.out("Removed alias \(address)\(target.map { " -> \($0)" } ?? "")")
        }
    }

    struct List: MailctlCommand {
        static let configuration = CommandConfiguration(abstract: "List aliases and lists.", discussion: "Example:\n  mailctl alias list --domain bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this domain.") var domain: String?

        func run(in context: CommandContext) throws {
            let aliases = try context.mail.aliases(domain: domain)
            if global.json { try Console.json(aliases); return }
            Console.table(["ADDRESS", "TARGET", "KIND"], aliases.map { [$0.address, $0.target, $0.kind] })
        }
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Publish directory groups as distribution lists.",
        subcommands: [Publish.self, Unpublish.self])

    struct Publish: MailctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver mail for ADDRESS to every member of a directory group (nested groups too); run again to sync.",
            discussion: "Example:\n  mailctl group publish lanh-dao --address lanhdao@bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The directory group.") var group: String
        @Option(help: "The list's address.") var address: String

        func run(in context: CommandContext) throws {
            let list = try context.mail.publish(group: group, address: address)
            if global.json { try Console.json(list); return }
            Console.out("\(list.address): \(list.targets.count) mailboxes")
            if !list.skipped.isEmpty { Console.out("without a mailbox, left out: \(list.skipped.joined(separator: ", "))") }
        }
    }

    struct Unpublish: MailctlCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a distribution list.", discussion: "Example:\n  mailctl group unpublish lanhdao@bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The list's address.") var address: String

        func run(in context: CommandContext) throws {
            try context.mail.unpublish(address: address)
            Console.out("Removed list \(address)")
        }
    }
}
