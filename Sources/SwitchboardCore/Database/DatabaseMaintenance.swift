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
        case path, integrity, schemaVersion = "schema_version", fileBytes = "file_bytes", walBytes = "wal_bytes"
        case people, units, groups, rooms, audit, lastCheckpoint = "last_checkpoint", lastEventTime = "last_event_time"
    }

    /// True when the file is sound and the audit chain intact.
    public var healthy: Bool { integrity == "ok" && audit.intact }
}

extension SwitchboardDatabase {
    /// Checks integrity, schema, sizes and the audit chain.
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
    public func backup(to destination: String, verifier: AuditVerifier) throws -> DatabaseReport {
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
            throw DirectoryError(.refused, "backup \(destination): the copy failed its checks (integrity: \(report.integrity); audit intact: \(report.audit.intact)); the old backup, if any, was kept")
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
