import ArgumentParser
import Foundation
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct RoomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room", abstract: "Meeting rooms, physical and virtual.",
        subcommands: [Add.self, List.self, Show.self, Update.self])

    struct FieldOptions: ParsableArguments {
        @Option(help: "physical or virtual.") var kind: String?
        @Option(help: "Seats or participants.") var capacity: Int?
        @Option(help: "Building and floor, or the platform.") var location: String?
        @Option(help: "Equipment, comma-separated (projector,videoconference).") var equipment: String?

        var fields: RoomFields {
            RoomFields(kind: kind, capacity: capacity, location: location,
                       equipment: equipment.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } })
        }
    }

    static func show(_ rooms: [Room], json: Bool) throws {
        if json { try Console.json(rooms); return }
        Console.table(["NAME", "KIND", "CAPACITY", "LOCATION", "EQUIPMENT"],
                      rooms.map { [$0.name, $0.kind, String($0.capacity), $0.location, $0.equipment.joined(separator: ", ")] })
    }

    struct Add: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "add", 
            abstract: "Add a room.",
            discussion: """
                Examples:
                  dirctl room add "Phòng A" --kind physical --capacity 20 --location "Tầng 3"
                  dirctl room update "Phòng A" --equipment projector,videoconference
                  dirctl room add jitsi-1 --kind virtual --capacity 100 --location "Jitsi"
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Unique name.") var name: String
        @OptionGroup var options: FieldOptions

        func run(in context: CommandContext) throws {
            let room = try context.directory.addRoom(name: name, fields: options.fields)
            if global.json { try Console.json(room) } else { Console.out("Added room \(room.name)") }
        }
    }

    struct List: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List rooms.", discussion: "Example:\n  dirctl room list")
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) throws {
            try RoomCommand.show(try context.directory.rooms(), json: global.json)
        }
    }

    struct Show: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one room.", discussion: "Example:\n  dirctl room show \"Phòng họp A\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name.") var name: String

        func run(in context: CommandContext) throws {
            let room = try context.directory.room(name: name)
            if global.json { try Console.json(room); return }
            Console.fields([("name", room.name), ("kind", room.kind), ("capacity", String(room.capacity)),
                            ("location", room.location), ("equipment", room.equipment.joined(separator: ", "))])
        }
    }

    struct Update: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "update", 
            abstract: "Change a room's fields or name.",
            discussion: "Example:\n  dirctl room update \"Phòng A\" --capacity 24 --equipment projector,whiteboard")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name.") var name: String
        @Option(help: "A new name.") var rename: String?
        @OptionGroup var options: FieldOptions

        func run(in context: CommandContext) throws {
            let room = try context.directory.updateRoom(name: name, newName: rename, fields: options.fields)
            if global.json { try Console.json(room) } else { Console.out("Updated room \(room.name)") }
        }
    }
}
