import Foundation
import SwitchboardTestSupport
import Testing

/// Malformed input of every kind: one clear error line, a non-zero exit, the database unchanged.
@Suite struct BadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        /// A file to write into the workspace first: (name, bytes).
        var file: (String, [UInt8])?
        var status: Int32
        /// Text the error must contain.
        var says: String
        /// Error lines allowed (an import reports each bad row, then a summary).
        var lines = 1
        var description: String { name }
    }

    static func csv(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let megabyteName = String(repeating: "Nguyễn ", count: 150_000)

    static let cases: [Case] = [
        Case(name: "e-mail with a space", arguments: ["person", "add", "a1", "--name", "An", "--email", "an nguyen@x.vn"], status: 65, says: "space"),
        Case(name: "e-mail with two @", arguments: ["person", "add", "a1", "--name", "An", "--email", "an@@x.vn"], status: 65, says: "invalid e-mail"),
        Case(name: "e-mail without a dot in the domain", arguments: ["person", "add", "a1", "--name", "An", "--email", "an@localhost"], status: 65, says: "invalid e-mail"),
        Case(name: "e-mail domain starting with a hyphen", arguments: ["person", "add", "a1", "--name", "An", "--email", "an@-x.vn"], status: 65, says: "invalid e-mail"),
        Case(name: "e-mail with a header injection", arguments: ["person", "add", "a1", "--name", "An", "--email", "a@x.vn\r\nBcc: b@y.vn"], status: 65, says: "line break"),
        Case(name: "name with LF", arguments: ["person", "add", "a1", "--name", "An\nNguyen"], status: 65, says: "line break"),
        Case(name: "name with CR", arguments: ["person", "add", "a1", "--name", "An\rNguyen"], status: 65, says: "line break"),
        Case(name: "name with a bidi override", arguments: ["person", "add", "a1", "--name", "An\u{202E}nayug"], status: 65, says: "name"),
        Case(name: "name of 100 kB", arguments: ["person", "add", "a1", "--name", String(repeating: "A", count: 100_000)], status: 65, says: "longer than 200"),
        Case(name: "empty name", arguments: ["person", "add", "a1", "--name", "  "], status: 65, says: "empty"),
        Case(name: "unknown unit", arguments: ["person", "add", "a1", "--name", "An", "--unit", "NOPE"], status: 65, says: "no unit with code \"NOPE\""),
        Case(name: "duplicate login", arguments: ["person", "add", "hd", "--name", "Another"], status: 65, says: "already exists"),
        Case(name: "login with an accent", arguments: ["person", "add", "nguyễn", "--name", "An"], status: 65, says: "no accents"),
        Case(name: "login starting with a digit", arguments: ["person", "add", "1an", "--name", "An"], status: 65, says: "start with a letter"),
        Case(name: "login of 40 characters", arguments: ["person", "add", String(repeating: "a", count: 40), "--name", "An"], status: 65, says: "longer than 32"),
        Case(name: "unknown manager", arguments: ["person", "add", "a1", "--name", "An", "--manager", "ghost"], status: 65, says: "no person with login \"ghost\""),
        Case(name: "unknown language", arguments: ["person", "add", "a1", "--name", "An", "--language", "fr"], status: 65, says: "vi or en"),
        Case(name: "letters in a phone number", arguments: ["person", "add", "a1", "--name", "An", "--phone", "call me"], status: 65, says: "phone"),
        Case(name: "unit code with a space", arguments: ["unit", "add", "I T", "--name", "x"], status: 65, says: "unit code"),
        Case(name: "unknown parent unit", arguments: ["unit", "add", "X", "--name", "x", "--parent", "NOPE"], status: 65, says: "no unit"),
        Case(name: "negative room capacity", arguments: ["room", "add", "r", "--kind", "physical", "--capacity=-5"], status: 65, says: "capacity"),
        Case(name: "unknown role", arguments: ["person", "set-role", "hd", "superuser"], status: 65, says: "must be one of"),
        Case(name: "show an unknown person", arguments: ["person", "show", "ghost"], status: 65, says: "no person"),
        Case(name: "a date that is not a date", arguments: ["audit", "log", "--since", "last tuesday"], status: 64, says: "--since"),
        Case(name: "import file missing", arguments: ["person", "import", "missing.csv"], status: 65, says: "missing.csv"),
        Case(name: "checkpoint file missing", arguments: ["audit", "verify", "--checkpoint", "missing.json"], status: 65, says: "missing.json"),
        Case(name: "CSV with an unbalanced quote", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name\nan,\"Nguyễn Văn An\nbinh,Bình\n")), status: 65, says: "p.csv:2: ", lines: 2),
        Case(name: "CSV that is not UTF-8", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name\nan,") + [0xC3, 0x28] + csv("\n")), status: 65, says: "UTF-8", lines: 2),
        Case(name: "CSV with an unknown column", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name,salary\nan,An,1000\n")), status: 65, says: "salary: unknown column", lines: 2),
        Case(name: "CSV without a login column", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("name\nAn\n")), status: 65, says: "login: required column missing", lines: 2),
        Case(name: "CSV row with too many fields", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name\nan,An\nbinh,Bình,extra\n")), status: 65, says: "p.csv:3: has 3 fields", lines: 2),
        Case(name: "CSV with a login twice", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name\nan,An\nan,An Hai\n")), status: 65, says: "p.csv:3: login: an already appears on line 2", lines: 2),
        Case(name: "CSV with a bad e-mail on row 3", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name,email\nan,An,an@x.vn\nbinh,Bình,binh@@x.vn\n")), status: 65, says: "p.csv:3: email: invalid e-mail", lines: 2),
        Case(name: "CSV with a NUL in a name", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name\nan,An") + [0] + csv("Nguyen\n")), status: 65, says: "NUL", lines: 2),
        Case(name: "CSV with a 1 MB name", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name\nan,\(megabyteName)\n")), status: 65, says: "p.csv:2: name", lines: 2),
        Case(name: "CSV naming an unknown unit", arguments: ["person", "import", "p.csv"],
             file: ("p.csv", csv("login,name,unit\nan,An,IT\nbinh,Bình,NOPE\n")), status: 65, says: "p.csv:3: unit", lines: 2),
    ]

    static func snapshot(_ workspace: Workspace) throws -> String {
        try workspace.sqlite(".dump").stdout
    }

    @Test(arguments: cases)
    func isRefusedWithOneLineAndNothingWritten(_ testCase: Case) throws {
        let workspace = try Workspace.populated()
        if let (name, bytes) = testCase.file {
            try Data(bytes).write(to: URL(fileURLWithPath: workspace.folder + "/" + name))
        }
        let before = try Self.snapshot(workspace)
        let run = try workspace.dirctl(testCase.arguments)
        #expect(run.status == testCase.status, "\(testCase.name): exit \(run.status), stderr: \(run.stderr.prefix(300))")
        #expect(run.stderr.contains(testCase.says), "\(testCase.name): \(run.stderr.prefix(300))")
        let lines = run.stderr.split(separator: "\n")
        #expect(!lines.isEmpty && lines.count <= testCase.lines, "\(testCase.name): \(lines.count) lines")
        #expect(lines.allSatisfy { $0.utf8.count < 400 }, "\(testCase.name): an error line is too long to read")
        #expect(try Self.snapshot(workspace) == before, "\(testCase.name) changed the database")
    }

    @Test(arguments: [
        ("database:\n  pathh: x.sqlite\n", "switchboard.yaml:2: database.pathh: unknown key"),
        ("database:\n  busy_timeout_ms: soon\n", "switchboard.yaml:2: database.busy_timeout_ms: expected a whole number"),
        ("locale:\n  time_zone: Mars/Olympus\n", "switchboard.yaml:2: locale.time_zone"),
        ("database: [unclosed\n", "not valid YAML"),
    ])
    func aBadConfigNamesFileLineAndKey(yaml: String, says: String) throws {
        let workspace = try Workspace()
        try yaml.write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let run = try workspace.dirctl("doctor")
        #expect(run.status == 78)
        #expect(run.stderr.contains(says), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}
