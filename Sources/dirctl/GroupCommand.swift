import ArgumentParser
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct GroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Groups of people and groups: add, remove, members, nested expansion.",
        subcommands: [Add.self, Remove.self, List.self, Show.self, Expand.self, Member.self])

    struct Add: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "add", 
            abstract: "Add a group.", discussion: "Example:\n  dirctl group add lanh-dao --description \"Ban lãnh đạo\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name (a-z, 0-9, . _ -).") var name: String
        @Option(help: "What the group is for.") var description: String = ""

        func run(in context: CommandContext) throws {
            let group = try context.directory.addGroup(name: name, description: description)
            if global.json { try Console.json(group) } else { Console.out("Added group \(group.name)") }
        }
    }

    struct Remove: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a group.", discussion: "Example:\n  dirctl group remove du-an-cu")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name.", completion: Completions.groups) var name: String

        func run(in context: CommandContext) throws {
            try context.directory.removeGroup(name: name)
            Console.out("Removed group \(name)")
        }
    }

    struct List: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List groups.", discussion: "Example:\n  dirctl group list")
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) throws {
            let groups = try context.directory.groups()
            if global.json { try Console.json(groups) } else { Console.table(["NAME", "DESCRIPTION"], groups.map { [$0.name, $0.description] }) }
        }
    }

    struct Show: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a group's direct members.", discussion: "Example:\n  dirctl group show lanh-dao")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name.", completion: Completions.groups) var name: String

        func run(in context: CommandContext) throws {
            let (group, members) = try context.directory.group(name: name)
            if global.json { try Console.json(members); return }
            Console.out("\(group.name): \(group.description)")
            for member in members {
                switch member {
                case let .person(login): Console.out("  person  \(login)")
                case let .group(inner): Console.out("  group   \(inner)")
                }
            }
        }
    }

    struct Expand: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "expand", 
            abstract: "List every active person in a group, through nested groups.", discussion: "Example:\n  dirctl group expand toan-bo")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name.", completion: Completions.groups) var name: String

        func run(in context: CommandContext) throws {
            let people = try context.directory.expand(group: name)
            try PersonCommand.list(people, json: global.json)
        }
    }

    struct Member: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "member", 
            abstract: "Add or remove a group's members.", subcommands: [AddMember.self, RemoveMember.self])

        struct Which: ParsableArguments {
            @Option(help: ArgumentHelp("A person's login (repeatable).", valueName: "login"), completion: Completions.logins) var person: [String] = []
            @Option(help: ArgumentHelp("Another group's name (repeatable).", valueName: "name"), completion: Completions.groups) var group: [String] = []

            func validate() throws {
                guard !person.isEmpty || !group.isEmpty else { throw ValidationError("give at least one --person LOGIN or --group NAME") }
            }

            var members: [DirectoryService.Member] {
                group.map(DirectoryService.Member.group) + person.map(DirectoryService.Member.person)
            }
        }

        /// One line per member: who changed, and who was left as they were.
        static func report(_ change: DirectoryService.MembershipChange, verb: String, preposition: String, group: String, unchangedReason: String) {
            if !change.changed.isEmpty {
                Console.out("\(verb) \(preposition) \(group): \(change.changed.map(\.label).joined(separator: ", "))")
            }
            if !change.unchanged.isEmpty {
                Console.out("\(unchangedReason) \(group), nothing recorded: \(change.unchanged.map(\.label).joined(separator: ", "))")
            }
        }

        struct AddMember: DirctlCommand {
            static let configuration = CommandConfiguration(
                commandName: "add", abstract: "Add people or groups to a group, all or none (a cycle is refused).",
                discussion: """
                    Every --person and --group given is added in one transaction, one audit event each; an unknown
                    name adds nobody. A member already in the group is named as such and records nothing (exit 0).

                    Examples:
                      dirctl group member add lanh-dao --person an.nguyen --person binh.tq
                      dirctl group member add toan-bo --group lanh-dao
                    """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The group.", completion: Completions.groups) var name: String
            @OptionGroup var which: Which

            func run(in context: CommandContext) throws {
                let change = try context.directory.addMembers(which.members, to: name)
                Member.report(change, verb: "Added", preposition: "to", group: name, unchangedReason: "Already in")
            }
        }

        struct RemoveMember: DirctlCommand {
            static let configuration = CommandConfiguration(
                commandName: "remove", abstract: "Remove direct members from a group, all or none.",
                discussion: """
                    A name given that is not a direct member is named as such and records nothing; when none of
                    them is a member, the command fails (exit 1).

                    Example:
                      dirctl group member remove lanh-dao --person an.nguyen
                    """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The group.", completion: Completions.groups) var name: String
            @OptionGroup var which: Which

            func run(in context: CommandContext) throws {
                let change = try context.directory.removeMembers(which.members, from: name)
                guard !change.changed.isEmpty else {
                    throw DirectoryError(.notFound, "\(change.unchanged.map(\.label).joined(separator: ", ")): not a direct member of group \(name) (see `dirctl group show \(name)`)")
                }
                Member.report(change, verb: "Removed", preposition: "from", group: name, unchangedReason: "Not a direct member of")
            }
        }
    }
}
