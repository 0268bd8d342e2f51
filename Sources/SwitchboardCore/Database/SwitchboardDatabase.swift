import Foundation
public import SwitchboardBase
public import GRDB

/// The one SQLite file of the suite, opened the same way by every tool.
///
/// WAL, a busy timeout, foreign keys, `synchronous=FULL` and IMMEDIATE write transactions;
/// the schema changes only through ``SwitchboardDatabase/migrator``, run on open. A file this
/// process may not write is opened read-only (``OpenMode`` says how and why), for reading only.
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
    /// Why the file was opened read-only (no write permission, a read-only file system), or nil
    /// when it is writable. Commands that only read work either way; ``write(_:)`` refuses.
    public let readOnlyReason: String?

    /// Opens (creating when `create` is true) the database file and brings its schema up to date.
    ///
    /// A file this process may not write is opened read-only instead (see ``OpenMode``), so
    /// `person list`, `audit verify` and the other reading commands work on a read-only copy.
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
            // It holds password hashes: owner-only, unless its folder is the shared layout (set-group-ID
            // bit, README "Running it for real"): then 0660, for the tools (set-gid) and the mail
            // servers' users, who are in that folder's group and nobody else is.
            try Self.createPrivateFile(path, mode: Self.sharesGroup(folder: folder) ? 0o660 : 0o600)
        }
        let mode = try OpenMode(path: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(busyTimeoutMilliseconds) / 1000)
        configuration.foreignKeysEnabled = true
        configuration.readonly = mode.isReadOnly
        configuration.prepareDatabase { db in
            // The file is writable by the mail servers' accounts, and root's tools (the checkpoint
            // timer, verify, doctor) open it: no function or virtual table named in the schema runs
            // unless SQLite marks it harmless, and corrupt pages are detected, not trusted.
            try db.execute(sql: "PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON")
        }
        if !mode.isReadOnly {
            configuration.prepareDatabase { db in
                // WAL persists in the file; setting it again is a no-op that changes no schema.
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode == "wal" else { throw DatabaseError(message: "could not turn on WAL (journal mode stays \(mode ?? "unknown"))") }
                // Audit durability: a committed event survives power loss.
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        do {
            writer = try DatabaseQueue(path: mode.sqlitePath, configuration: configuration)
        } catch {
            throw DatabaseOpenError(path: path, problem: "cannot open\(mode.readOnlyReason.map { " read-only (\($0))" } ?? ""): \(Self.describe(error))")
        }
        self.path = path
        readOnlyReason = mode.readOnlyReason
        if let reason = mode.readOnlyReason {
            let current = try writer.read { db in try Self.migrator.hasCompletedMigrations(db) }
            guard current else {
                throw DatabaseOpenError(path: path, problem: "its schema is older than this tool's and it is read-only (\(reason)): open it once as a user who may write it, to bring the schema up to date")
            }
            return
        }
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

    /// How the file is opened: read-write, or read-only when this process may not write it.
    ///
    /// SQLite opens a WAL database read-only (`SQLITE_OPEN_READONLY`, GRDB's `readonly`) only when
    /// the `-shm` file exists and is readable, or can be created because the folder is writable
    /// (SQLite 3.22 and later); otherwise the open fails. A copy in a read-only folder has neither,
    /// so it is opened with the `immutable=1` URI parameter: SQLite then reads the main file alone,
    /// takes no locks and ignores any `-wal` file. That is right only when no `-wal` file with
    /// content lies beside it (its committed changes would be silently missed) and nobody writes the
    /// file meanwhile (a copy): a non-empty `-wal` without `-shm` is refused with what to do.
    /// The URI needs SQLite built with URI filenames on (`USE_URI`, as Debian's is), because GRDB
    /// does not pass `SQLITE_OPEN_URI`; without it the open fails with a clear error. In no case is
    /// WAL set or the schema migrated on a read-only file: both would write.
    struct OpenMode {
        /// What to hand SQLite: the path, or an `immutable=1` URI for it.
        var sqlitePath: String
        /// Why the file is read-only, or nil.
        var readOnlyReason: String?
        var isReadOnly: Bool { readOnlyReason != nil }

        init(path: String) throws {
            sqlitePath = path
            // The effective ids decide (setgid tools reach the file through their group), not the real ones access() checks.
            guard faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0 else { return }
            let reason = errno == EROFS ? "the file system is read-only" : "user \(Self.userName()) may not write it"
            readOnlyReason = reason
            let fileManager = FileManager.default
            let folder = (path as NSString).deletingLastPathComponent
            let shm = path + "-shm", wal = path + "-wal"
            if faccessat(AT_FDCWD, shm, R_OK, AT_EACCESS) == 0 || faccessat(AT_FDCWD, folder.isEmpty ? "." : folder, W_OK, AT_EACCESS) == 0 { return }
            let walBytes = ((try? fileManager.attributesOfItem(atPath: wal))?[.size] as? NSNumber)?.int64Value ?? 0
            guard walBytes == 0 else {
                throw DatabaseOpenError(path: path, problem: "cannot be read: it is read-only (\(reason)) and its -wal file holds \(walBytes) bytes of changes that SQLite can read only with the -shm file beside it or a writable folder; copy it with `dirctl backup COPY` as a user who may write it, or let this user write the folder")
            }
            let absolute = path.hasPrefix("/") ? path : fileManager.currentDirectoryPath + "/" + path
            sqlitePath = "file:" + Self.uriEscaped(absolute) + "?mode=ro&immutable=1"
        }

        /// Percent-encodes what a URI filename may not hold literally (`%`, `?`, `#`, and bytes outside printable ASCII).
        static func uriEscaped(_ path: String) -> String {
            var out = ""
            for byte in path.utf8 {
                if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "%"), byte != UInt8(ascii: "?"), byte != UInt8(ascii: "#") {
                    out.append(Character(Unicode.Scalar(byte)))
                } else {
                    out += String(format: "%%%02X", byte)
                }
            }
            return out
        }

        static func userName() -> String {
            if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
            return "uid \(geteuid())"
        }
    }

    /// Runs `updates` in one IMMEDIATE write transaction, committed when it says so, else rolled back.
    ///
    /// Internal: only ``Session`` (the audit funnel) and the maintenance code of this module write.
    @discardableResult
    func transaction<T>(_ updates: (Database) throws -> (T, commit: Bool)) throws -> T {
        if let readOnlyReason {
            throw StorageError(.readOnly, "database \(path) is open read-only (\(readOnlyReason)): this command changes it; run it as a user who may write the file and its folder")
        }
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

    /// True when `folder` has the set-group-ID bit: files made in it take its group, to share.
    static func sharesGroup(folder: String) -> Bool {
        var status = stat()
        return stat(folder.isEmpty ? "." : folder, &status) == 0 && (status.st_mode & S_ISGID) != 0
    }

    /// Creates an empty file, by default readable by its owner only; SQLite gives its -wal and
    /// -shm files the database file's mode.
    static func createPrivateFile(_ path: String, mode: mode_t = 0o600) throws {
        do { try AtomicFile.createEmpty(path, mode: mode) } catch let error as FileWriteError {
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
