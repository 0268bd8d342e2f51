import Foundation
import SwitchboardTestSupport
import Testing

/// `dirctl restore` through the built binary: the old rows come back in the same file, the live log
/// is exported before it is replaced, and the restored log records the restore; a damaged, foreign
/// or tampered backup, or one older than a checkpoint, is refused with the directory left as it was.
@Suite struct RestoreTests {
    static func inode(_ path: String) throws -> UInt64 {
        var status = stat()
        guard stat(path, &status) == 0 else { throw TestSetupError("stat \(path): errno \(errno)") }
        return UInt64(status.st_ino)
    }

    static func logins(_ workspace: Workspace) throws -> String {
        try workspace.scalar("SELECT group_concat(login || ':' || status, ' ') FROM (SELECT login, status FROM person ORDER BY login)")
    }

    /// The directory's rows without the audit tables (a refused restore records itself there).
    static func directory(_ workspace: Workspace) throws -> [Substring] {
        try workspace.dump().split(separator: "\n").filter { !$0.contains("INSERT INTO audit_event") }
    }

    @Test func aBackupRestoredOverAChangedDatabaseBringsBackItsRowsInTheSameFileAndIsRecorded() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", "cu.nhan", "--name", "Nhân viên cũ", "--unit", "IT")
        let backup = workspace.folder + "/backup.sqlite"
        try workspace.expectOK("backup", backup)
        let rowsAtBackup = try Self.logins(workspace)
        let backupSeq = try SQLite.scalar(backup, "SELECT max(seq) FROM audit_event")
        // Changes after the backup: one person added, one departed, one suspended.
        try workspace.expectOK("person", "add", "moi.den", "--name", "Người mới đến")
        try workspace.expectOK("person", "depart", "cu.nhan")
        try workspace.expectOK("person", "suspend", "st")
        let liveSeq = try workspace.scalar("SELECT max(seq) FROM audit_event")
        let liveEvents = try workspace.scalar("SELECT group_concat(action || ' ' || target, ', ') FROM audit_event WHERE seq > \(backupSeq)")
        #expect(try Self.logins(workspace) != rowsAtBackup)
        let inode = try Self.inode(workspace.database)

        let dryRun = try workspace.expectOK("restore", backup, "--dry-run")
        #expect(dryRun.stdout.contains("Would restore") && dryRun.stdout.contains("would be replaced"), "\(dryRun.stdout)")
        #expect(try workspace.scalar("SELECT max(seq) FROM audit_event") == liveSeq, "a dry run wrote to the log")
        #expect(try Self.logins(workspace) != rowsAtBackup, "a dry run restored")

        let export = workspace.folder + "/before-restore.jsonl"
        let run = try workspace.expectOK("restore", backup, "--audit-export", export)
        #expect(run.stdout.contains("Restored"), "\(run.stdout)")
        #expect(try Self.logins(workspace) == rowsAtBackup, "the backup's people did not come back")
        #expect(try Self.inode(workspace.database) == inode, "the live file was replaced, not written in place")
        // The restored log continues the backup's chain with one event naming what changed.
        let restoreSeq = try workspace.scalar("SELECT max(seq) FROM audit_event")
        #expect(Int(restoreSeq) == (Int(backupSeq) ?? 0) + 1)
        #expect(try workspace.scalar("SELECT action || ' ' || outcome FROM audit_event WHERE seq = \(restoreSeq)") == "database.restore ok")
        let details = try workspace.scalar("SELECT details FROM audit_event WHERE seq = \(restoreSeq)")
        let recorded = try #require(try JSONSerialization.jsonObject(with: Data(details.utf8)) as? [String: Any])
        #expect(recorded["file"] as? String == backup)
        #expect(recorded["live_last_seq"] as? Int == Int(liveSeq))
        #expect(recorded["backup_last_seq"] as? Int == Int(backupSeq))
        #expect(recorded["audit_export"] as? String == export)
        #expect(recorded["rollback_accepted"] as? Bool == false)
        let digest = try ProcessRunner.runChecked("/usr/bin/sha256sum", [backup]).prefix(64)
        #expect(recorded["sha256"] as? String == String(digest))
        #expect(try workspace.dirctl("audit", "verify").status == 0, "the restored log does not verify")
        // The replaced events are in the export (0600), which verifies on its own.
        let exported = try String(contentsOfFile: export, encoding: .utf8)
        for line in liveEvents.components(separatedBy: ", ") {
            let parts = line.split(separator: " ")
            #expect(exported.contains("\"action\":\"\(parts[0])\"") && exported.contains("\"target\":\"\(parts[1])\""), "\(line) missing from the export")
        }
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: export)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue == 0o600)
        let verifyExport = try workspace.dirctl("audit", "verify", "--file", export, "--no-signatures")
        #expect(verifyExport.status == 0, "the export does not verify: \(verifyExport.stdout) \(verifyExport.stderr)")
        #expect(verifyExport.stdout.contains("last seq \(liveSeq)"), "\(verifyExport.stdout)")
        // A second restore never overwrites that export.
        let again = try workspace.dirctl("restore", backup, "--audit-export", export)
        #expect(again.status != 0)
        #expect(try String(contentsOfFile: export, encoding: .utf8) == exported)
    }

    /// A writer busy during the restore loses nothing: each of its events is in the export taken
    /// under the restore's lock, or in the restored log after the restore's event, never neither.
    @Test func eventsWrittenDuringTheRestoreAreInTheExportOrAfterIt() throws {
        let workspace = try Workspace.populated()
        let backup = workspace.folder + "/backup.sqlite"
        try workspace.expectOK("backup", backup)
        let count = 300
        let writer = try ProcessRunner.start(Workspace.products + "/StressWriter", [workspace.database, "w", String(count)])
        let deadline = Date().addingTimeInterval(30)
        while try Int(workspace.scalar("SELECT count(*) FROM room")) ?? 0 < 10, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let export = workspace.folder + "/export.jsonl"
        let run = try workspace.dirctl("restore", backup, "--audit-export", export)
        let wrote = try writer.finish()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(wrote.status == 0, "the writer failed beside the restore: \(wrote.stderr)")
        let exported = try String(contentsOfFile: export, encoding: .utf8)
        // The writer's next events may land between the restored ones and the restore's own event.
        let backupSeq = try SQLite.scalar(backup, "SELECT max(seq) FROM audit_event")
        let after = Set(try workspace.scalar("SELECT group_concat(target, ' ') FROM audit_event WHERE action = 'room.add' AND seq > \(backupSeq)")
            .split(separator: " ").map(String.init))
        var inExport = 0
        for index in 0..<count {
            let target = "room:w-\(index)"
            let before = exported.contains("\"target\":\"\(target)\"")
            if before { inExport += 1 }
            #expect(before != after.contains(target), "\(target): in the export \(before), after the restore \(after.contains(target))")
        }
        #expect(inExport >= 10)
        #expect(try workspace.dirctl("audit", "verify").status == 0)
    }

    @Test func aBackupOlderThanACheckpointIsRefusedUnlessTheRollbackIsAcceptedAndRecorded() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("audit", "keygen")
        let backup = workspace.folder + "/old.sqlite"
        try workspace.expectOK("backup", backup)
        try workspace.expectOK("person", "add", "sau.mot", "--name", "Thêm sau")
        try workspace.expectOK("audit", "checkpoint")
        let checkpointSeq = try workspace.scalar("SELECT max(seq) FROM audit_checkpoint")
        let before = try Self.directory(workspace)

        let refused = try workspace.dirctl("restore", backup)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("older than the checkpoint at seq \(checkpointSeq)") && refused.stderr.contains("--accept-rollback"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "not one line: \(refused.stderr)")
        #expect(try Self.directory(workspace) == before, "a refused restore changed the directory")
        #expect(try workspace.scalar("SELECT action || ' ' || outcome FROM audit_event ORDER BY seq DESC LIMIT 1") == "database.restore failed")
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login = 'sau.mot'") == "1")

        try workspace.expectOK("restore", backup, "--accept-rollback")
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login = 'sau.mot'") == "0")
        let details = try workspace.scalar("SELECT details FROM audit_event ORDER BY seq DESC LIMIT 1")
        #expect(details.contains("\"rollback_accepted\":true") && details.contains("\"newest_checkpoint_seq\":\(checkpointSeq)"), "\(details)")
    }

    @Test func aDamagedForeignMissingOrTamperedBackupIsRefusedInOneLineWithNothingRestored() throws {
        let workspace = try Workspace.populated()
        let good = workspace.folder + "/good.sqlite"
        try workspace.expectOK("backup", good)
        try workspace.expectOK("person", "add", "giu.lai", "--name", "Giữ lại")
        let inode = try Self.inode(workspace.database)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))

        // Cut short, overwritten in the middle, not SQLite, another program's SQLite file, missing.
        let cut = workspace.folder + "/cut.sqlite"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let scribbled = workspace.folder + "/scribbled.sqlite"
        var damaged = bytes
        for index in stride(from: 4096, to: min(damaged.count, 4096 * 12), by: 1) { damaged[index] = 0x5A }
        try damaged.write(to: URL(fileURLWithPath: scribbled))
        let text = workspace.folder + "/notes.sqlite"
        try "login,name\n".write(toFile: text, atomically: true, encoding: .utf8)
        let foreign = workspace.folder + "/foreign.sqlite"
        try SQLite.run(foreign, "CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        // Tampered: an event's details changed in the backup, its append-only trigger put back
        // exactly as it was (so the schema matches): only the broken chain shows it.
        let tampered = workspace.folder + "/tampered.sqlite"
        try bytes.write(to: URL(fileURLWithPath: tampered))
        let trigger = try SQLite.scalar(tampered, "SELECT sql FROM sqlite_master WHERE name = 'audit_event_no_update'")
        try SQLite.run(tampered, """
            DROP TRIGGER audit_event_no_update;
            UPDATE audit_event SET details = replace(details, 'Người staff', 'Người khác') WHERE target = 'person:st';
            \(trigger);
            """)
        #expect(try SQLite.scalar(tampered, "SELECT count(*) FROM audit_event WHERE details LIKE '%Người khác%'") == "1")

        // From a newer dirctl: a migration this one does not know.
        let newer = workspace.folder + "/newer.sqlite"
        try bytes.write(to: URL(fileURLWithPath: newer))
        try SQLite.run(newer, "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')")

        let cases: [(String, String)] = [
            (newer, "made by a newer Switchboard"),
            (cut, "nothing was restored"), (scribbled, "nothing was restored"), (text, "not a SQLite database"),
            (foreign, "not a Switchboard database"), (tampered, "nothing was restored"),
            (workspace.folder + "/missing.sqlite", "no such file"),
        ]
        for (file, said) in cases {
            let before = try Self.directory(workspace)
            let run = try workspace.dirctl("restore", file)
            #expect(run.status != 0, "\(file) was restored")
            // A file that is not a Switchboard database at all is bad input (65); one that is but
            // fails its checks (damaged, tampered, newer) is refused by a rule (1).
            if said == "not a SQLite database" || said == "not a Switchboard database" { #expect(run.status == 65, "\(file): \(run.status)") }
            #expect(run.stderr.contains(said), "\(file): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(file): not one line: \(run.stderr)")
            #expect(try Self.directory(workspace) == before, "\(file) changed the directory")
            #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login = 'giu.lai'") == "1")
            #expect(try Self.inode(workspace.database) == inode)
        }
        let tamperedRun = try workspace.dirctl("restore", tampered)
        #expect(tamperedRun.stderr.contains("its audit log does not verify") && tamperedRun.stderr.contains("hash-mismatch"), "\(tamperedRun.stderr)")
        #expect(try workspace.dirctl("audit", "verify").status == 0)
    }

    /// The timer's command: a timed copy into a folder, the oldest timed copies beyond N removed
    /// after it, nothing else in the folder touched; the newest copy restores.
    @Test func timedBackupsKeepTheNewestNAndNothingElseIsRemoved() throws {
        let workspace = try Workspace.populated()
        let folder = workspace.folder + "/backups"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let old = ["switchboard-20240101T000000Z.sqlite", "switchboard-20250101T000000Z.sqlite", "switchboard-20260101T000000Z.sqlite"]
        let others = ["switchboard-manual.sqlite", "notes.txt", "switchboard-20230101T000000Z.sqlite.bak"]
        for name in old + others { try "x".write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        try FileManager.default.createDirectory(atPath: folder + "/switchboard-20200101T000000Z.sqlite", withIntermediateDirectories: false)
        let run = try workspace.expectOK("backup", "--into", folder, "--keep", "2")
        #expect(run.stdout.contains("Removed 2 older copies"), "\(run.stdout)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let made = try #require(left.first { $0.hasPrefix("switchboard-") && $0.hasSuffix("Z.sqlite") && !old.contains($0) && !$0.hasPrefix("switchboard-2020") })
        #expect(left == (others + ["switchboard-20200101T000000Z.sqlite", "switchboard-20260101T000000Z.sqlite", made]).sorted())
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: folder + "/" + made)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue == 0o600)
        try workspace.expectOK("person", "add", "sau.sao", "--name", "Sau bản sao")
        try workspace.expectOK("restore", folder + "/" + made)
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login = 'sau.sao'") == "0")
        let afterRestore = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(afterRestore.count == left.count + 1 && afterRestore.contains { $0.hasPrefix("audit-before-restore-") }, "\(afterRestore)")
        // A failed backup prunes nothing; --keep without --into, or below 1, is a usage error.
        let refused = try workspace.dirctl("backup", "--into", workspace.folder + "/missing", "--keep", "1")
        #expect(refused.status != 0)
        #expect(try workspace.dirctl("backup", "--keep", "2").status == 64)
        #expect(try workspace.dirctl("backup", "--into", folder, "--keep", "0").status == 64)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == afterRestore.count)
    }

    @Test func onlyAnAdminMayRestore() throws {
        let workspace = try Workspace.populated()
        let backup = workspace.folder + "/b.sqlite"
        try workspace.expectOK("backup", backup)
        for login in ["hd", "st", "au"] {
            let run = try workspace.dirctl("restore", backup, "--as", login)
            #expect(run.status == 77, "\(login): \(run.stderr)")
        }
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event WHERE action = 'database.restore' AND outcome = 'denied'") == "3")
    }
}
