import Foundation
import GRDB
import SwitchboardCore
import SwitchboardBase

/// A distribution list published from a directory group.
public struct PublishedList: Sendable, Codable {
    /// The list's address.
    public var address: String
    /// The mailboxes it delivers to right now (it follows the group from here on).
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
            if try String.fetchOne(db, sql: """
                SELECT kind FROM mail_alias WHERE address = ? AND kind = 'group' UNION ALL SELECT 'list' FROM mail_list WHERE address = ? LIMIT 1
                """, arguments: [address.key, address.key]) != nil {
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

    /// Publishes a directory group as a distribution list at `address`. The list is live: the mail
    /// servers expand the group at delivery time (nested groups included, members who are not
    /// active left out; `mail_alias_view`), so a membership change reaches the next message and
    /// nothing is ever re-run. Publishing the address again points it at `group`.
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
            guard let groupID = try Int64.fetchOne(db, sql: "SELECT id FROM directory_group WHERE name = ?", arguments: [group]) else {
                throw MailError(.notFound, "no group \(Quoting.quoted(group)) (see `dirctl group list`)")
            }
            // A list published before live lists was a snapshot of rows in mail_alias: replaced here.
            try db.execute(sql: "DELETE FROM mail_alias WHERE address = ? AND kind = 'group'", arguments: [address.key])
            try db.execute(sql: """
                INSERT INTO mail_list (address, domain_id, group_id, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (address) DO UPDATE SET group_id = excluded.group_id
                """, arguments: [address.key, domain.id, groupID, timestamp])
            // What the servers expand it to right now, from their own view.
            let targets = try String.fetchAll(db, sql: "SELECT target FROM mail_alias_view WHERE address = ? ORDER BY target",
                                              arguments: [address.key])
            var skipped: [String] = []
            for member in members {
                let box = try String.fetchOne(db, sql: "SELECT address FROM mail_mailbox_state WHERE person_id = ? AND receives LIMIT 1",
                                              arguments: [member.id])
                if box == nil { skipped.append(member.login) }
            }
            details["group"] = group
            details["members"] = targets.count
            details["skipped"] = skipped
            return PublishedList(address: address.key, targets: targets, skipped: skipped)
        }
    }

    /// Removes a published distribution list.
    public func unpublish(address rawAddress: String) throws {
        let address = try Self.normalize(address: rawAddress, field: "list address")
        try session.perform(.mailGroupUnpublish, target: "mail-list:\(address.key)") { db, _ in
            try db.execute(sql: "DELETE FROM mail_alias WHERE address = ? AND kind = 'group'", arguments: [address.key])
            let legacy = db.changesCount
            try db.execute(sql: "DELETE FROM mail_list WHERE address = ?", arguments: [address.key])
            guard legacy + db.changesCount > 0 else { throw MailError(.notFound, "no distribution list \(address.key)") }
        }
    }
}
