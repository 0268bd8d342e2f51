public import Foundation

/// Who the tools act as on files a caller names: the caller, never the `switchboard` group.
///
/// Installed set-gid `switchboard` (README, "Running it for real"), a tool runs with that group as
/// its effective group so that it can open the database, which nobody else may write. Any other
/// file (an `--output` export, an import file, a backup, a checkpoint folder) must be created,
/// read and renamed with the caller's own rights: else `--output /var/lib/switchboard/x` would
/// write into the database folder, or an import of the database file itself would print its
/// contents in its error lines. ``perform(_:)`` runs a body with the effective group set back
/// to the real one (the saved set-group-ID keeps the way back), and restores it after.
///
/// Outside a set-gid run (real and effective group equal) it only runs the body.
public enum CallerIdentity {
    /// Nesting depth and the group to restore, behind one lock: the effective group is
    /// process-wide (glibc applies `setegid` to every thread).
    private static let lock = NSLock()
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var raised: gid_t = 0

    /// True when the process runs with rights its caller lacks: a set-gid (or set-uid)
    /// executable gives it an effective id other than the real one. (A caller whose own group is
    /// `switchboard` gets no extra right from the set-gid bit, and is not privileged here.)
    public static var isPrivileged: Bool {
        getegid() != getgid() || geteuid() != getuid()
    }

    /// Runs `body` with the caller's own group as the effective group.
    public static func perform<T>(_ body: () throws -> T) throws -> T {
        try enter()
        defer { leave() }
        return try body()
    }

    // `depth` and `raised` are read and written only while `lock` is held.
    private static func enter() throws {
        lock.lock()
        defer { lock.unlock() }
        if depth == 0 {
            let effective = getegid()
            let real = getgid()
            if effective != real {
                guard setegid(real) == 0 else {
                    throw PrivilegeError("cannot set the effective group back to the caller's group \(real): \(String(cString: strerror(errno)))")
                }
            }
            raised = effective
        }
        depth += 1
    }

    private static func leave() {
        lock.lock()
        defer { lock.unlock() }
        depth -= 1
        if depth == 0, getegid() != raised {
            // Regaining the saved set-group-ID cannot fail for a process that had it; if it
            // does, the process carries on with the caller's rights only, which is safe.
            _ = setegid(raised)
        }
    }

    /// Opens `path` with the caller's rights: the descriptor then reads or writes whatever the
    /// effective group is later, as open file descriptors do.
    /// On failure it returns -1 with `errno` set by `open(2)`.
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) throws -> Int32 {
        var failure: Int32 = 0
        let descriptor = try perform { () -> Int32 in
            let descriptor = Foundation.open(path, flags, mode)
            failure = errno
            return descriptor
        }
        if descriptor < 0 { errno = failure }
        return descriptor
    }
}

/// The process could not give up a privilege before touching a file its caller named.
public struct PrivilegeError: SwitchboardError {
    /// What failed.
    public let problem: String

    init(_ problem: String) {
        self.problem = problem
    }

    public var description: String { problem }

    public var category: ErrorCategory { .denied }
}
