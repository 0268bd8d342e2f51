import Foundation
import SwitchboardTestSupport
import Testing

/// `person import` checks and stages a file without holding SQLite's write lock, then applies the
/// staged rows in one short transaction: other tools keep writing meanwhile, and what they wrote
/// is checked again when the rows are applied.
@Suite struct ImportStagingTests {
    /// A workspace of people, a config beside its own whose busy timeout is 2 s (a tool that waits
    /// longer for the lock fails with "database is locked"), and a file of 20,000 new people whose
    /// long titles make checking and staging them take a while.
    static func setUp() throws -> (workspace: Workspace, shortTimeout: String, file: String) {
        let workspace = try Workspace.populated()
        let shortTimeout = workspace.folder + "/short-timeout.yaml"
        let config = try String(contentsOfFile: workspace.config, encoding: .utf8)
        let database = "database:\n  path: \(workspace.database)\n"
        #expect(config.contains(database))
        try config.replacingOccurrences(of: database, with: database + "  busy_timeout_ms: 2000\n")
            .write(toFile: shortTimeout, atomically: true, encoding: .utf8)
        let file = workspace.folder + "/big.csv"
        var csv = "login,name,email,unit,title\n"
        let title = "Chuyên viên phòng Công nghệ thông tin và chuyển đổi số - Văn phòng Bộ Nội vụ - Trung tâm Thông tin"
        for index in 0..<20_000 { csv += "user\(index),Người Dùng \(index),user\(index)@bo.gov.vn,IT,\(title)\n" }
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        return (workspace, shortTimeout, file)
    }

    /// Starts the import of `file` with progress lines, and waits until it is staging rows.
    static func startImport(_ workspace: Workspace, _ file: String) throws -> RunningProcess {
        let running = try ProcessRunner.start(Workspace.products + "/dirctl",
                                              ["person", "import", file, "--progress", "--verbose", "--config", workspace.config])
        try running.closeInput()
        let staging = running.waitForStandardError(containing: "importing big.csv: ", timeout: 60)
        #expect(staging, "the import showed no progress: \(running.standardError.suffix(300))")
        return running
    }

    /// True while the import has not yet taken the write lock to apply its staged rows.
    static func stillStaging(_ running: RunningProcess) -> Bool {
        !running.standardError.contains("applying 20000 staged rows")
    }

    @Test func anotherToolWritesWhileALargeImportIsStaging() throws {
        let (workspace, shortTimeout, file) = try Self.setUp()
        let running = try Self.startImport(workspace, file)

        let write = try Workspace.run(Workspace.products + "/dirctl", ["unit", "add", "HR", "--name", "Phòng Nhân sự", "--config", shortTimeout],
                                      in: workspace.folder)
        let wasStaging = Self.stillStaging(running)
        let imported = try running.finish()
        #expect(write.status == 0, "the write during the import failed: \(write.stderr)")
        #expect(!write.stderr.contains("locked"), "a user would have seen: \(write.stderr)")
        #expect(wasStaging, "the import had taken the write lock before the other write returned: \(imported.stderr.suffix(300))")

        #expect(imported.status == 0, "the import failed: \(imported.stderr.suffix(500))")
        #expect(imported.stdout.contains("20000 rows, 20000 added, 0 updated, 0 unchanged"))
        // --verbose says how long the write lock was held: the apply step alone.
        #expect(imported.stderr.contains("timing: import apply "))
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login LIKE 'user%'") == "20000")
        #expect(try workspace.scalar("SELECT name FROM unit WHERE code = 'HR'") == "Phòng Nhân sự")
        // The unit's event comes before the import's 20,001, which end with the summary.
        #expect(try workspace.scalar("SELECT action FROM audit_event WHERE target = 'unit:HR'") == "unit.add")
        #expect(try workspace.scalar("SELECT action FROM audit_event ORDER BY seq DESC LIMIT 1") == "person.import")
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event WHERE seq > (SELECT seq FROM audit_event WHERE target = 'unit:HR')") == "20001")
        try workspace.expectOK("audit", "verify")

        // A rerun changes nothing and sees no staged row of the first run.
        let again = try workspace.expectOK("person", "import", file)
        #expect(again.stdout.contains("20000 rows, 0 added, 0 updated, 20000 unchanged"))
    }

    @Test func aConflictWrittenWhileStagingIsRefusedWhenApplyingAndNothingIsImported() throws {
        let (workspace, shortTimeout, file) = try Self.setUp()
        let running = try Self.startImport(workspace, file)

        // Someone takes the e-mail address of the file's last row while the import stages it.
        let write = try Workspace.run(Workspace.products + "/dirctl",
                                      ["person", "add", "late", "--name", "Người Đến Sau", "--email", "user19999@bo.gov.vn", "--config", shortTimeout],
                                      in: workspace.folder)
        let wasStaging = Self.stillStaging(running)
        let eventsAfterWrite = try workspace.scalar("SELECT count(*) FROM audit_event")
        let imported = try running.finish()
        #expect(write.status == 0, "the write during the import failed: \(write.stderr)")
        #expect(wasStaging, "the import had taken the write lock before the other write returned")

        #expect(imported.status == 65)
        #expect(imported.stderr.contains("big.csv:20001: email: e-mail user19999@bo.gov.vn is already used by late"),
                "\(imported.stderr.suffix(500))")
        #expect(imported.stderr.contains("1 problem(s); nothing was imported"))
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login LIKE 'user%'") == "0")
        #expect(try workspace.scalar("SELECT login FROM person WHERE email_key = 'user19999@bo.gov.vn'") == "late")
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event") == eventsAfterWrite)
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event WHERE action = 'person.import'") == "0")
        try workspace.expectOK("audit", "verify")
        #expect(try workspace.scalar("PRAGMA integrity_check") == "ok")
    }

    @Test func aDryRunStagesAndAppliesNothing() throws {
        let workspace = try Workspace.populated()
        let path = workspace.folder + "/p.csv"
        try "login,name,email\nmoi.a,Người Mới A,moi.a@bo.gov.vn\nst,Người staff đổi tên,\n".write(toFile: path, atomically: true, encoding: .utf8)
        let before = try workspace.dump()
        let dry = try workspace.expectOK("person", "import", path, "--dry-run")
        #expect(dry.stdout.contains("Would import \(path): 2 rows, 1 added, 1 updated, 0 unchanged"))
        #expect(try workspace.dump() == before)
        let run = try workspace.expectOK("person", "import", path)
        #expect(run.stdout.contains("Imported \(path): 2 rows, 1 added, 1 updated, 0 unchanged"))
        #expect(try workspace.scalar("SELECT display_name FROM person WHERE login = 'st'") == "Người staff đổi tên")
    }

    /// The apply step inserts new people with its own prepared statement: what it stores, and the
    /// event it records, must be what `person add` stores and records for the same fields.
    @Test func anImportedPersonIsStoredAndRecordedAsPersonAddDoes() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", "them.a", "--name", "Nguyễn Thị Ánh", "--given-name", "Thị Ánh", "--family-name", "Nguyễn",
                               "--email", "Them.A@Bộ.gov.vn", "--unit", "it", "--title", "Chuyên viên", "--employee-number", "NV-7",
                               "--phone", "024 3824 1000", "--manager", "st", "--language", "en")
        let path = workspace.folder + "/p.csv"
        try """
            login,name,given_name,family_name,email,unit,title,employee_number,phone,manager,language
            them.b,Nguyễn Thị Ánh,Thị Ánh,Nguyễn,Them.B@Bộ.gov.vn,it,Chuyên viên,NV-7,024 3824 1000,st,en
            them.c,Trần C,,,,,,,,,

            """.write(toFile: path, atomically: true, encoding: .utf8)
        try workspace.expectOK("person", "import", path)
        let columns = """
            display_name, given_name, family_name, replace(email, 'B', 'A'), replace(email_key, 'b@', 'a@'), unit_id, title,
            employee_number, phone, manager_id, language, role, status, replace(search_key, 'them.b', 'them.a'),
            status_changed_at = created_at AND created_at = updated_at
            """
        let added = try workspace.scalar("SELECT \(columns) FROM person WHERE login = 'them.a'")
        #expect(try workspace.scalar("SELECT \(columns) FROM person WHERE login = 'them.b'") == added)
        #expect(added.contains("Them.A@") && added.contains("xn--"), "\(added)")
        let details = "SELECT replace(replace(details, 'B@', 'A@'), ',\"via\":\"import:p.csv\"', '') FROM audit_event WHERE action = 'person.add' AND target = "
        #expect(try workspace.scalar(details + "'person:them.b'") == workspace.scalar(details + "'person:them.a'"))
        // A row with only a name: the defaults person add gives.
        try workspace.expectOK("person", "add", "them.d", "--name", "Trần C")
        let plain = "display_name, given_name, family_name, email, email_key, unit_id, title, employee_number, phone, manager_id, language, role, status"
        #expect(try workspace.scalar("SELECT \(plain) FROM person WHERE login = 'them.c'") == workspace.scalar("SELECT \(plain) FROM person WHERE login = 'them.d'"))
    }

    /// The kill test of ConcurrencyAndCrashTests now lands while rows are staged; this one lands
    /// inside the apply transaction itself.
    @Test func killingAnImportWhileItAppliesLeavesNoTraceAndARerunSucceeds() throws {
        let (workspace, _, file) = try Self.setUp()
        let eventsBefore = try workspace.scalar("SELECT count(*) FROM audit_event")
        let running = try Self.startImport(workspace, file)
        let applying = running.waitForStandardError(containing: "applying 20000 staged rows of big.csv", timeout: 120)
        running.kill()
        let killed = try running.finish()
        #expect(applying && killed.killedBySignal, "the import finished before it could be killed: \(killed.stderr.suffix(300))")
        #expect(!killed.stderr.contains("timing: import apply "), "the apply step had ended before the kill")

        #expect(try workspace.scalar("PRAGMA integrity_check") == "ok")
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login LIKE 'user%'") == "0")
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event") == eventsBefore)
        try workspace.expectOK("audit", "verify")
        let rerun = try workspace.expectOK("person", "import", file)
        #expect(rerun.stdout.contains("20000 rows, 20000 added, 0 updated, 0 unchanged"))
        try workspace.expectOK("audit", "verify")
    }
}
