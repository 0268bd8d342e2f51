import Crypto
import SwitchboardBase
import Foundation
import GRDB

/// What `dirctl restore` found in a backup, what it would do, and (after the restore) what it did.
public struct RestoreReport: Sendable, Codable {
    /// The backup file, as named.
    public var file: String
    /// SHA-256 of the backup file's bytes as read (hex).
    public var sha256: String
    /// The newest migration the backup records, and the ones applied to its copy on the way in.
    public var backupSchemaVersion: String
    public var migrationsApplied: [String]
    /// The backup's audit log: its newest seq and that event's time.
    public var backupLastSeq: Int64
    public var backupLastEventTime: String?
    /// Stored checkpoints in the backup that verified with the configured key.
    public var backupCheckpointsVerified: Int
    /// People and mailboxes in the backup.
    public var people: Int
    public var mailboxes: Int
    /// The live log's newest seq before the restore.
    public var liveLastSeq: Int64
    /// The newest checkpoint kept outside the backup (audit.checkpoint_dir, the live database's
    /// stored ones), and where it is.
    public var newestCheckpointSeq: Int64?
    public var newestCheckpointSource: String?
    /// True when that checkpoint covers events the backup lacks: restoring rolls the log back past it.
    public var rollback: Bool
    /// True when `--accept-rollback` allowed such a restore.
    public var rollbackAccepted: Bool
    /// Live events after the backup's newest seq, which the restore removes from the database.
    public var eventsReplaced: Int64
    /// The JSON Lines export of the whole live log taken before the restore (nil on a dry run).
    public var auditExport: String?
    /// The seq of the `database.restore` event appended after the restore (nil on a dry run).
    public var restoreSeq: Int64?
    /// True when nothing was written.
    public var dryRun: Bool

    enum CodingKeys: String, CodingKey {
        case file, sha256, backupSchemaVersion = "backup_schema_version", migrationsApplied = "migrations_applied"
        case backupLastSeq = "backup_last_seq", backupLastEventTime = "backup_last_event_time"
        case backupCheckpointsVerified = "backup_checkpoints_verified", people, mailboxes, liveLastSeq = "live_last_seq"
        case newestCheckpointSeq = "newest_checkpoint_seq", newestCheckpointSource = "newest_checkpoint_source"
        case rollback, rollbackAccepted = "rollback_accepted", eventsReplaced = "events_replaced"
        case auditExport = "audit_export", restoreSeq = "restore_seq", dryRun = "dry_run"
    }
}

/// A backup read with the caller's rights into a private copy, checked and brought to the current
/// schema there: the backup file itself is never opened by SQLite (opening would write its `-shm`,
/// and migrating it would change it).
final class StagedBackup {
    let folder: String
    let copy: DatabaseQueue
    var report: RestoreReport
    /// The hash of the backup's newest event, to compare with the live log's event at that seq.
    let lastHash: String

    private init(folder: String, copy: DatabaseQueue, report: RestoreReport, lastHash: String) {
        self.folder = folder
        self.copy = copy
        self.report = report
        self.lastHash = lastHash
    }

    deinit {
        try? copy.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Reads `path` with the caller's rights, checks it and migrates the private copy.
    /// `outside` are checkpoints kept apart from the backup; those the backup's log reaches must match it.
    static func stage(_ path: String, verifier: AuditVerifier, outside: [SourcedCheckpoint]) throws -> StagedBackup {
        let bytes = try readAsCaller(path)
        guard bytes.count >= 100, bytes.prefix(16).elementsEqual(Array("SQLite format 3\0".utf8)) else {
            throw DirectoryError(.invalidInput, "restore \(path): not a SQLite database (\(bytes.count) bytes, no SQLite header); name a file written by `dirctl backup`")
        }
        let digest = Hex.encode(SHA256.hash(data: bytes))
        var template = Array((NSTemporaryDirectory() + "/switchboard-restore-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw DatabaseOpenError(path: path, problem: "cannot make a private folder for the copy to check in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: made)
        let staged = folder + "/backup.sqlite"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: staged))
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw DatabaseOpenError(path: path, problem: "cannot copy it to \(folder) for checking: \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON") }
        let copy: DatabaseQueue
        do { copy = try DatabaseQueue(path: staged, configuration: configuration) } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw DirectoryError(.invalidInput, "restore \(path): cannot be opened as a database (\(SwitchboardDatabase.describe(error))); nothing was restored")
        }
        // From here the folder goes with the staged object.
        let facts: (report: RestoreReport, lastHash: String)
        do {
            facts = try copy.read { db in try check(db, path: path, digest: digest, verifier: verifier, outside: outside) }
        } catch let error as DatabaseError {
            try? copy.close()
            try? FileManager.default.removeItem(atPath: folder)
            throw DirectoryError(.invalidInput, "restore \(path): damaged or not a Switchboard database (\(SwitchboardDatabase.describe(error))); nothing was restored")
        } catch {
            try? copy.close()
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        let result = StagedBackup(folder: folder, copy: copy, report: facts.report, lastHash: facts.lastHash)
        let known = Set(try copy.read { db in try SwitchboardDatabase.migrator.appliedIdentifiers(db) })
        result.report.migrationsApplied = SwitchboardDatabase.migrator.migrations.filter { !known.contains($0) }
        do {
            try SwitchboardDatabase.migrator.migrate(copy)
        } catch {
            throw DirectoryError(.refused, "restore \(path): its schema \(result.report.backupSchemaVersion) could not be brought up to date (\(SwitchboardDatabase.describe(error))); nothing was restored")
        }
        return result
    }

    private static func readAsCaller(_ path: String) throws -> [UInt8] {
        let descriptor = try CallerIdentity.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "no such file" : errno == ELOOP ? "is a symbolic link (name the real file)" : String(cString: strerror(errno))
            throw InputFileError(path: path, problem: "cannot read the backup: \(reason)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw InputFileError(path: path, problem: "is not a regular file: name a file written by `dirctl backup`")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputFileError(path: path, problem: "cannot read the backup: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        // A -wal file beside it would hold committed changes SQLite reads only from the file's own
        // folder: `dirctl backup` leaves none, so one here means a copy of a live file.
        var wal = stat()
        let walFound = try CallerIdentity.perform { stat(path + "-wal", &wal) == 0 }
        if walFound, wal.st_size > 0 {
            throw InputFileError(path: path, problem: "has a -wal file with \(wal.st_size) bytes of changes beside it: it is a copy of a live database, not a `dirctl backup`; open it once with `sqlite3 \(path) 'PRAGMA wal_checkpoint(TRUNCATE)'` and try again")
        }
        return bytes
    }

    private static func check(_ db: Database, path: String, digest: String, verifier: AuditVerifier,
                              outside: [SourcedCheckpoint]) throws -> (report: RestoreReport, lastHash: String) {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").prefix(3).joined(separator: "; ")
        guard integrity == "ok" else {
            throw DirectoryError(.refused, "restore \(path): the backup is damaged (integrity_check: \(integrity)); nothing was restored; use an older backup")
        }
        for table in ["grdb_migrations", "audit_event", "audit_checkpoint", "person"] where try !db.tableExists(table) {
            throw DirectoryError(.invalidInput, "restore \(path): not a Switchboard database (no \(table) table); nothing was restored")
        }
        let applied = try SwitchboardDatabase.migrator.appliedMigrations(db)
        let unknown = try SwitchboardDatabase.migrator.appliedIdentifiers(db).subtracting(SwitchboardDatabase.migrator.migrations)
        guard unknown.isEmpty else {
            throw DirectoryError(.refused, "restore \(path): made by a newer Switchboard (migrations \(unknown.sorted().joined(separator: ", ")) unknown to this dirctl); upgrade the tools first; nothing was restored")
        }
        let differences = try SwitchboardDatabase.schemaDifferences(db)
        guard differences.isEmpty else {
            throw DirectoryError(.refused, "restore \(path): its schema is not what the migrations made (\(differences.prefix(5).map(\.description).joined(separator: ", "))): it was altered after it was written; nothing was restored")
        }
        // The backup's own chain and stored checkpoints, and every checkpoint kept outside that its
        // log reaches: a backup whose past differs from a signed checkpoint is another log, or forged.
        let lastSeq = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit_event") ?? 0
        let reached = outside.filter { $0.checkpoint.seq <= lastSeq }
        let verification = try verifier.verify(db, external: reached)
        guard verification.intact else {
            let first = verification.problems.first.map { "\($0.kind)\($0.seq.map { " at seq \($0)" } ?? ""): \($0.detail)" } ?? ""
            throw DirectoryError(.refused, "restore \(path): its audit log does not verify (\(verification.problems.count) problem(s); first: \(first)); nothing was restored")
        }
        let report = RestoreReport(
            file: path, sha256: digest, backupSchemaVersion: applied.last ?? "none", migrationsApplied: [],
            backupLastSeq: verification.lastSeq,
            backupLastEventTime: try String.fetchOne(db, sql: "SELECT time FROM audit_event ORDER BY seq DESC LIMIT 1"),
            backupCheckpointsVerified: verification.checkpointsVerified,
            people: try Int.fetchOne(db, sql: "SELECT count(*) FROM person") ?? 0,
            mailboxes: try db.tableExists("mail_account") ? (try Int.fetchOne(db, sql: "SELECT count(*) FROM mail_account") ?? 0) : 0,
            liveLastSeq: 0, rollback: false, rollbackAccepted: false, eventsReplaced: 0, dryRun: true)
        return (report, verification.lastHash)
    }
}

extension SwitchboardDatabase {
    /// Restores `file` into this (live) database in place, with SQLite's online backup API.
    ///
    /// Checks first (see ``StagedBackup``); refuses a backup that rolls the log back past a
    /// checkpoint kept outside it unless `acceptRollback`; exports the whole live audit log to
    /// `auditExport` (0600, never overwriting) before anything is written. The caller records the
    /// restore's event after this returns: the restored log continues from the backup's newest seq.
    func restore(from file: String, verifier: AuditVerifier, checkpointDir: String, origin: String,
                 acceptRollback: Bool, auditExport: String, dryRun: Bool) throws -> RestoreReport {
        let outside = try checkpointsKeptOutside(checkpointDir: checkpointDir, origin: origin)
        let staged = try StagedBackup.stage(file, verifier: verifier, outside: outside)
        var report = staged.report
        let live = try writer.read { db in
            (seq: try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit_event") ?? 0,
             hash: try String.fetchOne(db, sql: "SELECT hash FROM audit_event WHERE seq = ?", arguments: [report.backupLastSeq]))
        }
        report.liveLastSeq = live.seq
        report.eventsReplaced = max(0, live.seq - report.backupLastSeq)
        if let hash = live.hash, hash != staged.lastHash {
            throw DirectoryError(.refused, "restore \(file): its audit log is not this log's past (seq \(report.backupLastSeq) has hash \(staged.lastHash.prefix(16))… there, \(hash.prefix(16))… here): it is another installation's backup, or this log was rewritten; nothing was restored")
        }
        if let newest = outside.max(by: { $0.checkpoint.seq < $1.checkpoint.seq }) {
            report.newestCheckpointSeq = newest.checkpoint.seq
            report.newestCheckpointSource = newest.source
            report.rollback = newest.checkpoint.seq > report.backupLastSeq
        }
        if report.rollback, !acceptRollback {
            throw DirectoryError(.refused, "restore \(file): the backup ends at audit seq \(report.backupLastSeq), older than the checkpoint at seq \(report.newestCheckpointSeq ?? 0) (\(report.newestCheckpointSource ?? "")): restoring it rolls the signed log back; nothing was restored; pass --accept-rollback if that is meant (it is recorded)")
        }
        report.rollbackAccepted = report.rollback && acceptRollback
        report.dryRun = dryRun
        guard !dryRun else { return report }
        if let readOnlyReason {
            throw StorageError(.readOnly, "database \(path) is open read-only (\(readOnlyReason)): restore writes it; run it as a user who may write the file")
        }
        // Nothing is lost silently: the whole live log (events and checkpoints) goes to a file that
        // `dirctl audit verify --file` checks on its own, written while the restore holds the live
        // file's write lock, before any page changes: no event can be committed between the export
        // and the restore. The backup API's first step takes that lock (and copies one page); the
        // export reads the last committed state through a connection of its own (WAL readers are
        // not blocked by a writer), and its failure aborts the restore, rolled back.
        var readerConfiguration = Configuration()
        readerConfiguration.readonly = true
        let reader: DatabaseQueue
        do { reader = try DatabaseQueue(path: path, configuration: readerConfiguration) } catch {
            throw DatabaseOpenError(path: path, problem: "cannot open a second connection to export the live log before the restore: \(Self.describe(error))")
        }
        defer { try? reader.close() }
        var exported: (seq: Int64, checkpoint: Int64?)?
        do {
            // One write transaction on the live file: readers such as Dovecot and Postfix see the
            // old database or the restored one, in the same inode.
            try staged.copy.backup(to: writer, pagesPerStep: 1) { progress in
                guard exported == nil else { return }
                guard !progress.isCompleted else {
                    throw DatabaseOpenError(path: file, problem: "holds a single page: not a Switchboard database")
                }
                exported = try Self.exportLog(reader, to: auditExport, origin: origin)
                if let newest = exported?.checkpoint, newest > report.backupLastSeq, !acceptRollback {
                    throw DirectoryError(.refused, "restore \(file): a checkpoint at seq \(newest) was signed meanwhile, after the backup's newest event (seq \(report.backupLastSeq)); nothing was restored; pass --accept-rollback if that is meant")
                }
            }
        } catch let error as DirectoryError {
            throw error
        } catch {
            throw DatabaseOpenError(path: path, problem: "restore from \(file) failed and was rolled back, the live database is as it was: \(Self.describe(error))\(exported == nil ? "" : "; the live log was exported to \(auditExport)")")
        }
        guard let exported else {
            throw DatabaseOpenError(path: path, problem: "restore from \(file): the live log was not exported")
        }
        report.auditExport = auditExport
        report.liveLastSeq = exported.seq
        report.eventsReplaced = max(0, exported.seq - report.backupLastSeq)
        return report
    }

    /// Writes the whole audit log read through `reader` to `file` (0600, never overwriting, with the
    /// caller's rights); returns the newest seq and the newest stored checkpoint's seq it held.
    private static func exportLog(_ reader: DatabaseQueue, to file: String, origin: String) throws -> (seq: Int64, checkpoint: Int64?) {
        try CallerIdentity.perform {
            let export = try AtomicFile(path: file, mode: 0o600, existing: .refuse)
            var text = ""
            let found = try reader.read { db in
                try AuditExport.writeJSONLines(db, origin: origin) { text += $0 }
                return (seq: try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit_event") ?? 0,
                        checkpoint: try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit_checkpoint"))
            }
            try export.write(text)
            try export.commit()
            return found
        }
    }

    /// The newest audit seq (0 for an empty log).
    func newestAuditSeq() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit_event") ?? 0 }
    }

    /// Checkpoints kept apart from a backup: the series in `checkpointDir` (read with the caller's
    /// rights; a configured folder that cannot be read is an error, not "none") and the live
    /// database's stored ones.
    func checkpointsKeptOutside(checkpointDir: String, origin: String) throws -> [SourcedCheckpoint] {
        var found = try writer.read { db in
            try AuditCheckpoint.all(db).map { SourcedCheckpoint($0, source: "the live database", external: false) }
        }
        guard !checkpointDir.isEmpty else { return found }
        let names: [String]
        do {
            names = try CallerIdentity.perform { try FileManager.default.contentsOfDirectory(atPath: checkpointDir) }
        } catch {
            throw InputFileError(path: checkpointDir, problem: "cannot read the checkpoints kept outside (audit.checkpoint_dir), which a restore checks the backup against: is the share mounted? run as a user who may read it")
        }
        if names.contains(where: { $0.hasPrefix(AuditCheckpointSeries.prefix) && $0.hasSuffix(".json") }) {
            found += try AuditCheckpointSeries.read(folder: checkpointDir, origin: origin).checkpoints
        }
        return found
    }
}
