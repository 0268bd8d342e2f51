import Foundation
import SwitchboardTestSupport
import Testing

/// Every mutating command of `dirctl` and `mailctl`, run through the built binaries, adds exactly
/// its own audit event(s) and changes what it says; read commands add none and change nothing.
///
/// This is the funnel's contract seen from outside: a command that wrote to the database without
/// going through `Session` would change rows with no event (or with another command's event).
@Suite struct AuditFunnelTests {
    /// One command line and what the audit log must gain from it, in order ("action target").
    struct Step: CustomStringConvertible {
        var tool: String
        var arguments: [String]
        var events: [String]
        var stdin: String?
        /// False for commands whose whole effect is outside the directory tables (a checkpoint, a backup).
        var changesData = true
        /// For a restore: the backup, whose newest seq the restored log continues from.
        var restoring: String?

        var description: String { "\(tool) \(arguments.joined(separator: " "))" }
    }

    static func dirctl(_ arguments: [String], _ events: [String], changesData: Bool = true) -> Step {
        Step(tool: "dirctl", arguments: arguments, events: events, changesData: changesData)
    }

    static func mailctl(_ arguments: [String], _ events: [String], stdin: String? = nil) -> Step {
        Step(tool: "mailctl", arguments: arguments, events: events, stdin: stdin)
    }

    @Test func everyMutatingCommandAddsExactlyItsOwnEvents() throws {
        let workspace = try Workspace.populated()
        let csv = workspace.folder + "/people.csv"
        try "login,name,unit\nimp.a,Nhập A,IT\nimp.b,Nhập B,IT\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let password = "Ca-phe-sua-da-2026!\n"
        let steps: [Step] = [
            Self.dirctl(["unit", "add", "NET", "--name", "Mạng", "--parent", "IT"], ["unit.add unit:NET"]),
            Self.dirctl(["unit", "rename", "NET", "--name", "Hạ tầng mạng"], ["unit.rename unit:NET"]),
            Self.dirctl(["unit", "move", "NET", "--top"], ["unit.move unit:NET"]),
            Self.dirctl(["person", "add", "an", "--name", "Nguyễn Văn An", "--unit", "NET"], ["person.add person:an"]),
            Self.dirctl(["person", "update", "an", "--title", "Kỹ sư"], ["person.update person:an"]),
            Self.dirctl(["person", "set-role", "an", "helpdesk"], ["person.set-role person:an"]),
            Self.dirctl(["person", "suspend", "an"], ["person.suspend person:an"]),
            Self.dirctl(["person", "restore", "an"], ["person.restore person:an"]),
            Self.dirctl(["person", "import", csv], ["person.add person:imp.a", "person.add person:imp.b", "person.import import:people.csv"]),
            Self.dirctl(["group", "add", "net-team", "--description", "Nhóm mạng"], ["group.add group:net-team"]),
            Self.dirctl(["group", "member", "add", "net-team", "--person", "an"], ["group.member-add group:net-team"]),
            Self.dirctl(["room", "add", "P101", "--kind", "physical", "--capacity", "12", "--location", "Tầng 1"], ["room.add room:P101"]),
            Self.dirctl(["room", "update", "P101", "--capacity", "20"], ["room.update room:P101"]),
            Self.mailctl(["domain", "add", "funnel.test"], ["mail.domain.add mail-domain:funnel.test"]),
            Self.mailctl(["account", "create", "an@funnel.test", "--person", "an", "--password-stdin"],
                         ["mail.account.create mailbox:an@funnel.test"], stdin: password),
            Self.mailctl(["account", "create", "it@funnel.test", "--name", "IT", "--password-stdin"],
                         ["mail.account.create mailbox:it@funnel.test"], stdin: password),
            Self.mailctl(["account", "disable-login", "an@funnel.test"], ["mail.account.disable-login mailbox:an@funnel.test"]),
            Self.mailctl(["account", "suspend", "an@funnel.test"], ["mail.account.suspend mailbox:an@funnel.test"]),
            Self.mailctl(["account", "enable", "an@funnel.test"], ["mail.account.enable mailbox:an@funnel.test"]),
            Self.mailctl(["account", "reset-password", "an@funnel.test", "--password-stdin"],
                         ["mail.account.reset-password mailbox:an@funnel.test"], stdin: "Tra-da-via-he-2026!\n"),
            Self.mailctl(["password", "--as", "an", "--password-stdin"], ["mail.account.password mailbox:an@funnel.test"],
                         stdin: "Tra-da-via-he-2026!\nBanh-mi-pate-2026!\n"),
            Self.mailctl(["account", "set-quota", "an@funnel.test", "500"], ["mail.account.set-quota mailbox:an@funnel.test"]),
            Self.mailctl(["alias", "add", "info@funnel.test", "it@funnel.test"], ["mail.alias.add mail-alias:info@funnel.test"]),
            Self.mailctl(["alias", "remove", "info@funnel.test"], ["mail.alias.remove mail-alias:info@funnel.test"]),
            Self.mailctl(["group", "publish", "net-team", "--address", "net@funnel.test"], ["mail.group.publish mail-list:net@funnel.test"]),
            Self.mailctl(["group", "unpublish", "net@funnel.test"], ["mail.group.unpublish mail-list:net@funnel.test"]),
            Self.mailctl(["account", "rename", "it@funnel.test", "helpdesk@funnel.test"], ["mail.account.rename mailbox:it@funnel.test"]),
            Self.mailctl(["account", "delete", "helpdesk@funnel.test"], ["mail.account.delete mailbox:helpdesk@funnel.test"]),
            Self.mailctl(["domain", "disable", "funnel.test"], ["mail.domain.disable mail-domain:funnel.test"]),
            Self.mailctl(["domain", "enable", "funnel.test"], ["mail.domain.enable mail-domain:funnel.test"]),
            Self.dirctl(["group", "member", "remove", "net-team", "--person", "an"], ["group.member-remove group:net-team"]),
            Self.dirctl(["group", "remove", "net-team"], ["group.remove group:net-team"]),
            Self.dirctl(["person", "depart", "imp.b", "--reason", "chuyển công tác"], ["person.depart person:imp.b"]),
            Self.dirctl(["audit", "keygen"], ["audit.keygen audit:key"], changesData: false),
            Self.dirctl(["audit", "checkpoint"], ["audit.checkpoint audit"], changesData: false),
            Self.dirctl(["backup", workspace.folder + "/copy.sqlite"], ["database.backup database"], changesData: false),
            Step(tool: "dirctl", arguments: ["restore", workspace.folder + "/copy.sqlite"], events: ["database.restore database"],
                 changesData: false, restoring: workspace.folder + "/copy.sqlite"),
        ]
        for step in steps {
            let before = try step.restoring.map { Int(try SQLite.scalar($0, "SELECT max(seq) FROM audit_event")) ?? -1 } ?? lastSeq(workspace)
            let dataBefore = try directoryDump(workspace)
            let run = try Self.run(step, in: workspace)
            #expect(run.status == 0, "\(step) failed: \(run.stderr)")
            let events = try workspace.sqlite("SELECT action || ' ' || target FROM audit_event WHERE seq > \(before) ORDER BY seq").stdout
                .split(separator: "\n").map(String.init)
            #expect(events == step.events, "\(step) recorded \(events), expected \(step.events)")
            let outcomes = try workspace.scalar("SELECT group_concat(DISTINCT outcome) FROM audit_event WHERE seq > \(before)")
            #expect(outcomes == "ok", "\(step) recorded outcomes \(outcomes)")
            if step.changesData {
                #expect(try directoryDump(workspace) != dataBefore, "\(step) recorded an event but changed no row")
            }
        }
        #expect(try workspace.dirctl("audit", "verify").status == 0)
    }

    @Test func readCommandsAddNoEventAndChangeNothing() throws {
        let workspace = try Workspace.populated()
        let reads: [Step] = [
            Self.dirctl(["unit", "list"], []), Self.dirctl(["person", "list"], []), Self.dirctl(["person", "show", "hd"], []),
            Self.dirctl(["person", "search", "Người"], []), Self.dirctl(["group", "list"], []), Self.dirctl(["room", "list"], []),
            Self.dirctl(["audit", "log"], []), Self.dirctl(["audit", "verify", "--no-signatures"], []), Self.dirctl(["doctor"], []),
            Self.mailctl(["domain", "list"], []), Self.mailctl(["account", "list"], []), Self.mailctl(["alias", "list"], []),
        ]
        for step in reads {
            let before = try lastSeq(workspace)
            let dataBefore = try directoryDump(workspace)
            let run = try Self.run(step, in: workspace)
            #expect(run.status == 0, "\(step) failed: \(run.stderr)")
            #expect(try lastSeq(workspace) == before, "\(step) wrote an audit event")
            #expect(try directoryDump(workspace) == dataBefore, "\(step) changed the database")
        }
    }

    @Test func aRefusedCommandAddsOnlyItsDenialAndChangesNothing() throws {
        let workspace = try Workspace.populated()
        let before = try lastSeq(workspace)
        let dataBefore = try directoryDump(workspace)
        let run = try workspace.dirctl(["unit", "add", "X", "--name", "X", "--as", "st"])
        #expect(run.status == 77)
        let events = try workspace.sqlite("SELECT action || ' ' || target || ' ' || outcome FROM audit_event WHERE seq > \(before)").stdout
        #expect(events.trimmingCharacters(in: .whitespacesAndNewlines) == "unit.add unit:X denied")
        #expect(try directoryDump(workspace) == dataBefore)
    }

    static func run(_ step: Step, in workspace: Workspace) throws -> CommandRun {
        try ProcessRunner.run(Workspace.products + "/" + step.tool, step.arguments + ["--config", workspace.config],
                              in: workspace.folder, stdin: step.stdin)
    }

    func lastSeq(_ workspace: Workspace) throws -> Int {
        let text = try workspace.scalar("SELECT coalesce(max(seq), 0) FROM audit_event")
        return try #require(Int(text), "no audit seq in \(text)")
    }

    /// Every row of every table except the audit log's own, as SQL text.
    func directoryDump(_ workspace: Workspace) throws -> String {
        let dump = try workspace.sqlite(".dump").stdout
        return dump.split(separator: "\n").filter { !$0.contains("INSERT INTO audit_") && !$0.contains("INSERT INTO \"audit_") }
            .joined(separator: "\n")
    }
}

@Suite struct ExportFileTests {
    @Test func personExportWritesAnOwnerOnlyFileAndRefusesAPlantedLink() throws {
        let workspace = try Workspace.populated()
        let output = workspace.folder + "/people.csv"
        try workspace.expectOK("person", "export", "--output", output)
        #expect(try String(contentsOfFile: output, encoding: .utf8).hasPrefix("login,"))
        let mode = try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let victim = workspace.folder + "/victim.txt"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        let link = workspace.folder + "/planted.csv"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        let run = try workspace.dirctl("person", "export", "--output", link)
        #expect(run.status == 65)
        #expect(run.stderr.contains("symbolic link"))
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }
}
