public import GRDB

// The directory's records as GRDB tables: named columns and the queries several places reuse,
// so lookups are written once and bind their values.

extension Unit: TableRecord {
    public static let databaseTableName = "unit"

    /// The columns queries name.
    public enum Columns {
        /// Stable id.
        public static let id = Column("id")
        /// Short unique code.
        public static let code = Column("code")
        /// Display name.
        public static let name = Column("name")
        /// The parent unit's id.
        public static let parentID = Column("parent_id")
    }
}

extension DirectoryGroup: TableRecord {
    public static let databaseTableName = "directory_group"

    /// The columns queries name.
    public enum Columns {
        /// Stable id.
        public static let id = Column("id")
        /// Unique name.
        public static let name = Column("name")
    }
}

extension Room: TableRecord {
    public static let databaseTableName = "room"

    /// The columns queries name.
    public enum Columns {
        /// Stable id.
        public static let id = Column("id")
        /// Unique name.
        public static let name = Column("name")
    }
}

extension DerivableRequest<Unit> {
    /// The unit with this code.
    func code(_ code: String) -> Self { filter(Unit.Columns.code == code) }
    /// By code, as listings show units.
    func orderedByCode() -> Self { order(Unit.Columns.code) }
}

extension DerivableRequest<DirectoryGroup> {
    /// The group with this name.
    func named(_ name: String) -> Self { filter(DirectoryGroup.Columns.name == name) }
    /// By name, as listings show groups.
    func orderedByName() -> Self { order(DirectoryGroup.Columns.name) }
}

extension DerivableRequest<Room> {
    /// The room with this name.
    func named(_ name: String) -> Self { filter(Room.Columns.name == name) }
    /// By name, as listings show rooms.
    func orderedByName() -> Self { order(Room.Columns.name) }
}
