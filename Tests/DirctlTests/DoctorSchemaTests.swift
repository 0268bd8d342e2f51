import Foundation
import SwitchboardTestSupport
import Testing

/// Someone with the sqlite3 CLI changes the schema: `dirctl doctor` must fail and name the object.
@Suite struct DoctorSchemaTests {
    @Test func anUntouchedSchemaIsHealthy() throws {
        let workspace = try Workspace.populated()
        let run = try workspace.expectOK("doctor")
        #expect(run.stdout.contains("exactly as the migrations made it"))
        let json = try workspace.expectOK("doctor", "--json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((report["schema_differences"] as? [Any])?.isEmpty == true)
    }

    @Test func aDroppedAppendOnlyTriggerFailsTheDoctor() throws {
        let workspace = try Workspace.populated()
        try workspace.sqlite("DROP TRIGGER audit_event_no_delete")
        let run = try workspace.dirctl("doctor")
        #expect(run.status == 1)
        #expect(run.stdout.contains("trigger audit_event_no_delete missing"))
        // Nothing else is named: the other trigger is still there.
        #expect(!run.stdout.contains("audit_event_no_update"))
        let json = try workspace.dirctl("doctor", "--json")
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let differences = try #require(report["schema_differences"] as? [[String: String]])
        #expect(differences == [["change": "missing", "type": "trigger", "name": "audit_event_no_delete"]])
    }

    @Test func aRedefinedViewAndAnExtraObjectAreNamed() throws {
        let workspace = try Workspace.populated()
        // The view keeps its name and columns but lets every mailbox log in, suspended or not.
        let original = try workspace.scalar("SELECT sql FROM sqlite_master WHERE name = 'mail_auth_view'")
        #expect(original.contains("CREATE VIEW mail_auth_view"))
        try workspace.sqlite("""
            DROP VIEW mail_auth_view;
            CREATE VIEW mail_auth_view AS SELECT address, password_hash, home_key, NULL AS quota_rule FROM mailbox;
            CREATE TABLE stash (x);
            """)
        let run = try workspace.dirctl("doctor")
        #expect(run.status == 1)
        #expect(run.stdout.contains("view mail_auth_view changed"))
        #expect(run.stdout.contains("table stash extra"))
        // Putting the migrations' definition back heals it.
        try workspace.sqlite("DROP VIEW mail_auth_view; DROP TABLE stash; \(original);")
        try workspace.expectOK("doctor")
    }

    @Test func aBackupOfATamperedSchemaIsRefused() throws {
        let workspace = try Workspace.populated()
        try workspace.sqlite("DROP TRIGGER audit_checkpoint_no_update")
        let destination = workspace.folder + "/backup.sqlite"
        let run = try workspace.dirctl("backup", destination)
        #expect(run.status == 1)
        #expect(run.stderr.contains("trigger audit_checkpoint_no_update missing"))
        #expect(!FileManager.default.fileExists(atPath: destination))
    }
}
