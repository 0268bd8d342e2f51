import Foundation
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
        #expect(chainOnly.stderr.contains("not checked"))
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
