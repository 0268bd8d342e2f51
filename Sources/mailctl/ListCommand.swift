import ArgumentParser
import MailAdmin
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Publish directory groups as distribution lists.",
        subcommands: [Publish.self, Unpublish.self])

    struct Publish: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "publish", 
            abstract: "Deliver mail for ADDRESS to every active member of a directory group (nested groups too), live: membership changes reach the next message.",
            discussion: "Example:\n  mailctl group publish lanh-dao --address lanhdao@bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The directory group.", completion: Completions.groups) var group: String
        @Option(help: "The list's address.") var address: String

        func run(in context: CommandContext) throws {
            let list = try context.mail.publish(group: group, address: address)
            if global.json { try Console.json(list); return }
            Console.out("\(list.address): \(list.targets.count) mailboxes now; it follows group \(group) from here on (nothing to re-run)")
            if !list.skipped.isEmpty { Console.out("without a mailbox, left out: \(list.skipped.joined(separator: ", "))") }
        }
    }

    struct Unpublish: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "unpublish", abstract: "Remove a distribution list.", discussion: "Example:\n  mailctl group unpublish lanhdao@bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The list's address.") var address: String

        func run(in context: CommandContext) throws {
            try context.mail.unpublish(address: address)
            Console.out("Removed list \(address)")
        }
    }
}
