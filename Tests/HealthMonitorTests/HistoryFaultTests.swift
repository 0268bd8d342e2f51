import Foundation
import GRDB
@testable import HealthMonitor
import SwitchboardBase
import SwitchboardTestSupport
import Testing

/// A history file that cannot be written (read-only, a full disk) gives an error value naming
/// the file and what to try: never a crash, and reading still works where it can.
@Suite struct HistoryFaultTests {
    static let base: Int64 = 1_793_491_200_000

    /// Makes `file` unwritable: `chattr +i` when the tests run as root (root writes any file
    /// whatever its mode), else mode 0444. Returns the undo.
    static func makeReadOnly(_ file: String) throws -> () -> Void {
        if geteuid() == 0 {
            let run = try ProcessRunner.run("/usr/bin/chattr", ["+i", file])
            guard run.status == 0 else { throw TestSetupError("chattr +i \(file) failed (\(run.stderr)): the test needs chattr (e2fsprogs) on an ext4 or similar file system") }
            return { _ = try? ProcessRunner.run("/usr/bin/chattr", ["-i", file]) }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: file)
        return { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file) }
    }

    @Test func aReadOnlyHistoryFileIsAnErrorThatSaysWhatToDo() throws {
        let folder = try HistoryFolder()
        do {
            let store = try HistoryStore(path: folder.file, retention: .standard)
            try store.record([entry("web", Self.base, .up, spanMs: 130_000)])
        }
        // Closed: only the main file is left (SQLite removes -wal and -shm on the last close).
        let undo = try Self.makeReadOnly(folder.file)
        defer { undo() }
        #expect {
            _ = try HistoryStore(path: folder.file, retention: .standard)
        } throws: { error in
            guard let error = error as? HistoryError else { return false }
            return error.code == .readOnly && error.description.contains(folder.file) && error.description.contains("write access")
                && error.category == .denied
        }
    }

    @Test func aFileMadeReadOnlyWhileOpenFailsItsWritesAndReadiness() throws {
        let folder = try HistoryFolder()
        let store = try HistoryStore(path: folder.file, retention: .standard)
        try store.record([entry("web", Self.base, .up, spanMs: 130_000)])
        // The writes go to the -wal file: make it and the main file unwritable. (Not the -shm:
        // SQLite maps it into memory, and a mapping made unwritable under it faults the process.)
        var undos: [() -> Void] = []
        defer { undos.forEach { $0() } }
        for name in [folder.file, folder.file + "-wal"] where FileManager.default.fileExists(atPath: name) {
            undos.append(try Self.makeReadOnly(name))
        }
        if geteuid() == 0 {
            // Open descriptors keep their rights under chmod; chattr +i refuses even those.
            #expect(throws: HistoryError.self) { try store.checkWritable() }
            #expect(throws: HistoryError.self) { try store.record([entry("web", Self.base + 60_000, .up, spanMs: 130_000)]) }
        }
        // Reading still works.
        #expect(try store.lastResults()["web"] != nil)
    }

    @Test func aFullDiskIsAnErrorAndTheFileStaysUsable() throws {
        let folder = try HistoryFolder()
        let store = try HistoryStore(path: folder.file, retention: .standard)
        try store.record([entry("web", Self.base, .up, spanMs: 130_000)])
        // The disk is full: the file may not grow past the pages it has now.
        try store.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        var at = Self.base
        var failure: HistoryError?
        for _ in 0..<200 where failure == nil {
            let batch = (0..<100).map { index in entry("svc-\(index)", at, .up, spanMs: 130_000) }
            do {
                try store.record(batch)
            } catch let error as HistoryError {
                failure = error
            }
            at += 60_000
        }
        let error = try #require(failure, "200 batches of 100 results fitted in a file that could not grow")
        #expect(error.code == .full)
        #expect(error.description.contains(folder.file) && error.description.contains("disk is full"))
        #expect(error.category == .unavailable)
        // What was committed before is intact and readable; room again, writes work again.
        #expect(try store.lastResults()["web"]?.at == date(Self.base))
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        try store.checkWritable()
        try store.record([entry("web", at, .up, spanMs: 130_000)])
    }
}
