import Foundation
import SwitchboardTestSupport
import Testing

/// Every mutating command, run by every role: done, or refused with 77 and the refusal audited.
@Suite struct PermissionTests {
    /// A mutating command, its arguments, and the roles allowed to run it.
    struct Case: CustomStringConvertible, Sendable {
        var arguments: [String]
        var allowed: Set<String>
        var description: String { arguments.joined(separator: " ") }
    }

    static let directoryWriters: Set<String> = ["admin", "helpdesk"]

    /// Each case runs in a fresh directory, so one case cannot change another's outcome.
    static let cases: [Case] = [
        Case(arguments: ["unit", "add", "NEW", "--name", "Mới"], allowed: directoryWriters),
        Case(arguments: ["unit", "rename", "IT", "--name", "CNTT"], allowed: directoryWriters),
        Case(arguments: ["unit", "move", "SUB", "--top"], allowed: directoryWriters),
        Case(arguments: ["unit", "remove", "EMPTY"], allowed: directoryWriters),
        Case(arguments: ["person", "add", "newbie", "--name", "Người Mới"], allowed: directoryWriters),
        Case(arguments: ["person", "add", "boss", "--name", "Sếp", "--role", "admin"], allowed: ["admin"]),
        Case(arguments: ["person", "update", "target", "--title", "Chuyên viên"], allowed: directoryWriters),
        Case(arguments: ["person", "set-role", "target", "auditor"], allowed: ["admin"]),
        Case(arguments: ["person", "suspend", "target"], allowed: directoryWriters),
        Case(arguments: ["person", "restore", "sleeper"], allowed: directoryWriters),
        Case(arguments: ["person", "depart", "target"], allowed: directoryWriters),
        Case(arguments: ["person", "purge"], allowed: ["admin"]),
        Case(arguments: ["person", "import", "people.csv"], allowed: directoryWriters),
        Case(arguments: ["person", "export"], allowed: directoryWriters),
        Case(arguments: ["group", "add", "new-group"], allowed: directoryWriters),
        Case(arguments: ["group", "remove", "team"], allowed: directoryWriters),
        Case(arguments: ["group", "member", "add", "team", "--person", "target"], allowed: directoryWriters),
        Case(arguments: ["group", "member", "remove", "team", "--person", "member"], allowed: directoryWriters),
        Case(arguments: ["room", "add", "Phòng B", "--kind", "physical"], allowed: directoryWriters),
        Case(arguments: ["room", "update", "Phòng A", "--capacity", "9"], allowed: directoryWriters),
        Case(arguments: ["audit", "keygen"], allowed: ["admin"]),
        Case(arguments: ["audit", "checkpoint"], allowed: ["admin", "auditor"]),
        Case(arguments: ["audit", "export"], allowed: ["admin", "auditor"]),
        Case(arguments: ["backup", "copy.sqlite"], allowed: ["admin"]),
    ]

    static func prepared() throws -> Workspace {
        let workspace = try Workspace.populated()
        try workspace.expectOK("unit", "add", "SUB", "--name", "Phòng con", "--parent", "IT")
        try workspace.expectOK("unit", "add", "EMPTY", "--name", "Trống")
        for login in ["target", "sleeper", "member"] { try workspace.expectOK("person", "add", login, "--name", "Người \(login)") }
        try workspace.expectOK("person", "suspend", "sleeper")
        try workspace.expectOK("group", "add", "team")
        try workspace.expectOK("group", "member", "add", "team", "--person", "member")
        try workspace.expectOK("room", "add", "Phòng A", "--kind", "physical")
        try "login,name\nfromcsv,Người Nhập\n".write(toFile: workspace.folder + "/people.csv", atomically: true, encoding: .utf8)
        // keygen needs no key yet; checkpoint needs one: make it with admin-only file paths apart.
        try workspace.expectOK("audit", "keygen")
        try FileManager.default.removeItem(atPath: workspace.folder + "/audit.key")
        try FileManager.default.removeItem(atPath: workspace.folder + "/audit.pub")
        return workspace
    }

    @Test(arguments: cases)
    func eachRoleIsAllowedOrRefusedAndAudited(_ testCase: Case) throws {
        for (login, role) in [("ad", "admin"), ("hd", "helpdesk"), ("st", "staff"), ("au", "auditor")] {
            let workspace = try Self.prepared()
            if testCase.arguments.first == "audit", testCase.arguments[1] == "checkpoint" {
                try workspace.expectOK("audit", "keygen")
            }
            let deniedBefore = try workspace.scalar("SELECT count(*) FROM audit_event WHERE outcome = 'denied'")
            let run = try workspace.dirctl(testCase.arguments + ["--as", login])
            if testCase.allowed.contains(role) {
                #expect(run.status == 0, "\(role) should be able to run \(testCase): \(run.stderr)")
            } else {
                #expect(run.status == 77, "\(role) should be refused \(testCase), got \(run.status): \(run.stderr)")
                #expect(run.stderr.contains("permission denied"))
                let denied = try workspace.scalar("SELECT count(*) FROM audit_event WHERE outcome = 'denied' AND actor = '\(login)' AND os_user = 'root'")
                #expect(Int(denied) == Int(deniedBefore)! + 1, "the refusal of \(testCase) for \(role) was not audited")
            }
        }
    }

    @Test func everyoneMayReadTheDirectoryButOnlyAuditorsAndAdminsTheLog() throws {
        let workspace = try Workspace.populated()
        for login in ["ad", "hd", "st", "au"] {
            #expect(try workspace.dirctl("person", "list", "--as", login).status == 0)
            let log = try workspace.dirctl("audit", "log", "--as", login)
            #expect(log.status == (["ad", "au"].contains(login) ? 0 : 77), "\(login) audit log: \(log.status)")
        }
    }

    @Test func unknownAndSuspendedActorsAreRefusedAndAudited() throws {
        let workspace = try Workspace.populated()
        let unknown = try workspace.dirctl("person", "list", "--as", "nobody")
        #expect(unknown.status == 77)
        #expect(unknown.stderr.contains("no person with login"))
        try workspace.expectOK("person", "suspend", "hd")
        let suspended = try workspace.dirctl("person", "list", "--as", "hd")
        #expect(suspended.status == 77)
        #expect(suspended.stderr.contains("suspended"))
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event WHERE action = 'session.resolve' AND outcome = 'denied'") == "2")
    }

    @Test func theLastAdminCannotBeRemoved() throws {
        let workspace = try Workspace()
        try workspace.expectOK("init", "--admin", "root", "--name", "Quản trị")
        let run = try workspace.dirctl("person", "set-role", "root", "staff")
        #expect(run.status == 1)
        #expect(run.stderr.contains("last active admin"))
    }
}
