import Foundation
import SwitchboardTestSupport
import Testing

/// CSV import and export as the helpdesk uses them with spreadsheets.
@Suite struct ImportExportTests {
    static let file = "\u{FEFF}login,name,email,unit,title,manager\r\n"
        + "an.nguyen,Nguyễn Văn An,an.nguyen@bo.gov.vn,IT,\"Trưởng phòng, phụ trách mạng\",\r\n"
        + "binh.tran,Trần Thị Bình,binh.tran@bo.gov.vn,IT,\"Chuyên viên \"\"hỗ trợ\"\"\",an.nguyen\r\n"
        + "cuong.le,Lê Văn Cường,cuong.le@bo.gov.vn,IT,=SUM(A1:A9),an.nguyen\r\n"

    @Test func dryRunWritesNothingAndTheRealRunIsIdempotent() throws {
        let workspace = try Workspace.populated()
        let path = workspace.folder + "/staff.csv"
        try Self.file.write(toFile: path, atomically: true, encoding: .utf8)
        let events = try workspace.scalar("SELECT count(*) FROM audit_event")
        let dry = try workspace.expectOK("person", "import", path, "--dry-run")
        #expect(dry.stdout.contains("Would import"))
        #expect(dry.stdout.contains("3 added"))
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login IN ('an.nguyen', 'binh.tran', 'cuong.le')") == "0")
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event") == events)

        let real = try workspace.expectOK("person", "import", path)
        #expect(real.stdout.contains("3 rows, 3 added, 0 updated, 0 unchanged"))
        #expect(try workspace.scalar("SELECT m.login FROM person p JOIN person m ON m.id = p.manager_id WHERE p.login = 'binh.tran'") == "an.nguyen")
        #expect(try workspace.scalar("SELECT title FROM person WHERE login = 'an.nguyen'") == "Trưởng phòng, phụ trách mạng")
        // One event per person (managers set in the same pass when they exist), plus the import's own.
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event") == String(Int(events)! + 3 + 1))

        let again = try workspace.expectOK("person", "import", path)
        #expect(again.stdout.contains("0 added, 0 updated, 3 unchanged"))

        let changed = Self.file.replacingOccurrences(of: "Lê Văn Cường", with: "Lê Văn Cường Em")
        try changed.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try workspace.expectOK("person", "import", path).stdout.contains("0 added, 1 updated, 2 unchanged"))
    }

    @Test func exportNeutralizesFormulasAndReimportsUnchanged() throws {
        let workspace = try Workspace.populated()
        let path = workspace.folder + "/staff.csv"
        try Self.file.write(toFile: path, atomically: true, encoding: .utf8)
        try workspace.expectOK("person", "import", path)
        let exported = try workspace.expectOK("person", "export", "--unit", "IT").stdout
        #expect(exported.contains("'=SUM(A1:A9)"))
        #expect(!exported.contains(",=SUM"))
        #expect(exported.contains("\"Trưởng phòng, phụ trách mạng\""))
        #expect(exported.hasPrefix("login,name,given_name,family_name,email,unit,title"))
        let lines = exported.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 1 + 4 + 3, "header, the four role people, the three imported")
        // Re-imported, the export changes nothing: the neutralized cell comes back as the formula text it was.
        let people = "SELECT * FROM person ORDER BY id"
        let before = try workspace.sqlite(people).stdout
        let back = workspace.folder + "/exported.csv"
        try exported.write(toFile: back, atomically: true, encoding: .utf8)
        let again = try workspace.expectOK("person", "import", back)
        #expect(again.stdout.contains("7 rows, 0 added, 0 updated, 7 unchanged"), "\(again.stdout)")
        #expect(try workspace.sqlite(people).stdout == before)
        #expect(try workspace.scalar("SELECT title FROM person WHERE login = 'cuong.le'") == "=SUM(A1:A9)")
    }

    @Test func anExportReimportsUnchangedEvenWithProtectedCells() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", "phuong", "--name", "Đỗ Thị Phương", "--phone", "+84 24 3824 1234", "--title=-- tạm thời --")
        let exported = try workspace.expectOK("person", "export").stdout
        #expect(exported.contains("'+84 24 3824 1234"))
        let path = workspace.folder + "/round.csv"
        try exported.write(toFile: path, atomically: true, encoding: .utf8)
        let again = try workspace.expectOK("person", "import", path)
        #expect(again.stdout.contains("0 added, 0 updated"), "\(again.stdout)")
        #expect(try workspace.scalar("SELECT phone || '|' || title FROM person WHERE login = 'phuong'") == "+84 24 3824 1234|-- tạm thời --")
    }
}
