import Foundation
import SwitchboardBase
import SwitchboardTestSupport
import Testing

/// Findings of the security review that this core closes: acting on an admin needs admin, `--as`
/// is a well-formed login, purge stays inside home_base, limits count bytes, tables escape.
@Suite struct AdminProtectionAndInputTests {
    func lastSeq(_ workspace: Workspace) throws -> Int {
        try #require(Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
    }

    @Test func theHelpdeskCannotSuspendEditOrDepartAnAdmin() throws {
        let workspace = try Workspace.populated()
        for arguments in [["person", "suspend", "ad"], ["person", "update", "ad", "--title", "Nhân viên"],
                          ["person", "depart", "ad"]] {
            let before = try lastSeq(workspace)
            let person = try workspace.scalar("SELECT status || ' ' || title FROM person WHERE login = 'ad'")
            let run = try workspace.dirctl(arguments + ["--as", "hd"])
            #expect(run.status == 77, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains("person:ad is an admin: only an admin may"))
            let events = try workspace.sqlite("SELECT action || ' ' || target || ' ' || outcome FROM audit_event WHERE seq > \(before)").stdout
            #expect(events.split(separator: "\n").count == 1 && events.contains("person:ad denied"), "\(events)")
            #expect(try workspace.scalar("SELECT status || ' ' || title FROM person WHERE login = 'ad'") == person)
        }
        // The helpdesk still acts on staff, and an admin on another admin.
        try workspace.expectOK("person", "suspend", "st", "--as", "hd")
        try workspace.expectOK("person", "suspend", "ad", "--as", "root")
        #expect(try workspace.scalar("SELECT status FROM person WHERE login = 'ad'") == "suspended")

        // Nor through an import: the admin's row is refused and nothing is written.
        let csv = workspace.folder + "/people.csv"
        try "login,name\nad,Người bị đổi tên\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try workspace.dirctl("person", "import", csv, "--as", "hd")
        #expect(imported.status == 65)
        #expect(imported.stderr.contains("is an admin"))
        #expect(try workspace.scalar("SELECT display_name FROM person WHERE login = 'ad'") == "Người admin")
    }

    @Test func aControlCharacterInAsIsRefusedBeforeAnythingIsRecorded() throws {
        let workspace = try Workspace.populated()
        let before = try lastSeq(workspace)
        for forged in ["hd\n99  2026-01-01 00:00:00  root  person.purge", "hd\u{1B}[2K", "HD st"] {
            let run = try workspace.dirctl(["person", "list", "--as", forged])
            #expect(run.status == 64, "\(forged.debugDescription): \(run.stderr)")
            #expect(run.stderr.hasPrefix("dirctl: --as: login"))
            #expect(run.stderr.split(separator: "\n").count == 1)
        }
        #expect(try lastSeq(workspace) == before)
    }

    @Test func aTableShowsAControlCharacterEscapedOnItsOwnLine() throws {
        let workspace = try Workspace.populated()
        // Only a direct edit of the file can put one there; the table must still not be forged.
        try workspace.sqlite("UPDATE person SET display_name = 'Người' || char(10) || 'root  admin' WHERE login = 'st'")
        let table = try workspace.expectOK("person", "list").stdout
        let row = try #require(table.split(separator: "\n").first { $0.hasPrefix("st ") })
        #expect(row.contains("Người\\u{A}root  admin"))
        #expect(!table.split(separator: "\n").contains { $0.hasPrefix("root  admin") })
    }

    /// Tables align on terminal columns (a CJK name takes two a character) and, given a width
    /// ($COLUMNS or the terminal's), fit it by cutting long cells with "…".
    @Test func aTableWithWideCharactersStaysAlignedAndFitsTheWidth() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", "wang", "--name", "王小明 Vương Tiểu Minh", "--email", "wang@bo.gov.vn", "--unit", "IT")
        let wide = try ProcessRunner.run(Workspace.products + "/dirctl", ["person", "list", "--config", workspace.config], in: workspace.folder,
                                     environment: ["COLUMNS": "200"])
        let lines = wide.stdout.split(separator: "\n")
        let header = try #require(lines.first)
        let row = try #require(lines.first { $0.hasPrefix("wang") })
        // The E-MAIL column starts at the same display column on the header and on the CJK row.
        let email = try #require(header.range(of: "E-MAIL"))
        let emailColumn = DisplayWidth.of(String(header[..<email.lowerBound]))
        let emailOnRow = try #require(row.range(of: "wang@bo.gov.vn"))
        #expect(DisplayWidth.of(String(row[..<emailOnRow.lowerBound])) == emailColumn, "\(header)\n\(row)")
        // Narrow: every line fits 50 columns, the long name cut with "…".
        let narrow = try ProcessRunner.run(Workspace.products + "/dirctl", ["person", "list", "--config", workspace.config], in: workspace.folder,
                                       environment: ["COLUMNS": "50"])
        for line in narrow.stdout.split(separator: "\n") { #expect(DisplayWidth.of(String(line)) <= 50, "\(line)") }
        #expect(narrow.stdout.contains("…"))
        // JSON is never cut.
        let json = try ProcessRunner.run(Workspace.products + "/dirctl", ["person", "list", "--json", "--config", workspace.config], in: workspace.folder,
                                     environment: ["COLUMNS": "50"])
        #expect(json.stdout.contains("王小明 Vương Tiểu Minh"))
    }

    @Test func aNameOfStackedAccentsIsRefusedByItsBytes() throws {
        let workspace = try Workspace.populated()
        // 40,001 scalars, 80 KB, but a single character: the character limit alone let it through.
        let name = "a" + String(repeating: "\u{0301}", count: 40_000)
        let run = try workspace.dirctl("person", "add", "dau", "--name", name)
        #expect(run.status == 65)
        #expect(run.stderr.contains("is longer than 3200 bytes (80001)"))
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login = 'dau'") == "0")
    }

    @Test func aTooLargeImportIsRefusedInOneLineBeforeAnythingIsRead() throws {
        let workspace = try Workspace.populated()
        let config = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try (config + "\ndirectory:\n  import_max_mb: 1\n").write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let csv = workspace.folder + "/big.csv"
        let rows = (0..<40_000).map { "big\($0),Người số \($0)" }.joined(separator: "\n")
        try ("login,name\n" + rows + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let before = try lastSeq(workspace)
        let people = try workspace.dirctl("person", "import", csv)
        #expect(people.status == 65)
        #expect(people.stderr.split(separator: "\n").count == 1)
        #expect(people.stderr.contains("more than directory.import_max_mb allows (1 MB)"))
        let mailboxes = try ProcessRunner.run(Workspace.products + "/mailctl",
                                              ["account", "import", csv, "--dry-run", "--config", workspace.config], in: workspace.folder)
        #expect(mailboxes.status == 65)
        #expect(mailboxes.stderr.contains("more than directory.import_max_mb allows (1 MB)"))
        #expect(try lastSeq(workspace) == before)
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login LIKE 'big%'") == "0")
    }

    @Test func keygenForceRefusesAPlantedLinkAndRecordsNothing() throws {
        let workspace = try Workspace.populated()
        let victim = workspace.folder + "/victim.txt"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: workspace.folder + "/keys", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createSymbolicLink(atPath: workspace.folder + "/keys/audit.key", withDestinationPath: victim)
        let before = try lastSeq(workspace)
        let run = try workspace.dirctl("audit", "keygen", "--force")
        #expect(run.status != 0)
        #expect(run.stderr.contains("symbolic link"))
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try lastSeq(workspace) == before)
    }
}
