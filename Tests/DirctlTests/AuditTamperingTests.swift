import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing

/// Someone with the sqlite3 CLI edits the log: `dirctl audit verify` must notice and name the event.
@Suite struct AuditTamperingTests {
    /// A directory with a key pair and about a dozen events.
    static func workspaceWithHistory() throws -> Workspace {
        let workspace = try Workspace.populated()
        try workspace.expectOK("audit", "keygen")
        for index in 1...5 { try workspace.expectOK("room", "add", "room-\(index)", "--kind", "virtual", "--capacity", "\(index)") }
        return workspace
    }

    static func dropTriggers(_ workspace: Workspace) throws {
        try workspace.sqlite("""
            DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete;
            DROP TRIGGER audit_checkpoint_no_update; DROP TRIGGER audit_checkpoint_no_delete;
            """)
    }

    @Test func anUntouchedLogVerifies() throws {
        let workspace = try Self.workspaceWithHistory()
        let run = try workspace.expectOK("audit", "verify")
        #expect(run.stdout.contains("intact"))
    }

    @Test func triggersRefuseUpdateAndDelete() throws {
        let workspace = try Self.workspaceWithHistory()
        let update = try Workspace.run("/usr/bin/sqlite3", [workspace.database, "UPDATE audit_event SET actor = 'x' WHERE seq = 3"], in: workspace.folder)
        #expect(update.status != 0)
        #expect(update.stderr.contains("append-only"))
        let delete = try Workspace.run("/usr/bin/sqlite3", [workspace.database, "DELETE FROM audit_event WHERE seq = 3"], in: workspace.folder)
        #expect(delete.status != 0)
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event WHERE seq = 3 AND actor <> 'x'") == "1")
    }

    @Test func aChangedRowIsNamed() throws {
        let workspace = try Self.workspaceWithHistory()
        try Self.dropTriggers(workspace)
        try workspace.sqlite("UPDATE audit_event SET target = 'room:innocent' WHERE seq = 7")
        let run = try workspace.dirctl("audit", "verify", "--json")
        #expect(run.status == 1)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(result["intact"] as? Bool == false)
        #expect(result["first_bad_seq"] as? Int == 7)
        let human = try workspace.dirctl("audit", "verify")
        #expect(human.stdout.contains("first bad seq 7"))
        #expect(human.stdout.contains("hash-mismatch"))
    }

    @Test func aDeletedRowIsAGap() throws {
        let workspace = try Self.workspaceWithHistory()
        try Self.dropTriggers(workspace)
        try workspace.sqlite("DELETE FROM audit_event WHERE seq = 5")
        let run = try workspace.dirctl("audit", "verify")
        #expect(run.status == 1)
        #expect(run.stdout.contains("first bad seq 5"))
        #expect(run.stdout.contains("gap"))
    }

    @Test func reorderedRowsAreNamed() throws {
        let workspace = try Self.workspaceWithHistory()
        try Self.dropTriggers(workspace)
        // Swap events 6 and 8 by renumbering them.
        try workspace.sqlite("UPDATE audit_event SET seq = -6 WHERE seq = 6; UPDATE audit_event SET seq = 6 WHERE seq = 8; UPDATE audit_event SET seq = 8 WHERE seq = -6;")
        let run = try workspace.dirctl("audit", "verify")
        #expect(run.status == 1)
        #expect(run.stdout.contains("first bad seq 6"))
    }

    @Test func cuttingTheTailAfterACheckpointIsTruncation() throws {
        let workspace = try Self.workspaceWithHistory()
        let checkpointFile = workspace.folder + "/checkpoint.json"
        try workspace.expectOK("audit", "checkpoint", "--output", checkpointFile)
        let last = try workspace.scalar("SELECT max(seq) FROM audit_event")
        try Self.dropTriggers(workspace)
        // Remove the newest three events: the chain itself still links.
        try workspace.sqlite("DELETE FROM audit_event WHERE seq > \(Int(last)! - 3)")
        let stored = try workspace.dirctl("audit", "verify")
        #expect(stored.status == 1)
        #expect(stored.stdout.contains("truncated"))
        // Even with the stored checkpoints deleted too, the copy kept outside proves it.
        try workspace.sqlite("DELETE FROM audit_checkpoint")
        #expect(try workspace.dirctl("audit", "verify").status == 0)
        let external = try workspace.dirctl("audit", "verify", "--checkpoint", checkpointFile)
        #expect(external.status == 1)
        #expect(external.stdout.contains("truncated"))
        #expect(external.stdout.contains("were removed"))
    }

    @Test func aCheckpointSignedByAnotherKeyIsABadSignature() throws {
        let workspace = try Self.workspaceWithHistory()
        let checkpointFile = workspace.folder + "/checkpoint.json"
        try workspace.expectOK("audit", "checkpoint", "--output", checkpointFile)
        #expect(try workspace.dirctl("audit", "verify", "--checkpoint", checkpointFile).status == 0)
        // A new key pair replaces the old one: the old checkpoints no longer verify.
        try workspace.expectOK("audit", "keygen", "--force")
        let run = try workspace.dirctl("audit", "verify", "--checkpoint", checkpointFile)
        #expect(run.status == 1)
        #expect(run.stdout.contains("bad-signature"))
        // A forged signature with the right key id is refused too.
        let text = try String(contentsOfFile: checkpointFile, encoding: .utf8)
        let forged = text.replacingOccurrences(of: #""seq" : "#, with: #""seq" : 1"#)
        try forged.write(toFile: checkpointFile, atomically: true, encoding: .utf8)
        #expect(try workspace.dirctl("audit", "verify", "--checkpoint", checkpointFile).status == 1)
    }

    @Test func checkpointsWithoutAKeyToCheckThemProveNothing() throws {
        let workspace = try Self.workspaceWithHistory()
        try workspace.expectOK("audit", "checkpoint")
        try FileManager.default.removeItem(atPath: workspace.folder + "/audit.pub")
        let run = try workspace.dirctl("audit", "verify")
        #expect(run.status == 1)
        #expect(run.stdout.contains("unverifiable"))
        let chainOnly = try workspace.dirctl("audit", "verify", "--no-signatures")
        #expect(chainOnly.status == 0)
        #expect(chainOnly.stdout.contains("UNPROVEN"))
        #expect(chainOnly.stdout.contains("warning signatures-unchecked"))
        #expect(chainOnly.stdout.contains("not checked"))
    }

    @Test func aJSONLinesExportVerifiesOfflineAndAnEditIsCaught() throws {
        let workspace = try Self.workspaceWithHistory()
        try workspace.expectOK("audit", "checkpoint")
        let export = workspace.folder + "/audit.jsonl"
        try workspace.expectOK("audit", "export", "--format", "jsonl", "--output", export)
        // Offline: no database needed, only the public key.
        try FileManager.default.removeItem(atPath: workspace.database)
        let good = try workspace.expectOK("audit", "verify", "--file", export)
        #expect(good.stdout.contains("intact"))
        #expect(good.stdout.contains("1 checkpoint(s) verified"))
        var lines = try String(contentsOfFile: export, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.contains(#""seq":4,"#) })
        lines[index] = lines[index].replacingOccurrences(of: #""outcome":"ok""#, with: #""outcome":"denied""#)
        try lines.joined(separator: "\n").write(toFile: export, atomically: true, encoding: .utf8)
        let bad = try workspace.dirctl("audit", "verify", "--file", export)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("first bad seq 4"))
    }

    /// Reads one event row the way an attacker with sqlite3 would.
    static func event(_ workspace: Workspace, seq: Int) throws -> AuditEvent {
        let run = try Workspace.run("/usr/bin/sqlite3", ["-json", workspace.database, "SELECT * FROM audit_event WHERE seq = \(seq)"], in: workspace.folder)
        try #require(run.status == 0, "sqlite3 failed: \(run.stderr)")
        let rows = try JSONDecoder().decode([AuditEvent].self, from: Data(run.stdout.utf8))
        return try #require(rows.first, "no event \(seq)")
    }

    /// Appends a copy of event `seq` as the newest event, linked and hashed as the tool would
    /// (INSERT is not refused by the append-only triggers), with `time` or the copy's own old time.
    @discardableResult
    static func appendForgedCopy(_ workspace: Workspace, of seq: Int, time: String? = nil) throws -> AuditEvent {
        let last = try #require(Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
        let newest = try event(workspace, seq: last)
        var forged = try event(workspace, seq: seq)
        forged.seq = Int64(last + 1)
        if let time { forged.time = time }
        forged.prevHash = newest.hash
        forged.hash = forged.computedHash()
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let values = [String(forged.seq)] + [forged.time, forged.actor, forged.osUser, forged.role, forged.tool, forged.host,
                                             forged.action, forged.target, forged.outcome, forged.details, forged.prevHash, forged.hash].map(quoted)
        try workspace.sqlite("INSERT INTO audit_event VALUES (\(values.joined(separator: ", ")))")
        return forged
    }

    /// A time `seconds` after (or before, when negative) an event's.
    static func time(of event: AuditEvent, plus seconds: TimeInterval) throws -> String {
        Timestamp.format(try #require(Timestamp.parse(event.time)).addingTimeInterval(seconds))
    }

    /// Adds a key to the workspace's `audit:` section (the last section of its config).
    static func setAuditKey(_ workspace: Workspace, _ line: String) throws {
        let text = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try (text + (text.hasSuffix("\n") ? "" : "\n") + "  \(line)\n").write(toFile: workspace.config, atomically: true, encoding: .utf8)
    }

    @Test func anOldEventCopiedToTheEndIsTimeRunningBackwards() throws {
        let workspace = try Self.workspaceWithHistory()
        let last = try #require(Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
        // A copy of event 2, dated an hour before the newest event, is a perfect link in the
        // chain (the triggers stand: an INSERT is all it takes): only its time gives it away.
        let original = try Self.event(workspace, seq: 2)
        let forged = try Self.appendForgedCopy(workspace, of: 2, time: try Self.time(of: try Self.event(workspace, seq: last), plus: -3600))
        #expect(forged.action == original.action)
        let run = try workspace.dirctl("audit", "verify")
        #expect(run.status == 1)
        #expect(run.stdout.contains("first bad seq \(forged.seq)"))
        #expect(run.stdout.contains("time-backwards: seq \(forged.seq) is dated \(forged.time), 60 min before seq \(last)"))
        let json = try workspace.dirctl("audit", "verify", "--json")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let problems = try #require(result["problems"] as? [[String: Any]])
        #expect(problems.map { $0["kind"] as? String } == ["time-backwards"])
        #expect(result["status"] as? String == "tampered")
    }

    @Test func aClockStepWithinTheToleranceIsNotFlaggedAndTheToleranceIsConfigured() throws {
        let workspace = try Self.workspaceWithHistory()
        // A clock set back by two minutes, within the default five.
        let last = try #require(Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
        let stepped = try Self.appendForgedCopy(workspace, of: last, time: try Self.time(of: try Self.event(workspace, seq: last), plus: -120))
        try workspace.expectOK("room", "add", "after-the-step", "--kind", "virtual")
        let run = try workspace.expectOK("audit", "verify")
        #expect(run.stdout.contains("audit log intact"))
        // With a tolerance of 60 s the same step is reported.
        try Self.setAuditKey(workspace, "clock_step_tolerance_seconds: 60")
        let strict = try workspace.dirctl("audit", "verify")
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("time-backwards: seq \(stepped.seq) is dated \(stepped.time), 2 min before seq \(last)"))
        #expect(strict.stdout.contains("beyond the 60 s allowed"))
    }

    @Test func aBadToleranceNamesTheFileLineAndKey() throws {
        let workspace = try Workspace()
        try Self.setAuditKey(workspace, "clock_step_tolerance_seconds: soon")
        let run = try workspace.dirctl("audit", "verify")
        #expect(run.status == 78)
        #expect(run.stderr.contains("\(workspace.config):8: audit.clock_step_tolerance_seconds: expected a whole number"))
    }

    @Test func deletedCheckpointsThatCheckpointEveryCallsForAreReported() throws {
        let workspace = try Workspace(checkpointEvery: 10)
        try workspace.expectOK("init", "--admin", "root", "--name", "Quản trị")
        try workspace.expectOK("audit", "keygen")
        for index in 1...20 { try workspace.expectOK("room", "add", "room-\(index)", "--kind", "virtual") }
        #expect(try workspace.scalar("SELECT group_concat(seq) FROM audit_checkpoint") == "10,20")
        let last = try workspace.scalar("SELECT max(seq) FROM audit_event")
        let good = try workspace.expectOK("audit", "verify")
        #expect(good.stdout.contains("audit log intact: \(last) events, last seq \(last), 2 checkpoint(s) verified"))
        // The attacker drops the triggers, deletes every stored checkpoint, and puts the triggers back
        // (so the doctor's schema check passes).
        let triggers = try workspace.scalar("SELECT group_concat(sql, '; ') FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_event', 'audit_checkpoint')")
        try Self.dropTriggers(workspace)
        try workspace.sqlite("DELETE FROM audit_checkpoint; \(triggers);")
        // The log alone cannot tell a deleted checkpoint from one never signed (a process without
        // the key writes none): a warning that says so, not "intact", and a failure with --strict.
        let run = try workspace.dirctl("audit", "verify")
        #expect(run.status == 0)
        #expect(!run.stdout.contains("audit log intact"))
        #expect(run.stdout.contains("audit log UNPROVEN"))
        #expect(run.stdout.contains("warning missing-checkpoint: checkpoint_every is 10 but 2 stored checkpoint(s) it calls for are not there: seq 10 (by root with dirctl), 20 (by root with dirctl)"))
        #expect(try workspace.dirctl("audit", "verify", "--strict").status == 1)
        let json = try workspace.dirctl("audit", "verify", "--json")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(result["status"] as? String == "unproven")
        #expect(result["missing_checkpoints"] as? Int == 2)
        // The doctor stays healthy but says so.
        let doctor = try workspace.expectOK("doctor")
        #expect(doctor.stdout.contains("1 warning(s): missing-checkpoint"))
    }

    @Test func aDeletedCheckpointRowBetweenOthersIsAFailure() throws {
        let workspace = try Workspace(checkpointEvery: 5)
        try workspace.expectOK("init", "--admin", "root", "--name", "Quản trị")
        try workspace.expectOK("audit", "keygen")
        for index in 1...15 { try workspace.expectOK("room", "add", "room-\(index)", "--kind", "virtual") }
        #expect(try workspace.scalar("SELECT group_concat(id) FROM audit_checkpoint") == "1,2,3")
        try Self.dropTriggers(workspace)
        try workspace.sqlite("DELETE FROM audit_checkpoint WHERE id = 2")
        let run = try workspace.dirctl("audit", "verify")
        #expect(run.status == 1)
        #expect(run.stdout.contains("checkpoint-deleted: stored checkpoint row 2 was deleted"))
        #expect(run.stdout.contains("warning missing-checkpoint"))
    }

    @Test func syslogExportEscapesStructuredData() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("room", "add", #"a"b]c\d"#, "--kind", "virtual")
        let run = try workspace.expectOK("audit", "export", "--format", "syslog")
        let line = try #require(run.stdout.split(separator: "\n").first { $0.contains("room.add") })
        #expect(line.hasPrefix("<110>1 "))
        #expect(line.contains(#"target="room:a\"b\]c\\d""#))
    }

    @Test func noSecretReachesTheLog() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("audit", "keygen")
        let key = try String(contentsOfFile: workspace.folder + "/audit.key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let dump = try workspace.sqlite(".dump").stdout
        #expect(!dump.contains(key))
        let mode = try FileManager.default.attributesOfItem(atPath: workspace.folder + "/audit.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
