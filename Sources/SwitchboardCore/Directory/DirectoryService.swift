import Foundation
public import SwitchboardBase
import GRDB

/// The directory's operations: each one authorized, validated, and written with its audit event.
public struct DirectoryService: Sendable {
    /// The database.
    public let database: SwitchboardDatabase
    /// The acting person.
    public let session: Session
    /// Directory rules from the config.
    public let settings: SwitchboardConfig.DirectorySettings
    /// Calendar time: retention, timestamps.
    public let clock: any WallClock
    /// The language of a new person when none is given (`locale.language`).
    public let defaultLanguage: String

    /// A service acting as `session`.
    public init(database: SwitchboardDatabase, session: Session, settings: SwitchboardConfig.DirectorySettings,
                defaultLanguage: String = "vi", clock: any WallClock = SystemWallClock()) {
        self.database = database
        self.defaultLanguage = defaultLanguage
        self.session = session
        self.settings = settings
        self.clock = clock
    }

    /// Authorizes a read, without writing anything.
    func authorizeRead(_ action: Action, target: String) throws {
        try session.authorize(action, target: target)
    }

    /// The current time as stored.
    var timestamp: String { Timestamp.format(clock.now()) }

    // MARK: Units

    /// Adds a unit under `parent` (nil: a top unit).
    @discardableResult
    public func addUnit(code rawCode: String, name rawName: String, parent: String?) throws -> Unit {
        let code = try DirectoryValidation.unitCode(rawCode)
        let name = try DirectoryValidation.text("unit name", rawName, maxLength: 200)
        return try session.perform(.unitAdd, target: "unit:\(code)") { db, details in
            if try Self.unitID(db, code: code) != nil {
                throw DirectoryError(.conflict, "unit \(code) already exists")
            }
            let parentID = try parent.map { try Self.requireUnitID(db, code: $0) }
            try db.execute(sql: "INSERT INTO unit (code, name, parent_id, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [code, name, parentID, timestamp])
            details["name"] = name
            details["parent"] = parent ?? ""
            return try Self.requireUnit(db, code: code)
        }
    }

    /// Renames a unit (its code stays).
    public func renameUnit(code: String, name rawName: String) throws {
        let name = try DirectoryValidation.text("unit name", rawName, maxLength: 200)
        try session.perform(.unitRename, target: "unit:\(code)") { db, details in
            let unit = try Self.requireUnit(db, code: code)
            try db.execute(sql: "UPDATE unit SET name = ? WHERE id = ?", arguments: [name, unit.id])
            details["from"] = unit.name
            details["to"] = name
        }
    }

    /// Moves a unit under another (nil: to the top); a move under its own subtree is refused.
    public func moveUnit(code: String, parent: String?) throws {
        try session.perform(.unitMove, target: "unit:\(code)") { db, details in
            let unit = try Self.requireUnit(db, code: code)
            var newParentID: Int64?
            if let parent {
                let parentID = try Self.requireUnitID(db, code: parent)
                var cursor: Int64? = parentID
                while let current = cursor {
                    if current == unit.id {
                        throw DirectoryError(.refused, "cannot move unit \(unit.code) under \(parent): \(parent) is inside \(unit.code)")
                    }
                    cursor = try Unit.filter(Unit.Columns.id == current).select(Unit.Columns.parentID, as: Int64?.self).fetchOne(db) ?? nil
                }
                newParentID = parentID
            }
            try db.execute(sql: "UPDATE unit SET parent_id = ? WHERE id = ?", arguments: [newParentID, unit.id])
            details["parent"] = parent ?? ""
        }
    }

    /// Removes a unit that has no sub-units and no people.
    public func removeUnit(code: String) throws {
        try session.perform(.unitRemove, target: "unit:\(code)") { db, details in
            let unit = try Self.requireUnit(db, code: code)
            let children = try Unit.filter(Unit.Columns.parentID == unit.id).fetchCount(db)
            let people = try Int.fetchOne(db, sql: "SELECT count(*) FROM person WHERE unit_id = ? AND status <> 'purged'", arguments: [unit.id]) ?? 0
            guard children == 0, people == 0 else {
                throw DirectoryError(.refused, "unit \(unit.code) is not empty: \(children) sub-unit(s) and \(people) person(s); move them first")
            }
            try db.execute(sql: "UPDATE person SET unit_id = NULL WHERE unit_id = ?", arguments: [unit.id])
            try db.execute(sql: "DELETE FROM unit WHERE id = ?", arguments: [unit.id])
            details["name"] = unit.name
        }
    }

    /// One line of the unit tree.
    public struct UnitTreeEntry: Sendable, Codable {
        /// The unit.
        public var unit: Unit
        /// Nesting depth, 0 for a top unit.
        public var depth: Int
        /// People in this unit (not counting sub-units), departed and purged excluded.
        public var people: Int
    }

    /// The units as a tree, depth-first, siblings by code.
    public func unitTree() throws -> [UnitTreeEntry] {
        try authorizeRead(.unitRead, target: "unit:*")
        return try database.read { db in
            let units = try Unit.all().orderedByCode().fetchAll(db)
            let counts = try Row.fetchAll(db, sql: "SELECT unit_id, count(*) AS n FROM person WHERE status IN ('active', 'suspended') GROUP BY unit_id")
            var people: [Int64: Int] = [:]
            for row in counts { if let id: Int64 = row["unit_id"] { people[id] = row["n"] } }
            let children = Dictionary(grouping: units, by: \.parentID)
            var entries: [UnitTreeEntry] = []
            func visit(_ parent: Int64?, depth: Int) {
                for unit in children[parent] ?? [] {
                    entries.append(UnitTreeEntry(unit: unit, depth: depth, people: people[unit.id] ?? 0))
                    visit(unit.id, depth: depth + 1)
                }
            }
            visit(nil, depth: 0)
            return entries
        }
    }

    static func unitID(_ db: Database, code: String) throws -> Int64? {
        try Unit.all().code(code).select(Unit.Columns.id, as: Int64.self).fetchOne(db)
    }

    static func requireUnitID(_ db: Database, code: String) throws -> Int64 {
        guard let id = try unitID(db, code: code) else {
            throw DirectoryError(.notFound, "no unit with code \(Quoting.quoted(code)) (see `dirctl unit list`)", field: "unit")
        }
        return id
    }

    static func requireUnit(_ db: Database, code: String) throws -> Unit {
        guard let unit = try Unit.all().code(code).fetchOne(db) else {
            throw DirectoryError(.notFound, "no unit with code \(Quoting.quoted(code)) (see `dirctl unit list`)", field: "unit")
        }
        return unit
    }
}
