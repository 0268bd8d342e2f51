import Foundation
import SwitchboardBase
import GRDB

/// Room fields as given; nil means "not given".
public struct RoomFields: Sendable, Equatable {
    /// `physical` or `virtual`.
    public var kind: String?
    /// Seats or participants.
    public var capacity: Int?
    /// Building and floor, or the platform.
    public var location: String?
    /// Equipment list.
    public var equipment: [String]?

    /// Fields.
    public init(kind: String? = nil, capacity: Int? = nil, location: String? = nil, equipment: [String]? = nil) {
        self.kind = kind
        self.capacity = capacity
        self.location = location
        self.equipment = equipment
    }

    func checked() throws -> RoomFields {
        var result = RoomFields()
        if let kind {
            guard kind == "physical" || kind == "virtual" else { throw DirectoryError.invalid("kind", kind, "must be physical or virtual") }
            result.kind = kind
        }
        if let capacity {
            guard (0...100_000).contains(capacity) else { throw DirectoryError.invalid("capacity", String(capacity), "must be 0 to 100000") }
            result.capacity = capacity
        }
        result.location = try location.map { try DirectoryValidation.optionalText("location", $0, maxLength: 200) }
        result.equipment = try equipment.map { items in
            try items.map { try DirectoryValidation.text("equipment", $0, maxLength: 60) }.map { item in
                guard !item.contains(",") else { throw DirectoryError.invalid("equipment", item, "must not contain a comma") }
                return item
            }
        }
        return result
    }
}

extension DirectoryService {
    /// Adds a room.
    @discardableResult
    public func addRoom(name rawName: String, fields: RoomFields) throws -> Room {
        let name = try DirectoryValidation.text("room name", rawName, maxLength: 100)
        let checked = try fields.checked()
        guard let kind = checked.kind else { throw DirectoryError(.invalidInput, "kind: a new room needs --kind physical or --kind virtual") }
        return try session.perform(.roomAdd, target: "room:\(name)") { db, details in
            if try Room.all().named(name).fetchCount(db) > 0 {
                throw DirectoryError(.conflict, "room \(name) already exists")
            }
            try db.execute(sql: "INSERT INTO room (name, kind, capacity, location, equipment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [name, kind, checked.capacity ?? 0, checked.location ?? "",
                                       (checked.equipment ?? []).joined(separator: ","), timestamp])
            details["kind"] = kind
            details["capacity"] = checked.capacity ?? 0
            return try Self.requireRoom(db, name: name)
        }
    }

    /// Changes the given fields of a room, and optionally its name.
    @discardableResult
    public func updateRoom(name: String, newName: String?, fields: RoomFields) throws -> Room {
        let checked = try fields.checked()
        let renamed = try newName.map { try DirectoryValidation.text("room name", $0, maxLength: 100) }
        return try session.perform(.roomUpdate, target: "room:\(name)") { db, details in
            let room = try Self.requireRoom(db, name: name)
            if let renamed, renamed != room.name {
                if try Room.all().named(renamed).filter(Room.Columns.id != room.id).fetchCount(db) > 0 {
                    throw DirectoryError(.conflict, "room \(renamed) already exists")
                }
                details["renamed"] = renamed
            }
            try db.execute(sql: "UPDATE room SET name = ?, kind = ?, capacity = ?, location = ?, equipment = ? WHERE id = ?",
                           arguments: [renamed ?? room.name, checked.kind ?? room.kind, checked.capacity ?? room.capacity,
                                       checked.location ?? room.location, (checked.equipment ?? room.equipment).joined(separator: ","), room.id])
            var changed: [String] = []
            if checked.kind != nil { changed.append("kind") }
            if checked.capacity != nil { changed.append("capacity") }
            if checked.location != nil { changed.append("location") }
            if checked.equipment != nil { changed.append("equipment") }
            details["changed"] = changed
            return try Self.requireRoom(db, name: renamed ?? room.name)
        }
    }

    /// All rooms, by name.
    public func rooms() throws -> [Room] {
        try authorizeRead(.roomRead, target: "room:*")
        return try database.read { db in try Room.all().orderedByName().fetchAll(db) }
    }

    /// One room.
    public func room(name: String) throws -> Room {
        try authorizeRead(.roomRead, target: "room:\(name)")
        return try database.read { db in try Self.requireRoom(db, name: name) }
    }

    static func requireRoom(_ db: Database, name: String) throws -> Room {
        guard let room = try Room.all().named(name).fetchOne(db) else {
            throw DirectoryError(.notFound, "no room named \(Quoting.quoted(name)) (see `dirctl room list`)")
        }
        return room
    }
}
