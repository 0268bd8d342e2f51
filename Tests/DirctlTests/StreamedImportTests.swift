import Foundation
import SwitchboardTestSupport
import Testing

/// `person import` reads the file in chunks, twice (check, then write): what it reports and
/// writes must be what reading it whole gave.
@Suite struct StreamedImportTests {
    /// A file of `count` people in unit IT, larger than one 1 MB chunk when `count` is 8,000.
    static func bigFile(count: Int, extra: String = "") -> String {
        var text = "login,name,email,unit,title\n"
        for index in 0..<count {
            text += "u\(index),Nguyễn Thị Người Dùng Số \(index),u\(index)@bonoivu.demo.gov.vn,IT,Chuyên viên phòng Công nghệ thông tin và chuyển đổi số - Văn phòng Bộ\n"
        }
        return text + extra
    }

    @Test func aFileOfSeveralChunksImportsEveryRowWithOneEventEach() throws {
        let workspace = try Workspace.populated()
        let path = workspace.folder + "/big.csv"
        try Self.bigFile(count: 8_000).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 > 1 << 20)
        let events = try #require(Int(try workspace.scalar("SELECT count(*) FROM audit_event")))
        let run = try workspace.expectOK("person", "import", path)
        #expect(run.stdout.contains("8000 rows, 8000 added, 0 updated, 0 unchanged"))
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login GLOB 'u[0-9]*'") == "8000")
        #expect(try workspace.scalar("SELECT display_name FROM person WHERE login = 'u7999'") == "Nguyễn Thị Người Dùng Số 7999")
        #expect(try Int(workspace.scalar("SELECT count(*) FROM audit_event")) == events + 8_001)
        // The second run changes nothing.
        let again = try workspace.expectOK("person", "import", path)
        #expect(again.stdout.contains("8000 rows, 0 added, 0 updated, 8000 unchanged"))
        try workspace.expectOK("audit", "verify")
    }

    @Test func aProblemInTheLastChunkWritesNothingAndNamesItsLine() throws {
        let workspace = try Workspace.populated()
        let path = workspace.folder + "/big.csv"
        // Line 8,002 repeats the e-mail of line 2 in other letters.
        try Self.bigFile(count: 8_000, extra: "late,Late,U0@BONOIVU.demo.gov.vn,IT,x\n").write(toFile: path, atomically: true, encoding: .utf8)
        let people = try workspace.scalar("SELECT count(*) FROM person")
        let run = try workspace.dirctl("person", "import", path)
        #expect(run.status == 65)
        #expect(run.stderr.contains("big.csv:8002: email: U0@BONOIVU.demo.gov.vn already appears on line 2"))
        #expect(try workspace.scalar("SELECT count(*) FROM person") == people)
    }

    @Test func aManagerLaterInTheFileIsSetAndADuplicateLoginIsNamed() throws {
        let workspace = try Workspace.populated()
        let path = workspace.folder + "/p.csv"
        try "login,name,manager\nnv.a,Nhân viên A,tp.b\ntp.b,Trưởng phòng B,\n".write(toFile: path, atomically: true, encoding: .utf8)
        try workspace.expectOK("person", "import", path)
        #expect(try workspace.scalar("SELECT m.login FROM person p JOIN person m ON m.id = p.manager_id WHERE p.login = 'nv.a'") == "tp.b")
        try "login,name\nx.y,X\nz.w,Z\nx.y,X again\n".write(toFile: path, atomically: true, encoding: .utf8)
        let duplicate = try workspace.dirctl("person", "import", path)
        #expect(duplicate.status == 65)
        #expect(duplicate.stderr.contains("p.csv:4: login: x.y already appears on line 2"))
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login IN ('x.y', 'z.w')") == "0")
    }
}
