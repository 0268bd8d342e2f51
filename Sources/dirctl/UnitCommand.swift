import ArgumentParser
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct UnitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit",
        abstract: "Add, rename, move, list and remove organizational units.",
        subcommands: [Add.self, Rename.self, Move.self, List.self, Remove.self])

    struct Add: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "add", 
            abstract: "Add a unit.",
            discussion: """
                Examples:
                  dirctl unit add IT --name "Trung tâm Công nghệ thông tin"
                  dirctl unit add IT-NET --name "Phòng Hạ tầng mạng" --parent IT
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Short unique code (A-Z, 0-9, - _ .).") var code: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Code of the parent unit; none for a top unit.", completion: Completions.units) var parent: String?

        func run(in context: CommandContext) throws {
            let unit = try context.directory.addUnit(code: code, name: name, parent: parent)
            if global.json { try Console.json(unit) } else { Console.out("Added unit \(unit.code) (\(unit.name))") }
        }
    }

    struct Rename: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "rename", 
            abstract: "Give a unit a new display name (its code stays).",
            discussion: "Example:\n  dirctl unit rename IT --name \"Trung tâm Chuyển đổi số\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The unit's code.", completion: Completions.units) var code: String
        @Option(help: "The new display name.") var name: String

        func run(in context: CommandContext) throws {
            try context.directory.renameUnit(code: code, name: name)
            Console.out("Renamed unit \(code)")
        }
    }

    struct Move: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "move", 
            abstract: "Move a unit under another unit, or to the top.",
            discussion: "Examples:\n  dirctl unit move IT-NET --parent IT\n  dirctl unit move IT-NET --top")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The unit's code.", completion: Completions.units) var code: String
        @Option(help: "The new parent's code.", completion: Completions.units) var parent: String?
        @Flag(help: "Make it a top unit.") var top = false

        func validate() throws {
            guard (parent != nil) != top else { throw ValidationError("give exactly one of --parent CODE or --top") }
        }

        func run(in context: CommandContext) throws {
            try context.directory.moveUnit(code: code, parent: parent)
            Console.out("Moved unit \(code) \(parent.map { "under \($0)" } ?? "to the top")")
        }
    }

    struct List: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "list", 
            abstract: "Show the units as a tree, with how many people each has.",
            discussion: "Examples:\n  dirctl unit list\n  dirctl unit list --json")
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) throws {
            let tree = try context.directory.unitTree()
            if global.json { try Console.json(tree); return }
            Console.table(["UNIT", "NAME", "PEOPLE"], tree.map { entry in
                [String(repeating: "  ", count: entry.depth) + entry.unit.code, entry.unit.name, String(entry.people)]
            })
        }
    }

    struct Remove: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "remove", 
            abstract: "Remove a unit that has no sub-units and no people.",
            discussion: "Example:\n  dirctl unit remove IT-OLD")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The unit's code.", completion: Completions.units) var code: String

        func run(in context: CommandContext) throws {
            try context.directory.removeUnit(code: code)
            Console.out("Removed unit \(code)")
        }
    }
}
