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

    @Test func aForgedSignatureWithTheRightKeyIDIsABadSignature() throws {
        let workspace = try Self.workspaceWithHistory()
        let checkpointFile = workspace.folder + "/checkpoint.json"
        try workspace.expectOK("audit", "checkpoint", "--output", checkpointFile)
        #expect(try workspace.dirctl("audit", "verify", "--checkpoint", checkpointFile).status == 0)
        let genuine = try JSONDecoder().decode(AuditCheckpoint.self, from: Data(contentsOf: URL(fileURLWithPath: checkpointFile)))
        let keyID = try String(contentsOfFile: workspace.folder + "/audit.pub", encoding: .utf8)
        #expect(!keyID.isEmpty)
        // The forger keeps the configured key's id and the genuine signature but vouches for another
        // hash; then tries a made-up signature. Only the signature itself can give either away.
        var otherHash = genuine
        otherHash.hash = try Self.event(workspace, seq: 2).hash
        var madeUp = genuine
        madeUp.signature = Data(repeating: 7, count: 64).base64EncodedString()
        for forged in [otherHash, madeUp] {
            #expect(forged.keyID == genuine.keyID)
            let forgedFile = workspace.folder + "/forged.json"
            try JSONEncoder().encode(forged).write(to: URL(fileURLWithPath: forgedFile))
            let run = try workspace.dirctl("audit", "verify", "--checkpoint", forgedFile)
            #expect(run.status == 1)
            #expect(run.stdout.contains("bad-signature: checkpoint \(forgedFile) at seq \(genuine.seq) has a signature that does not verify"))
            #expect(!run.stdout.contains("not the configured key"))
        }
        // A new key pair replaces the old one: the old checkpoints no longer verify, and say why.
        try workspace.expectOK("audit", "keygen", "--force")
        let run = try workspace.dirctl("audit", "verify", "--checkpoint", checkpointFile)
        #expect(run.status == 1)
        #expect(run.stdout.contains("bad-signature: checkpoint \(checkpointFile) at seq \(genuine.seq) was signed by key \(genuine.keyID), not the configured key"))
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
        #expect(run.stderr.contains("\(workspace.config):9: audit.clock_step_tolerance_seconds: expected a whole number"))
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

    /// A folder standing in for the off-host share, with the checkpoints `count` timer runs write.
    static func anchorFolder(_ workspace: Workspace) throws -> String {
        let folder = workspace.folder + "/anchor"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        return folder
    }

    static func seriesFiles(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test func theCheckpointSeriesGrowsByOneReadOnlyFilePerRunWithNews() throws {
        let workspace = try Self.workspaceWithHistory()
        let anchor = try Self.anchorFolder(workspace)
        // A folder that is not there (an unmounted share) is refused before anything is logged.
        let events = try workspace.scalar("SELECT count(*) FROM audit_event")
        let missing = try workspace.dirctl("audit", "checkpoint", "--output-dir", anchor + "/not-mounted")
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("is not a folder"))
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event") == events)
        try workspace.expectOK("audit", "checkpoint", "--output-dir", anchor)
        // Nothing new: no event, no file.
        let idle = try workspace.expectOK("audit", "checkpoint", "--output-dir", anchor)
        #expect(idle.stdout.contains("no file written"))
        try workspace.expectOK("room", "add", "later", "--kind", "virtual")
        try workspace.expectOK("audit", "checkpoint", "--output-dir", anchor)
        let files = try Self.seriesFiles(anchor)
        #expect(files.count == 2)
        let seqs = try files.map { try #require(Int($0.split(separator: "-")[1])) }
        #expect(seqs == [Int(events)! + 1, Int(events)! + 3])
        for file in files {
            #expect(file.hasPrefix("checkpoint-0000000000000000"))
            let mode = try FileManager.default.attributesOfItem(atPath: anchor + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o444)
        }
        let run = try workspace.expectOK("audit", "verify", "--checkpoints", anchor)
        #expect(run.stdout.contains("audit log intact"))
        #expect(run.stdout.contains("2 checkpoint file(s) kept outside"))
        #expect(run.stdout.contains("anchored: seq 1-\(seqs[1]) by \(anchor)/\(files[1])"))
        #expect(run.stdout.contains("no event came after it"))
    }

    @Test func anOldEventCopiedAfterTheNewestCheckpointIsFlaggedAndNotAnchored() throws {
        let workspace = try Self.workspaceWithHistory()
        let anchor = try Self.anchorFolder(workspace)
        try workspace.expectOK("audit", "checkpoint", "--output-dir", anchor)
        let anchored = try #require(Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
        // The attacker appends a copy of event 2 with its own old time, hash recomputed. This history
        // is seconds old, so the tolerance for clock steps goes to 0 to see a real one's months.
        try Self.setAuditKey(workspace, "clock_step_tolerance_seconds: 0")
        let forged = try Self.appendForgedCopy(workspace, of: 2)
        #expect(forged.seq == Int64(anchored + 1))
        let run = try workspace.dirctl("audit", "verify", "--checkpoints", anchor)
        #expect(run.status == 1)
        #expect(run.stdout.contains("first bad seq \(forged.seq)"))
        // Its time is earlier than its predecessor's and than the checkpoint it must postdate.
        #expect(run.stdout.contains("time-backwards: seq \(forged.seq) is dated \(forged.time)"))
        #expect(run.stdout.contains("before checkpoint \(anchor)/"))
        #expect(run.stdout.contains("anchored: seq 1-\(anchored) by \(anchor)/"))
        #expect(run.stdout.contains("event \(forged.seq) came after it and is NOT anchored"))
    }

    @Test func aWellDatedForgeryAfterTheNewestCheckpointCanOnlyBeShownUnanchored() throws {
        let workspace = try Self.workspaceWithHistory()
        let anchor = try Self.anchorFolder(workspace)
        try workspace.expectOK("audit", "checkpoint", "--output-dir", anchor)
        let anchored = try #require(Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
        // Dated a second after the newest event, the forgery is a perfect link with a plausible time:
        // no check can call it false. What verify can honestly say is that nothing vouches for it.
        let forged = try Self.appendForgedCopy(workspace, of: 2, time: try Self.time(of: try Self.event(workspace, seq: anchored), plus: 1))
        let run = try workspace.expectOK("audit", "verify", "--checkpoints", anchor)
        #expect(run.stdout.contains("audit log intact"))
        #expect(run.stdout.contains("anchored: seq 1-\(anchored) by \(anchor)/"))
        #expect(run.stdout.contains("event \(forged.seq) came after it and is NOT anchored"))
        let json = try workspace.expectOK("audit", "verify", "--checkpoints", anchor, "--json")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let anchorInfo = try #require(result["anchor"] as? [String: Any])
        #expect(anchorInfo["seq"] as? Int == anchored)
        #expect(anchorInfo["unanchored_events"] as? Int == 1)
    }

    @Test func aRewrittenChainBeforeTheNewestCheckpointIsAMismatchNamingTheSeq() throws {
        let workspace = try Self.workspaceWithHistory()
        let anchor = try Self.anchorFolder(workspace)
        try workspace.expectOK("audit", "checkpoint", "--output-dir", anchor)
        let last = try #require(Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
        // The attacker edits event 8 and rehashes every event after it, and deletes the stored
        // checkpoints: the chain in the file is consistent again.
        var events = try (1...last).map { try Self.event(workspace, seq: $0) }
        events[7].target = "room:innocent"
        var updates: [String] = []
        for index in 7..<events.count {
            if index > 0 { events[index].prevHash = events[index - 1].hash }
            events[index].hash = events[index].computedHash()
            updates.append("UPDATE audit_event SET target = '\(events[index].target)', prev_hash = '\(events[index].prevHash)', hash = '\(events[index].hash)' WHERE seq = \(index + 1)")
        }
        try Self.dropTriggers(workspace)
        try workspace.sqlite(updates.joined(separator: "; ") + "; DELETE FROM audit_checkpoint")
        #expect(try workspace.dirctl("audit", "verify").status == 0)
        let run = try workspace.dirctl("audit", "verify", "--checkpoints", anchor)
        #expect(run.status == 1)
        #expect(run.stdout.contains("checkpoint-mismatch: checkpoint \(anchor)/"))
        #expect(run.stdout.contains("at seq \(last) records hash"))
        #expect(run.stdout.contains("anchored: not at all"))
    }

    @Test func aLogShorterThanACheckpointInTheSeriesIsTruncation() throws {
        let workspace = try Self.workspaceWithHistory()
        let anchor = try Self.anchorFolder(workspace)
        try workspace.expectOK("audit", "checkpoint", "--output-dir", anchor)
        let last = try #require(Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
        try Self.dropTriggers(workspace)
        try workspace.sqlite("DELETE FROM audit_event WHERE seq > \(last - 2); DELETE FROM audit_checkpoint")
        let run = try workspace.dirctl("audit", "verify", "--checkpoints", anchor)
        #expect(run.status == 1)
        #expect(run.stdout.contains("truncated: the log ends at seq \(last - 2) but checkpoint \(anchor)/"))
        #expect(run.stdout.contains("events \(last - 1)-\(last) were removed"))
    }

    @Test func aRenamedOrEmptiedSeriesFileIsNamed() throws {
        let workspace = try Self.workspaceWithHistory()
        let anchor = try Self.anchorFolder(workspace)
        try workspace.expectOK("audit", "checkpoint", "--output-dir", anchor)
        let file = try #require(try Self.seriesFiles(anchor).first)
        // Renamed to look newer than it is.
        let renamed = anchor + "/checkpoint-00000000000000009999-20991231T000000000Z.json"
        try FileManager.default.moveItem(atPath: anchor + "/" + file, toPath: renamed)
        let run = try workspace.dirctl("audit", "verify", "--checkpoints", anchor)
        #expect(run.status == 1)
        #expect(run.stdout.contains("malformed: checkpoint file \(renamed) holds seq"))
        try FileManager.default.removeItem(atPath: renamed)
        #expect(FileManager.default.createFile(atPath: anchor + "/" + file, contents: Data()))
        let empty = try workspace.dirctl("audit", "verify", "--checkpoints", anchor)
        #expect(empty.status == 1)
        #expect(empty.stdout.contains("malformed: checkpoint file \(anchor)/\(file) is not a checkpoint"))
        // An empty folder anchors nothing: an error, not "intact".
        try FileManager.default.removeItem(atPath: anchor + "/" + file)
        let none = try workspace.dirctl("audit", "verify", "--checkpoints", anchor)
        #expect(none.status == 65)
        #expect(none.stderr.contains("holds no checkpoint files"))
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
        let key = try String(contentsOfFile: workspace.folder + "/keys/audit.key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let dump = try workspace.sqlite(".dump").stdout
        #expect(!dump.contains(key))
        let mode = try FileManager.default.attributesOfItem(atPath: workspace.folder + "/keys/audit.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
