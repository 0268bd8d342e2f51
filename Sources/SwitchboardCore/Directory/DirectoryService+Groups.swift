import Foundation
import SwitchboardBase
public import GRDB

extension DirectoryService {
    /// Adds a group.
    @discardableResult
    public func addGroup(name rawName: String, description rawDescription: String = "") throws -> DirectoryGroup {
        let name = try DirectoryValidation.groupName(rawName)
        let description = try DirectoryValidation.optionalText("description", rawDescription, maxLength: 500)
        return try session.perform(.groupAdd, target: "group:\(name)") { db, details in
            if try Self.groupID(db, name: name) != nil { throw DirectoryError(.conflict, "group \(name) already exists") }
            try db.execute(sql: "INSERT INTO directory_group (name, description, created_at) VALUES (?, ?, ?)",
                           arguments: [name, description, timestamp])
            details["description"] = description
            return try Self.requireGroup(db, name: name)
        }
    }

    /// Removes a group and its memberships (in it and of it).
    public func removeGroup(name: String) throws {
        try session.perform(.groupRemove, target: "group:\(name)") { db, details in
            let group = try Self.requireGroup(db, name: name)
            let members = try Int.fetchOne(db, sql: "SELECT count(*) FROM group_member WHERE group_id = ?", arguments: [group.id]) ?? 0
            try db.execute(sql: "DELETE FROM directory_group WHERE id = ?", arguments: [group.id])
            details["members"] = members
        }
    }

    /// A member of a group: a person (by login) or another group (by name). In JSON:
    /// `{"kind": "person", "name": "binh.tq"}` or `{"kind": "group", "name": "it-center"}`.
    public enum Member: Sendable, Equatable, Codable {
        /// A person.
        case person(String)
        /// A nested group.
        case group(String)

        /// `person:LOGIN` or `group:NAME`, as audit details and command output name it.
        public var label: String {
            switch self {
            case let .person(login): "person:\(login)"
            case let .group(name): "group:\(name)"
            }
        }

        private enum CodingKeys: String, CodingKey { case kind, name }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case let .person(login): try container.encode("person", forKey: .kind); try container.encode(login, forKey: .name)
            case let .group(name): try container.encode("group", forKey: .kind); try container.encode(name, forKey: .name)
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let name = try container.decode(String.self, forKey: .name)
            switch try container.decode(String.self, forKey: .kind) {
            case "person": self = .person(name)
            case "group": self = .group(name)
            case let other:
                throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown member kind \(other)")
            }
        }
    }

    /// What ``addMembers(_:to:)`` or ``removeMembers(_:from:)`` did.
    public struct MembershipChange: Sendable, Equatable {
        /// Members added or removed, one audit event each, in the order given.
        public var changed: [Member] = []
        /// Members given that were already members (add) or were not direct members (remove):
        /// nothing recorded for them.
        public var unchanged: [Member] = []
    }

    /// Adds members in one transaction, all or nothing, one audit event per member added.
    ///
    /// A member already in the group changes nothing and records nothing; a group that would
    /// contain itself, directly or through others, or any unknown name refuses the whole call.
    @discardableResult
    public func addMember(_ member: Member, to groupName: String) throws -> MembershipChange {
        try addMembers([member], to: groupName)
    }

    /// Adds members in one transaction, all or nothing, one audit event per member added.
    @discardableResult
    public func addMembers(_ members: [Member], to groupName: String) throws -> MembershipChange {
        let target = "group:\(groupName)"
        return try session.batch(.groupMemberAdd, target: target, summarize: false) { db, batch in
            let group = try Self.requireGroup(db, name: groupName)
            var change = MembershipChange()
            for member in Self.unique(members) {
                switch member {
                case let .person(rawLogin):
                    let person = try Self.requirePerson(db, login: try DirectoryValidation.login(rawLogin))
                    guard person.status != .purged else { throw DirectoryError(.refused, "person \(person.login) was purged") }
                    try db.execute(sql: "INSERT OR IGNORE INTO group_member (group_id, person_id) VALUES (?, ?)", arguments: [group.id, person.id])
                case let .group(name):
                    let inner = try Self.requireGroup(db, name: name)
                    let nested = try Self.nestedGroupIDs(db, of: inner.id)
                    if inner.id == group.id || nested.contains(group.id) {
                        throw DirectoryError(.refused, "cannot add group \(inner.name) to \(group.name): \(group.name) would contain itself")
                    }
                    try db.execute(sql: "INSERT OR IGNORE INTO group_member (group_id, member_group_id) VALUES (?, ?)", arguments: [group.id, inner.id])
                }
                try Self.note(member, changed: db.changesCount > 0, as: .groupMemberAdd, target: target, in: &change, batch: batch)
            }
            return .commit(change)
        }
    }

    /// Removes a direct member; one that is not a direct member is refused.
    public func removeMember(_ member: Member, from groupName: String) throws {
        let change = try removeMembers([member], from: groupName)
        if change.changed.isEmpty {
            throw DirectoryError(.notFound, "\(member.label) is not a direct member of group \(groupName)")
        }
    }

    /// Removes direct members in one transaction, one audit event per member removed; a member
    /// given that is not a direct member changes nothing and records nothing.
    @discardableResult
    public func removeMembers(_ members: [Member], from groupName: String) throws -> MembershipChange {
        let target = "group:\(groupName)"
        return try session.batch(.groupMemberRemove, target: target, summarize: false) { db, batch in
            let group = try Self.requireGroup(db, name: groupName)
            var change = MembershipChange()
            for member in Self.unique(members) {
                switch member {
                case let .person(login):
                    let person = try Self.requirePerson(db, login: try DirectoryValidation.login(login))
                    try db.execute(sql: "DELETE FROM group_member WHERE group_id = ? AND person_id = ?", arguments: [group.id, person.id])
                case let .group(name):
                    let inner = try Self.requireGroup(db, name: name)
                    try db.execute(sql: "DELETE FROM group_member WHERE group_id = ? AND member_group_id = ?", arguments: [group.id, inner.id])
                }
                try Self.note(member, changed: db.changesCount > 0, as: .groupMemberRemove, target: target, in: &change, batch: batch)
            }
            return .commit(change)
        }
    }

    /// Files `member` under changed (with its own event) or unchanged (no event).
    private static func note(_ member: Member, changed: Bool, as action: Action, target: String,
                             in change: inout MembershipChange, batch: AuditBatch) throws {
        guard changed else {
            change.unchanged.append(member)
            return
        }
        change.changed.append(member)
        var details = AuditDetails()
        details["member"] = member.label
        try batch.record(action, target: target, details: details)
    }

    /// The members in the order given, each once.
    private static func unique(_ members: [Member]) -> [Member] {
        var seen: [Member] = []
        for member in members where !seen.contains(member) { seen.append(member) }
        return seen
    }

    /// All groups, by name.
    public func groups() throws -> [DirectoryGroup] {
        try authorizeRead(.groupRead, target: "group:*")
        return try database.read { db in try DirectoryGroup.all().orderedByName().fetchAll(db) }
    }

    /// A group and its direct members.
    public func group(name: String) throws -> (group: DirectoryGroup, members: [Member]) {
        try authorizeRead(.groupRead, target: "group:\(name)")
        return try database.read { db in
            let group = try Self.requireGroup(db, name: name)
            let people = try String.fetchAll(db, sql: """
                SELECT p.login FROM group_member m JOIN person p ON p.id = m.person_id WHERE m.group_id = ? ORDER BY p.login
                """, arguments: [group.id]).map(Member.person)
            let groups = try String.fetchAll(db, sql: """
                SELECT g.name FROM group_member m JOIN directory_group g ON g.id = m.member_group_id WHERE m.group_id = ? ORDER BY g.name
                """, arguments: [group.id]).map(Member.group)
            return (group, groups + people)
        }
    }

    /// Every active person in a group, through nested groups, each once.
    public func expand(group name: String) throws -> [Person] {
        try authorizeRead(.groupRead, target: "group:\(name)")
        return try database.read { db in
            let group = try Self.requireGroup(db, name: name)
            let ids = try Self.nestedGroupIDs(db, of: group.id).union([group.id])
            let sql: SQL = """
                \(Person.selection) WHERE p.status = 'active' AND p.id IN
                (SELECT person_id FROM group_member WHERE person_id IS NOT NULL AND group_id IN \(Array(ids)))
                ORDER BY p.search_key, p.login
                """
            return try Person.fetchAll(db, SQLRequest<Person>(literal: sql))
        }
    }

    /// The ids of every group nested inside `groupID`, at any depth (the group itself left out).
    public static func nestedGroupIDs(_ db: Database, of groupID: Int64) throws -> Set<Int64> {
        Set(try Int64.fetchAll(db, sql: """
            WITH RECURSIVE nested(id) AS (
                SELECT member_group_id FROM group_member WHERE group_id = ? AND member_group_id IS NOT NULL
                UNION
                SELECT m.member_group_id FROM group_member m JOIN nested n ON m.group_id = n.id WHERE m.member_group_id IS NOT NULL
            ) SELECT id FROM nested
            """, arguments: [groupID]))
    }

    static func groupID(_ db: Database, name: String) throws -> Int64? {
        try DirectoryGroup.all().named(name).select(DirectoryGroup.Columns.id, as: Int64.self).fetchOne(db)
    }

    static func requireGroup(_ db: Database, name: String) throws -> DirectoryGroup {
        guard let group = try DirectoryGroup.all().named(name).fetchOne(db) else {
            throw DirectoryError(.notFound, "no group named \(Quoting.quoted(name)) (see `dirctl group list`)")
        }
        return group
    }
}
