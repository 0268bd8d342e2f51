import ArgumentParser
import MailAdmin
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct AliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias", abstract: "Aliases: more addresses for a mailbox, or one address for several.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "add", 
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
        static let configuration = CommandConfiguration(commandName: "remove", 
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
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List aliases and lists.", discussion: "Example:\n  mailctl alias list --domain bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this domain.") var domain: String?

        func run(in context: CommandContext) throws {
            let aliases = try context.mail.aliases(domain: domain)
            if global.json { try Console.json(aliases); return }
            Console.table(["ADDRESS", "TARGET", "KIND"], aliases.map { [$0.address, $0.target, $0.kind] })
        }
    }
}
