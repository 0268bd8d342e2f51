public import Foundation

/// A file written under a temporary name beside its destination and moved into place only when
/// complete: readers see the old file or the whole new one, never a part, and a crash leaves at
/// most a stray temporary file.
///
/// The one way the tools create files (exports, checkpoints, keys, secret files, backups): the
/// temporary file is made with `O_CREAT | O_EXCL | O_NOFOLLOW` and its final mode from the start
/// (0600 unless told), a symbolic link at the destination is refused rather than written through,
/// the data is fsynced before the rename and the folder after it. Every step on the file system
/// runs with the caller's rights (``CallerIdentity``), never the set-gid group's.
public final class AtomicFile {
    /// What to do when the destination exists already.
    public enum Existing: Sendable {
        /// Replace it in one step (rename).
        case replace
        /// Refuse: the destination must be new (checked at open and again, atomically, at commit).
        case refuse
    }

    /// The destination.
    public let path: String
    private let temporary: String
    private let existing: Existing
    private var descriptor: Int32

    /// Opens a temporary file beside `path`; nothing is visible at `path` until ``commit()``.
    public init(path: String, mode: mode_t = 0o600, existing: Existing = .replace) throws {
        self.path = path
        self.existing = existing
        try CallerIdentity.perform { try Self.refuseLink(at: path, existing: existing) }
        let folder = Self.folder(of: path)
        let name = (path as NSString).lastPathComponent
        temporary = folder + "/." + name + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        descriptor = try CallerIdentity.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw FileWriteError(path: path, errno: errno, doing: "cannot be created in its folder") }
        // The process umask may have narrowed the mode; widen it only to what was asked.
        fchmod(descriptor, mode)
    }

    deinit {
        discard()
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        guard descriptor >= 0 else { throw FileWriteError(path: path, problem: "is already closed") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: path, errno: errno, doing: "cannot be written")
            }
            offset += written
        }
    }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Flushes the data to disk and moves the file into place, then flushes the folder.
    public func commit() throws {
        try CallerIdentity.perform { try moveIntoPlace() }
    }

    private func moveIntoPlace() throws {
        guard descriptor >= 0 else { throw FileWriteError(path: path, problem: "is already closed") }
        let synced = fsync(descriptor) == 0
        let syncError = errno
        close(descriptor)
        descriptor = -1
        guard synced else {
            unlink(temporary)
            throw FileWriteError(path: path, errno: syncError, doing: "cannot be flushed to disk")
        }
        switch existing {
        case .replace:
            do { try Self.refuseLink(at: path, existing: .replace) } catch {
                unlink(temporary)
                throw error
            }
            guard rename(temporary, path) == 0 else {
                let failure = errno
                unlink(temporary)
                throw FileWriteError(path: path, errno: failure, doing: "cannot be moved into place")
            }
        case .refuse:
            // link() fails with EEXIST when anything, a link included, is at the destination.
            let linked = link(temporary, path) == 0
            let failure = errno
            unlink(temporary)
            guard linked else { throw FileWriteError(path: path, errno: failure, doing: "cannot be created") }
        }
        Self.syncFolder(of: path)
    }

    /// Flushes the folder holding `path`, so a rename into it survives a power loss.
    public static func syncFolder(of path: String) {
        let folder = open(folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Gives up: the temporary file is removed and the destination left as it was.
    public func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
            _ = try? CallerIdentity.perform { unlink(temporary) }
        }
    }

    /// Writes `text` to `path` in one step.
    public static func write(_ text: String, to path: String, mode: mode_t = 0o600, existing: Existing = .replace) throws {
        let file = try AtomicFile(path: path, mode: mode, existing: existing)
        try file.write(text)
        try file.commit()
    }

    /// Writes `bytes` to `path` in one step.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600, existing: Existing = .replace) throws {
        let file = try AtomicFile(path: path, mode: mode, existing: existing)
        try file.write(bytes)
        try file.commit()
    }

    /// Creates a new, empty file at `path` that another component (SQLite) then fills in place.
    public static func createEmpty(_ path: String, mode: mode_t = 0o600) throws {
        let descriptor = try CallerIdentity.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw FileWriteError(path: path, errno: errno, doing: "cannot be created") }
        fchmod(descriptor, mode)
        fsync(descriptor)
        close(descriptor)
    }

    static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// Refuses a symbolic link at `path` (and, with `.refuse`, anything at all).
    public static func refuseLink(at path: String, existing: Existing) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if (status.st_mode & S_IFMT) == S_IFLNK {
            throw FileWriteError(path: path, problem: "is a symbolic link: refusing to write through it (remove it, or name another file)")
        }
        if existing == .refuse {
            throw FileWriteError(path: path, problem: "exists already; choose a new name")
        }
    }
}

/// A file the tools were asked to write cannot be written, naming the file and the reason.
public struct FileWriteError: SwitchboardError {
    /// The file.
    public let path: String
    /// What is wrong and what to do.
    public let problem: String
    /// The category: permission problems are "denied", the rest bad input.
    public let category: ErrorCategory

    /// An error with its reason.
    public init(path: String, problem: String, category: ErrorCategory = .badInput) {
        self.path = path
        self.problem = problem
        self.category = category
    }

    /// An error from a failed system call.
    public init(path: String, errno code: Int32, doing: String) {
        let reason = String(cString: strerror(code))
        let category: ErrorCategory = (code == EACCES || code == EPERM || code == EROFS) ? .denied : .badInput
        if code == EEXIST {
            self.init(path: path, problem: "exists already; choose a new name", category: category)
        } else if code == ELOOP {
            self.init(path: path, problem: "is a symbolic link: refusing to write through it (remove it, or name another file)", category: category)
        } else {
            self.init(path: path, problem: "\(doing) (\(reason)); check the folder exists and is writable", category: category)
        }
    }

    public var description: String { "\(path): \(problem)" }
}
