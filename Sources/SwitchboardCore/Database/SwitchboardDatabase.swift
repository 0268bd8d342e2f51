import Foundation
import SwitchboardBase
public import GRDB

/// The one SQLite file of the suite, opened the same way by every tool.
///
/// WAL, a busy timeout, foreign keys, `synchronous=FULL` and IMMEDIATE write transactions;
/// the schema changes only through ``SwitchboardDatabase/migrator``, run on open.
public final class SwitchboardDatabase: Sendable {
    /// The underlying GRDB connection: internal, so that no other module can write except
    /// through ``Session`` (which records the audit event in the same transaction).
    ///
    /// A queue, with WAL set here rather than by GRDB: GRDB's WAL set-up (for pools and for queues
    /// configured `.wal`) sets `synchronous = NORMAL` and, whenever the `-wal` file is missing or
    /// empty, creates and drops a table. That schema change makes Dovecot's and Postfix's prepared
    /// statements fail ("database schema has changed", a refused login). Other processes still read
    /// and write concurrently through WAL; one tool invocation needs no parallel readers.
    let writer: DatabaseQueue
    /// The database file.
    public let path: String

    /// Opens (creating when `create` is true) the database file and brings its schema up to date.
    public init(path: String, busyTimeoutMilliseconds: Int = 10_000, create: Bool = false) throws {
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: path) {
            guard create else {
                throw DatabaseOpenError(path: path, problem: "no database here: run `dirctl init --admin LOGIN` first, or set database.path in the config")
            }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            // It holds password hashes: owner-only until an operator shares it with the mail servers' group.
            try Self.createPrivateFile(path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(busyTimeoutMilliseconds) / 1000)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // WAL persists in the file; setting it again is a no-op that changes no schema.
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode == "wal" else { throw DatabaseError(message: "could not turn on WAL (journal mode stays \(mode ?? "unknown"))") }
            // Audit durability: a committed event survives power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            writer = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw DatabaseOpenError(path: path, problem: "cannot open: \(Self.describe(error))")
        }
        self.path = path
        do {
            // GRDB serializes migrations within a process; an advisory lock serializes them between
            // tools that open a new or older database at the same moment. The lock is on the folder,
            // never on the database file: closing a descriptor of that file would drop the POSIX
            // locks SQLite holds on it in this process.
            if try writer.read({ db in try Self.migrator.hasCompletedMigrations(db) }) == false {
                let folder = (path as NSString).deletingLastPathComponent
                let lock = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY)
                if lock >= 0 { flock(lock, LOCK_EX) }
                defer { if lock >= 0 { flock(lock, LOCK_UN); close(lock) } }
                try Self.migrator.migrate(writer)
            }
        } catch {
            throw DatabaseOpenError(path: path, problem: "cannot bring the schema up to date: \(Self.describe(error))")
        }
    }

    /// Runs `updates` in one IMMEDIATE write transaction, committed when it says so, else rolled back.
    ///
    /// Internal: only ``Session`` (the audit funnel) and the maintenance code of this module write.
    @discardableResult
    func transaction<T>(_ updates: (Database) throws -> (T, commit: Bool)) throws -> T {
        do {
            return try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    let (value, commit) = try updates(db)
                    result = value
                    return commit ? .commit : .rollback
                }
                guard let result else { throw DatabaseOpenError(path: path, problem: "transaction produced no result") }
                return result
            }
        } catch {
            throw StorageError.from(error, path: path) ?? error
        }
    }

    /// Runs `updates` in one committed write transaction (this module's maintenance and tests).
    @discardableResult
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try transaction { db in (try updates(db), commit: true) }
    }

    /// Runs `value` on a read-only snapshot.
    public func read<T>(_ value: (Database) throws -> T) throws -> T {
        do {
            return try writer.read(value)
        } catch {
            throw StorageError.from(error, path: path) ?? error
        }
    }

    /// The identifier of the newest migration applied.
    public func schemaVersion() throws -> String {
        try writer.read { db in try Self.migrator.appliedMigrations(db).last ?? "none" }
    }

    /// Creates an empty file readable by its owner only; SQLite keeps an existing file's mode.
    static func createPrivateFile(_ path: String) throws {
        do { try AtomicFile.createEmpty(path, mode: 0o600) } catch let error as FileWriteError {
            throw DatabaseOpenError(path: path, problem: error.problem)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}

/// The database file cannot be opened or used.
public struct DatabaseOpenError: SwitchboardError {
    /// The file.
    public let path: String
    /// What went wrong and what to do.
    public let problem: String

    public var description: String { "database \(path): \(problem)" }

    public var category: ErrorCategory { .unavailable }
}
