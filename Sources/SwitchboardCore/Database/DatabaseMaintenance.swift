import Crypto
import SwitchboardBase
import Foundation
import GRDB

/// Health facts about the database, for `dirctl doctor`.
public struct DatabaseReport: Sendable, Codable {
    /// The database file.
    public var path: String
    /// `ok`, or the first problems `PRAGMA integrity_check` reported.
    public var integrity: String
    /// The newest migration applied.
    public var schemaVersion: String
    /// How the schema differs from what the migrations make (empty when it is exactly theirs).
    public var schemaDifferences: [SchemaDifference]
    /// Bytes in the main file.
    public var fileBytes: Int64
    /// Bytes in the write-ahead log.
    public var walBytes: Int64
    /// Counts of people by status.
    public var people: [String: Int]
    /// Units, groups, rooms.
    public var units: Int, groups: Int, rooms: Int
    /// The audit chain verification.
    public var audit: AuditVerification
    /// The newest checkpoint, if any.
    public var lastCheckpoint: AuditCheckpoint?
    /// The newest event's time.
    public var lastEventTime: String?

    enum CodingKeys: String, CodingKey {
        case path, integrity, schemaVersion = "schema_version", schemaDifferences = "schema_differences", fileBytes = "file_bytes", walBytes = "wal_bytes"
        case people, units, groups, rooms, audit, lastCheckpoint = "last_checkpoint", lastEventTime = "last_event_time"
    }

    /// True when the file is sound, its schema exactly the migrations' and the audit chain intact.
    public var healthy: Bool { integrity == "ok" && schemaDifferences.isEmpty && audit.intact }
}

extension SwitchboardDatabase {
    /// Checks integrity, schema (against the migrations), sizes and the audit chain.
    public func report(verifier: AuditVerifier) throws -> DatabaseReport {
        try writer.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").prefix(5).joined(separator: "; ")
            var people: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM person GROUP BY status") {
                people[row["status"]] = row["n"]
            }
            return DatabaseReport(
                path: path, integrity: integrity,
                schemaVersion: try Self.migrator.appliedMigrations(db).last ?? "none",
                schemaDifferences: try Self.schemaDifferences(db),
                fileBytes: Self.fileSize(path), walBytes: Self.fileSize(path + "-wal"), people: people,
                units: try Int.fetchOne(db, sql: "SELECT count(*) FROM unit") ?? 0,
                groups: try Int.fetchOne(db, sql: "SELECT count(*) FROM directory_group") ?? 0,
                rooms: try Int.fetchOne(db, sql: "SELECT count(*) FROM room") ?? 0,
                audit: try verifier.verify(db),
                lastCheckpoint: try AuditCheckpoint.all(db).last,
                lastEventTime: try String.fetchOne(db, sql: "SELECT time FROM audit_event ORDER BY seq DESC LIMIT 1"))
        }
    }

    /// Copies the live database with SQLite's online backup API to `destination`, then checks the copy
    /// (integrity and audit chain) before moving it into place. Returns the copy's report.
    ///
    /// Every file step runs with the caller's rights (``CallerIdentity``): a set-gid tool must not
    /// create or replace files where only its group may write, the database's own folder included.
    public func backup(to destination: String, verifier: AuditVerifier) throws -> DatabaseReport {
        try CallerIdentity.perform { try backupAsCaller(to: destination, verifier: verifier) }
    }

    private func backupAsCaller(to destination: String, verifier: AuditVerifier) throws -> DatabaseReport {
        let folder = (destination as NSString).deletingLastPathComponent
        let staging = (folder.isEmpty ? "." : folder) + "/.\((destination as NSString).lastPathComponent).partial-\(getpid())"
        let fileManager = FileManager.default
        try? fileManager.removeItem(atPath: staging)
        defer {
            for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: staging + suffix) }
        }
        do {
            try Self.createPrivateFile(staging)
            let copy = try DatabaseQueue(path: staging)
            try writer.backup(to: copy)
            try copy.close()
        } catch {
            throw DatabaseOpenError(path: destination, problem: "backup failed: \(Self.describe(error))")
        }
        let checked = try SwitchboardDatabase(path: staging)
        let report = try checked.report(verifier: verifier)
        try checked.writer.close()
        guard report.healthy else {
            throw DirectoryError(.refused, "backup \(destination): the copy failed its checks (integrity: \(report.integrity); schema: \(report.schemaDifferences.isEmpty ? "as migrated" : report.schemaDifferences.map(\.description).joined(separator: ", ")); audit intact: \(report.audit.intact)); the old backup, if any, was kept")
        }
        for suffix in ["-wal", "-shm"] { try? fileManager.removeItem(atPath: staging + suffix) }
        try AtomicFile.refuseLink(at: destination, existing: .replace)
        if rename(staging, destination) != 0 {
            throw DatabaseOpenError(path: destination, problem: "cannot move the checked copy into place: \(String(cString: strerror(errno)))")
        }
        AtomicFile.syncFolder(of: destination)
        var final = report
        final.path = destination
        return final
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}

/// One way the file's schema differs from what the migrations make: a table, index, view or
/// trigger that is missing, changed (its SQL differs) or extra.
public struct SchemaDifference: Sendable, Codable, Equatable, CustomStringConvertible {
    /// What happened to the object.
    public enum Change: String, Sendable, Codable {
        /// The migrations make it; the file lacks it (a dropped append-only trigger, say).
        case missing
        /// Both have it, with different SQL (a view or trigger redefined).
        case changed
        /// The file has it; the migrations do not make it.
        case extra
    }

    /// Missing, changed or extra.
    public var change: Change
    /// `table`, `index`, `view` or `trigger` (for a changed object, the file's type).
    public var type: String
    /// The object's name.
    public var name: String

    public var description: String { "\(type) \(name) \(change.rawValue)" }
}

extension SwitchboardDatabase {
    /// Compares the schema of `db` with the one the same migrations make on an empty in-memory
    /// database, object by object (every table, index, view and trigger, with its SQL text).
    ///
    /// The reference is migrated up to the newest migration the file records, so an exact match
    /// means nobody added, dropped or redefined anything since: the append-only triggers of the
    /// audit tables included. SQLite's own objects (`sqlite_autoindex_*`, `sqlite_stat1`) are left
    /// out: nobody can create them by name, and they follow from the tables' SQL.
    static func schemaDifferences(_ db: Database) throws -> [SchemaDifference] {
        let actual = try schemaObjects(db)
        let reference = try DatabaseQueue()
        if let last = try migrator.appliedMigrations(db).last {
            try migrator.migrate(reference, upTo: last)
        }
        let expected = try reference.read { try schemaObjects($0) }
        var differences: [SchemaDifference] = []
        for (name, object) in expected.sorted(by: { $0.key < $1.key }) {
            if let found = actual[name] {
                if found != object { differences.append(SchemaDifference(change: .changed, type: found.type, name: name)) }
            } else {
                differences.append(SchemaDifference(change: .missing, type: object.type, name: name))
            }
        }
        for (name, object) in actual.sorted(by: { $0.key < $1.key }) where expected[name] == nil {
            differences.append(SchemaDifference(change: .extra, type: object.type, name: name))
        }
        return differences
    }

    private struct SchemaObject: Equatable {
        var type: String
        var table: String
        var sql: String?
    }

    private static func schemaObjects(_ db: Database) throws -> [String: SchemaObject] {
        var objects: [String: SchemaObject] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'") {
            objects[row["name"]] = SchemaObject(type: row["type"], table: row["tbl_name"], sql: row["sql"])
        }
        return objects
    }
}
