import Foundation
import GRDB
import SwitchboardCore
import SwitchboardBase

/// A distribution list published from a directory group.
public struct PublishedList: Sendable, Codable {
    /// The list's address.
    public var address: String
    /// The mailboxes it now delivers to.
    public var targets: [String]
    /// Members without a mailbox that receives mail, left out.
    public var skipped: [String]
}

extension MailAdministration {
    /// Adds an alias: mail to `address` also goes to `target` (several targets fan out).
    public func addAlias(_ rawAddress: String, target rawTarget: String) throws {
        let address = try Self.normalize(address: rawAddress, field: "alias")
        let target = try Self.normalize(address: rawTarget, field: "target")
        try session.perform(.mailAliasAdd, target: "mail-alias:\(address.key)") { db, details in
            let domain = try Self.requireDomain(db, name: address.asciiDomain)
            if try Int64.fetchOne(db, sql: "SELECT id FROM mailbox WHERE address = ?", arguments: [address.key]) != nil {
                throw MailError(.conflict, "\(address.key) is a mailbox; an alias needs an address of its own")
            }
            if try String.fetchOne(db, sql: "SELECT kind FROM mail_alias WHERE address = ? AND kind = 'group' LIMIT 1", arguments: [address.key]) != nil {
                throw MailError(.conflict, "\(address.key) is a published distribution list (`mailctl group publish`)")
            }
            if try Int64.fetchOne(db, sql: "SELECT id FROM mail_alias WHERE address = ? AND target = ?", arguments: [address.key, target.key]) != nil {
                throw MailError(.conflict, "alias \(address.key) -> \(target.key) exists already")
            }
            try db.execute(sql: "INSERT INTO mail_alias (address, target, domain_id, kind) VALUES (?, ?, ?, 'alias')",
                           arguments: [address.key, target.key, domain.id])
            details["target"] = target.key
        }
    }

    /// Removes one target of an alias, or every target when `target` is nil.
    public func removeAlias(_ rawAddress: String, target rawTarget: String?) throws {
        let address = try Self.normalize(address: rawAddress, field: "alias")
        let target = try rawTarget.map { try Self.normalize(address: $0, field: "target").key }
        try session.perform(.mailAliasRemove, target: "mail-alias:\(address.key)") { db, details in
            if let target {
                try db.execute(sql: "DELETE FROM mail_alias WHERE address = ? AND target = ? AND kind IN ('alias', 'rename')", arguments: [address.key, target])
            } else {
                try db.execute(sql: "DELETE FROM mail_alias WHERE address = ? AND kind IN ('alias', 'rename')", arguments: [address.key])
            }
            guard db.changesCount > 0 else {
                throw MailError(.notFound, "no alias \(address.key)\(target.map { " -> \($0)" } ?? "") (see `mailctl alias list`)")
            }
            details["target"] = target ?? "*"
        }
    }

    /// Aliases, optionally of one domain.
    public func aliases(domain: String? = nil) throws -> [MailAliasEntry] {
        try session.authorize(.mailAccountRead, target: "mail-alias:*")
        return try database.read { db in
            if let domain {
                let id = try Self.requireDomain(db, name: Punycode.toASCII(domain: domain) ?? domain.lowercased()).id
                return try MailAliasEntry.fetchAll(db, sql: "SELECT * FROM mail_alias WHERE domain_id = ? ORDER BY address, target", arguments: [id])
            }
            return try MailAliasEntry.fetchAll(db, sql: "SELECT * FROM mail_alias ORDER BY address, target")
        }
    }

    /// Publishes a directory group as a distribution list at `address`: its members' mailboxes,
    /// through nested groups. Publishing again brings the list up to date with the group.
    public func publish(group: String, address rawAddress: String) throws -> PublishedList {
        let address = try Self.normalize(address: rawAddress, field: "list address")
        try session.authorize(.mailGroupPublish, target: "mail-list:\(address.key)")
        let directory = DirectoryService(database: database, session: session, settings: .init())
        let members = try directory.expand(group: group)
        return try session.perform(.mailGroupPublish, target: "mail-list:\(address.key)") { db, details in
            let domain = try Self.requireDomain(db, name: address.asciiDomain)
            if try Int64.fetchOne(db, sql: "SELECT id FROM mailbox WHERE address = ?", arguments: [address.key]) != nil {
                throw MailError(.conflict, "\(address.key) is a mailbox; a list needs an address of its own")
            }
            if try Int64.fetchOne(db, sql: "SELECT id FROM mail_alias WHERE address = ? AND kind <> 'group'", arguments: [address.key]) != nil {
                throw MailError(.conflict, "\(address.key) is an alias; remove it first (`mailctl alias remove`)")
            }
            var targets: [String] = []
            var skipped: [String] = []
            for member in members {
                let boxes = try String.fetchAll(db, sql: """
                    SELECT address FROM mailbox WHERE person_id = ? AND status IN ('active', 'login-disabled') ORDER BY id LIMIT 1
                    """, arguments: [member.id])
                if let box = boxes.first { targets.append(box) } else { skipped.append(member.login) }
            }
            guard !targets.isEmpty else {
                throw MailError(.refused, "group \(group) has no member with a mailbox; nothing to publish")
            }
            try db.execute(sql: "DELETE FROM mail_alias WHERE address = ? AND kind = 'group'", arguments: [address.key])
            for target in Set(targets).sorted() {
                try db.execute(sql: "INSERT INTO mail_alias (address, target, domain_id, kind) VALUES (?, ?, ?, 'group')",
                               arguments: [address.key, target, domain.id])
            }
            details["group"] = group
            details["members"] = targets.count
            details["skipped"] = skipped
            return PublishedList(address: address.key, targets: Set(targets).sorted(), skipped: skipped)
        }
    }

    /// Removes a published distribution list.
    public func unpublish(address rawAddress: String) throws {
        let address = try Self.normalize(address: rawAddress, field: "list address")
        try session.perform(.mailGroupUnpublish, target: "mail-list:\(address.key)") { db, _ in
            try db.execute(sql: "DELETE FROM mail_alias WHERE address = ? AND kind = 'group'", arguments: [address.key])
            guard db.changesCount > 0 else { throw MailError(.notFound, "no distribution list \(address.key)") }
        }
    }
}
