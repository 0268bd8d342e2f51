import Foundation
import SwitchboardTestSupport
import Testing

/// Every mutating command, run by every role: done, or refused with 77 and the refusal audited.
@Suite struct PermissionTests {
    /// A mutating command, its arguments, the roles allowed to run it, and what shows it was done.
    struct Case: CustomStringConvertible, Sendable {
        var arguments: [String]
        var allowed: Set<String>
        /// The audit action of the change (and of its refusal).
        var action: String
        /// SQL whose value shows the change, and that value afterwards when allowed.
        var check: String?
        var expect = ""
        /// A file the command writes when allowed, and must not when refused.
        var file: String?
        /// Events a done command adds (an import adds one per person too; an export none).
        var events = 1
        /// The action a refusal is recorded under, when not `action` (giving a role is person.set-role).
        var refusedAs: String?
        var description: String { arguments.joined(separator: " ") }
    }

    static let directoryWriters: Set<String> = ["admin", "helpdesk"]

    static func person(_ column: String, _ login: String) -> String { "SELECT \(column) FROM person WHERE login = '\(login)'" }

    /// Each case runs in a fresh directory, so one case cannot change another's outcome.
    static let cases: [Case] = [
        Case(arguments: ["unit", "add", "NEW", "--name", "Mới"], allowed: directoryWriters, action: "unit.add",
             check: "SELECT name FROM unit WHERE code = 'NEW'", expect: "Mới"),
        Case(arguments: ["unit", "rename", "IT", "--name", "CNTT"], allowed: directoryWriters, action: "unit.rename",
             check: "SELECT name FROM unit WHERE code = 'IT'", expect: "CNTT"),
        Case(arguments: ["unit", "move", "SUB", "--top"], allowed: directoryWriters, action: "unit.move",
             check: "SELECT parent_id IS NULL FROM unit WHERE code = 'SUB'", expect: "1"),
        Case(arguments: ["unit", "remove", "EMPTY"], allowed: directoryWriters, action: "unit.remove",
             check: "SELECT count(*) FROM unit WHERE code = 'EMPTY'", expect: "0"),
        Case(arguments: ["person", "add", "newbie", "--name", "Người Mới"], allowed: directoryWriters, action: "person.add",
             check: person("display_name || '|' || role", "newbie"), expect: "Người Mới|staff"),
        Case(arguments: ["person", "add", "boss", "--name", "Sếp", "--role", "admin"], allowed: ["admin"], action: "person.add",
             check: person("role", "boss"), expect: "admin", refusedAs: "person.set-role"),
        Case(arguments: ["person", "update", "target", "--title", "Chuyên viên"], allowed: directoryWriters, action: "person.update",
             check: person("title", "target"), expect: "Chuyên viên"),
        Case(arguments: ["person", "set-role", "target", "auditor"], allowed: ["admin"], action: "person.set-role",
             check: person("role", "target"), expect: "auditor"),
        Case(arguments: ["person", "suspend", "target"], allowed: directoryWriters, action: "person.suspend",
             check: person("status", "target"), expect: "suspended"),
        Case(arguments: ["person", "restore", "sleeper"], allowed: directoryWriters, action: "person.restore",
             check: person("status", "sleeper"), expect: "active"),
        Case(arguments: ["person", "depart", "target"], allowed: directoryWriters, action: "person.depart",
             check: person("status", "target"), expect: "departed"),
        Case(arguments: ["person", "purge"], allowed: ["admin"], action: "person.purge",
             check: person("status || '|' || display_name", "leaver"), expect: "purged|[purged]"),
        Case(arguments: ["person", "import", "people.csv"], allowed: directoryWriters, action: "person.import",
             check: person("display_name", "fromcsv"), expect: "Người Nhập", events: 2),
        Case(arguments: ["person", "export", "--output", "people-out.csv"], allowed: directoryWriters, action: "person.export",
             file: "people-out.csv", events: 0),
        Case(arguments: ["group", "add", "new-group"], allowed: directoryWriters, action: "group.add",
             check: "SELECT count(*) FROM directory_group WHERE name = 'new-group'", expect: "1"),
        Case(arguments: ["group", "remove", "team"], allowed: directoryWriters, action: "group.remove",
             check: "SELECT count(*) FROM directory_group WHERE name = 'team'", expect: "0"),
        Case(arguments: ["group", "member", "add", "team", "--person", "target"], allowed: directoryWriters, action: "group.member-add",
             check: "SELECT count(*) FROM group_member m JOIN person p ON p.id = m.person_id WHERE p.login = 'target'", expect: "1"),
        Case(arguments: ["group", "member", "remove", "team", "--person", "member"], allowed: directoryWriters, action: "group.member-remove",
             check: "SELECT count(*) FROM group_member m JOIN person p ON p.id = m.person_id WHERE p.login = 'member'", expect: "0"),
        Case(arguments: ["room", "add", "Phòng B", "--kind", "physical"], allowed: directoryWriters, action: "room.add",
             check: "SELECT kind FROM room WHERE name = 'Phòng B'", expect: "physical"),
        Case(arguments: ["room", "update", "Phòng A", "--capacity", "9"], allowed: directoryWriters, action: "room.update",
             check: "SELECT capacity FROM room WHERE name = 'Phòng A'", expect: "9"),
        Case(arguments: ["audit", "keygen"], allowed: ["admin"], action: "audit.keygen", file: "keys/audit.key"),
        Case(arguments: ["audit", "checkpoint", "--output", "checkpoint.json"], allowed: ["admin", "auditor"], action: "audit.checkpoint",
             check: "SELECT count(*) FROM audit_checkpoint", expect: "1", file: "checkpoint.json"),
        Case(arguments: ["audit", "export", "--output", "audit.jsonl"], allowed: ["admin", "auditor"], action: "audit.export", file: "audit.jsonl"),
        Case(arguments: ["backup", "copy.sqlite"], allowed: ["admin"], action: "database.backup", file: "copy.sqlite"),
        // The backup (made just before, see below) lacks its own event: restored, the log has none.
        Case(arguments: ["restore", "before.sqlite"], allowed: ["admin"], action: "database.restore",
             check: "SELECT count(*) FROM audit_event WHERE action = 'database.backup'", expect: "0"),
    ]

    static func prepared() throws -> Workspace {
        let workspace = try Workspace.populated(sections: "directory:\n  departed_retention_days: 0")
        try workspace.expectOK("unit", "add", "SUB", "--name", "Phòng con", "--parent", "IT")
        try workspace.expectOK("unit", "add", "EMPTY", "--name", "Trống")
        for login in ["target", "sleeper", "member", "leaver"] { try workspace.expectOK("person", "add", login, "--name", "Người \(login)") }
        try workspace.expectOK("person", "suspend", "sleeper")
        try workspace.expectOK("person", "depart", "leaver")
        try workspace.expectOK("group", "add", "team")
        try workspace.expectOK("group", "member", "add", "team", "--person", "member")
        try workspace.expectOK("room", "add", "Phòng A", "--kind", "physical")
        try "login,name\nfromcsv,Người Nhập\n".write(toFile: workspace.folder + "/people.csv", atomically: true, encoding: .utf8)
        // keygen needs no key yet; checkpoint needs one: make it with admin-only file paths apart.
        try workspace.expectOK("audit", "keygen")
        try FileManager.default.removeItem(atPath: workspace.folder + "/keys/audit.key")
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
            if testCase.arguments.first == "restore" {
                try workspace.expectOK("backup", workspace.folder + "/before.sqlite")
            }
            let said = "\(role) \(testCase)"
            let before = try workspace.dump()
            let done = "actor = '\(login)' AND outcome <> 'denied'"
            let run = try workspace.dirctl(testCase.arguments + ["--as", login])
            let file = testCase.file.map { workspace.folder + "/" + $0 }
            if testCase.allowed.contains(role) {
                #expect(run.status == 0, "\(role) should be able to run \(testCase): \(run.stderr)")
                if let check = testCase.check {
                    #expect(try workspace.scalar(check) == testCase.expect, "\(said) did not make its change")
                }
                if let file { #expect(FileManager.default.fileExists(atPath: file), "\(said) did not write \(file)") }
                // Its own events and no others: the acting person, as root, with the action's name.
                let events = try workspace.scalar("SELECT group_concat(action || ' ' || outcome || ' ' || os_user, ', ') FROM audit_event WHERE \(done)")
                let mine = testCase.events == 0 ? "" : "\(testCase.action) ok root"
                if testCase.events == 2 {
                    #expect(events.hasSuffix(mine) && events.components(separatedBy: ", ").count == 2, "\(said) recorded: \(events)")
                } else {
                    #expect(events == mine, "\(said) recorded: \(events)")
                }
                #expect(try workspace.scalar("SELECT count(*) FROM audit_event WHERE outcome = 'denied'") == "0")
            } else {
                #expect(run.status == 77, "\(role) should be refused \(testCase), got \(run.status): \(run.stderr)")
                #expect(run.stderr.contains("permission denied"))
                // The database is as before but for the one denial, of this action, by this person, as root.
                let after = try workspace.dump()
                let added = Set(after.split(separator: "\n")).subtracting(before.split(separator: "\n"))
                let removed = Set(before.split(separator: "\n")).subtracting(after.split(separator: "\n"))
                #expect(removed.isEmpty, "the refused \(testCase) for \(role) removed \(removed)")
                #expect(added.count == 1 && added.first?.hasPrefix("INSERT INTO audit_event VALUES(") == true, "the refused \(said) changed: \(added)")
                let denial = try workspace.scalar("SELECT actor || ' ' || os_user || ' ' || action FROM audit_event WHERE outcome = 'denied'")
                #expect(denial == "\(login) root \(testCase.refusedAs ?? testCase.action)", "the refusal of \(testCase) for \(role) was not audited: \(denial)")
                if let file { #expect(!FileManager.default.fileExists(atPath: file), "the refused \(said) wrote \(file)") }
                #expect(run.stdout.isEmpty, "the refused \(said) printed: \(run.stdout.prefix(200))")
            }
        }
    }

    @Test func everyMutatingCommandHasACase() throws {
        let reads: Set<[String]> = [["unit", "list"], ["person", "show"], ["person", "list"], ["person", "search"], ["group", "list"],
                                    ["group", "show"], ["group", "expand"], ["room", "list"], ["room", "show"], ["audit", "log"],
                                    ["audit", "verify"], ["doctor"], ["init"]]
        let leaves = try CommandHelp.leaves("dirctl").map(\.path)
        #expect(leaves.count == 37)
        for leaf in leaves where !reads.contains(leaf) {
            #expect(Self.cases.contains { Array($0.arguments.prefix(leaf.count)) == leaf }, "no permission case for dirctl \(leaf.joined(separator: " "))")
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

    @Test func rootActingAsSomeoneIsRecordedAsBothAndGetsTheirRights() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", "newbie", "--name", "Người Mới", "--as", "hd")
        #expect(try workspace.scalar("SELECT actor || ' ' || os_user || ' ' || role FROM audit_event WHERE target = 'person:newbie'")
                == "hd root helpdesk")
        #expect(try workspace.expectOK("person", "show", "newbie", "--as", "st").stdout.contains("Người Mới"))
        // The rights are the acted-for person's, not root's: helpdesk may not give roles.
        let refused = try workspace.dirctl("person", "set-role", "newbie", "admin", "--as", "hd")
        #expect(refused.status == 77)
        #expect(try workspace.scalar("SELECT role FROM person WHERE login = 'newbie'") == "staff")
        // Without --as, root acts as the directory's root.
        try workspace.expectOK("room", "add", "Phòng R", "--kind", "virtual")
        #expect(try workspace.scalar("SELECT actor || ' ' || os_user FROM audit_event WHERE target = 'room:Phòng R'") == "root root")
    }

    @Test func onlyRootMayActForSomeoneElse() throws {
        let workspace = try Workspace.populated()
        // Let the unprivileged user reach the database, so the refusal is the policy's and not the file's.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: workspace.folder)
        for file in try FileManager.default.contentsOfDirectory(atPath: workspace.folder) {
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: workspace.folder + "/" + file)
        }
        let before = try workspace.dump()
        func asNobody(_ arguments: String...) throws -> Run {
            try Workspace.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Workspace.products + "/dirctl"]
                              + arguments + ["--config", workspace.config], in: workspace.folder)
        }
        let run = try asNobody("person", "add", "sneaky", "--name", "Lén Lút", "--as", "ad")
        #expect(run.status == 77, "\(run.status): \(run.stderr)")
        #expect(run.stderr.contains("only root may use --as"), "\(run.stderr)")
        // Nothing changed but the one denial, which names both the OS user and whom it tried to act for.
        let added = Set(try workspace.dump().split(separator: "\n")).subtracting(before.split(separator: "\n"))
        #expect(added.count == 1 && added.first?.hasPrefix("INSERT INTO audit_event VALUES(") == true, "\(added)")
        #expect(try workspace.scalar("SELECT actor || ' ' || os_user || ' ' || action || ' ' || target || ' ' || outcome FROM audit_event ORDER BY seq DESC LIMIT 1")
                == "ad nobody session.as person:ad denied")
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login = 'sneaky'") == "0")
        // Even a read is refused with --as; without it, nobody is simply not in the directory.
        #expect(try asNobody("person", "list", "--as", "st").status == 77)
        let plain = try asNobody("person", "list")
        #expect(plain.status == 77)
        #expect(plain.stderr.contains("no person with login \"nobody\""))
    }

    @Test func theLastAdminCannotBeRemoved() throws {
        let workspace = try Workspace()
        try workspace.expectOK("init", "--admin", "root", "--name", "Quản trị")
        let run = try workspace.dirctl("person", "set-role", "root", "staff")
        #expect(run.status == 1)
        #expect(run.stderr.contains("last active admin"))
    }
}
