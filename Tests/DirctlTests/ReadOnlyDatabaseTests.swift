import Foundation
import SwitchboardTestSupport
import Testing

/// A read-only copy of the database (file 0444 in a folder 0555, read by a user who may not write
/// it): the reading commands work, a changing command fails with one clear line, and nothing
/// is written beside the copy.
@Suite struct ReadOnlyDatabaseTests {
    /// The login the read-only runs act as: `nobody` when the tests run as root (root may write
    /// any file, so it runs the commands through setpriv), else the current user.
    static var reader: (login: String, prefix: [String]) {
        if geteuid() == 0 {
            return ("nobody", ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        }
        return (ProcessInfo.processInfo.environment["USER"] ?? NSUserName(), [])
    }

    /// A populated directory whose database is copied into `ro/`, made read-only, with the reader
    /// as an admin (so a refused change is refused for the file, not for the role).
    static func readOnlyCopy(extraFiles: [String] = []) throws -> (workspace: Workspace, config: String, copy: String) {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", reader.login, "--name", "Người đọc", "--role", "admin", "--unit", "IT")
        try workspace.expectOK("audit", "keygen")
        try workspace.expectOK("audit", "checkpoint")
        let folder = workspace.folder + "/ro"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let copy = folder + "/switchboard.sqlite"
        // A clean copy: everything checkpointed into the main file, no -wal or -shm beside it.
        try workspace.expectOK("backup", copy)
        let config = workspace.folder + "/readonly.yaml"
        try """
        database:
          path: \(copy)
        audit:
          signing_key_file: \(workspace.folder)/keys/audit.key
          public_key_file: \(workspace.folder)/audit.pub
          origin: test.switchboard
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return (workspace, config, copy)
    }

    static func seal(_ copy: String) throws {
        let folder = (copy as NSString).deletingLastPathComponent
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: folder + "/" + file)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
    }

    static func unseal(_ copy: String) {
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: (copy as NSString).deletingLastPathComponent)
    }

    /// Runs dirctl as the reader.
    static func dirctl(_ workspace: Workspace, config: String, _ arguments: String...) throws -> Run {
        let (_, prefix) = reader
        let program = prefix.first ?? Workspace.products + "/dirctl"
        let rest = prefix.isEmpty ? [] : Array(prefix.dropFirst()) + [Workspace.products + "/dirctl"]
        return try Workspace.run(program, rest + arguments + ["--config", config], in: workspace.folder)
    }

    @Test func readingCommandsWorkOnAReadOnlyCopyAndAChangeFailsWithOneLine() throws {
        let (workspace, config, copy) = try Self.readOnlyCopy()
        try Self.seal(copy)
        defer { Self.unseal(copy) }
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let list = try Self.dirctl(workspace, config: config, "person", "list")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("Người admin"))
        let show = try Self.dirctl(workspace, config: config, "person", "show", "st")
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("Người staff"))
        let log = try Self.dirctl(workspace, config: config, "audit", "log", "--action", "person.add")
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stdout.contains("person:st"))
        let verify = try Self.dirctl(workspace, config: config, "audit", "verify")
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("audit log intact"))
        #expect(verify.stdout.contains("1 checkpoint(s) verified"))
        let change = try Self.dirctl(workspace, config: config, "room", "add", "r1", "--kind", "virtual")
        // The operating system refuses the write: permission denied (77), not a service that is down.
        #expect(change.status == 77)
        #expect(change.stderr.split(separator: "\n").count == 1)
        #expect(change.stderr.contains("is open read-only (user \(Self.reader.login) may not write it): this command changes it"))
        // Nothing was written: the copy is byte for byte the same, and nothing appeared beside it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: (copy as NSString).deletingLastPathComponent) == ["switchboard.sqlite"])
    }

    /// Copies the database with its -wal (holding the newest change) and, when asked, its -shm, as
    /// they are while a writer keeps the file open.
    static func copyWithLiveWAL(_ workspace: Workspace, to copy: String, withShm: Bool) throws {
        let script = """
            import shutil, sqlite3, sys
            source, target, with_shm = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
            db = sqlite3.connect(source)
            db.execute("PRAGMA wal_autocheckpoint = 0")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("UPDATE room SET location = 'only in the wal' WHERE name = 'r-wal'")
            db.commit()
            for suffix in ["", "-wal"] + (["-shm"] if with_shm else []):
                shutil.copyfile(source + suffix, target + suffix)
            db.close()
            """
        let run = try Workspace.run("/usr/bin/python3", ["-c", script, workspace.database, copy, withShm ? "1" : "0"], in: workspace.folder)
        try #require(run.status == 0, "python3 failed: \(run.stderr)")
    }

    @Test func aCopyWithItsWALAndShmShowsTheChangesInTheWAL() throws {
        let (workspace, config, copy) = try Self.readOnlyCopy()
        try workspace.expectOK("room", "add", "r-wal", "--kind", "physical", "--capacity", "4")
        try FileManager.default.removeItem(atPath: copy)
        try Self.copyWithLiveWAL(workspace, to: copy, withShm: true)
        #expect(try FileManager.default.attributesOfItem(atPath: copy + "-wal")[.size] as? Int ?? 0 > 0)
        try Self.seal(copy)
        defer { Self.unseal(copy) }
        let show = try Self.dirctl(workspace, config: config, "room", "show", "r-wal")
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("only in the wal"))
    }

    @Test func aCopyWithAWALButNoShmIsRefusedSayingWhatToDo() throws {
        let (workspace, config, copy) = try Self.readOnlyCopy()
        try workspace.expectOK("room", "add", "r-wal", "--kind", "physical", "--capacity", "4")
        try FileManager.default.removeItem(atPath: copy)
        try Self.copyWithLiveWAL(workspace, to: copy, withShm: false)
        try Self.seal(copy)
        defer { Self.unseal(copy) }
        // Reading the main file alone would silently miss the change in the -wal file.
        let run = try Self.dirctl(workspace, config: config, "room", "show", "r-wal")
        #expect(run.status == 69)
        #expect(run.stderr.contains("its -wal file holds"))
        #expect(run.stderr.contains("dirctl backup COPY"))
    }
}
