import Foundation
import SwitchboardTestSupport
import Testing

/// The command line as a helpdesk operator types it (issue 8, points 5 and 6): repeated options
/// apply every value or are refused, global options go anywhere, `--version`, "did you mean".
@Suite struct CommandLineTests {
    static var dirctl: String { Workspace.products + "/dirctl" }
    static var mailctl: String { Workspace.products + "/mailctl" }

    func events(_ workspace: Workspace, action: String) throws -> Int {
        Int(try workspace.scalar("SELECT count(*) FROM audit_event WHERE action = '\(action)'")) ?? -1
    }

    func members(_ workspace: Workspace, group: String) throws -> String {
        try workspace.scalar("""
            SELECT group_concat(p.login, ',') FROM (SELECT p.login FROM group_member m JOIN person p ON p.id = m.person_id
            JOIN directory_group g ON g.id = m.group_id WHERE g.name = '\(group)' ORDER BY p.login) p
            """)
    }

    @Test func aRepeatedPersonAddsEveryOneAndARepeatedAddRecordsNothing() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("group", "add", "it-center")
        let added = try workspace.expectOK("group", "member", "add", "it-center", "--person", "st", "--person", "hd")
        #expect(added.stdout.contains("person:st") && added.stdout.contains("person:hd"), "the output names who was added: \(added.stdout)")
        #expect(try members(workspace, group: "it-center") == "hd,st")
        #expect(try events(workspace, action: "group.member-add") == 2, "one event per member added")

        // Already a member: said so, exit 0, no second event.
        let again = try workspace.expectOK("group", "member", "add", "it-center", "--person", "st")
        #expect(again.stdout.contains("Already in it-center") && again.stdout.contains("person:st"), "\(again.stdout)")
        #expect(!again.stdout.contains("Added"), "\(again.stdout)")
        #expect(try events(workspace, action: "group.member-add") == 2)

        // One new and one existing: only the new one is added and recorded.
        let mixed = try workspace.expectOK("group", "member", "add", "it-center", "--person", "st", "--person", "au")
        #expect(mixed.stdout.contains("Added to it-center: person:au") && mixed.stdout.contains("Already in it-center, nothing recorded: person:st"), "\(mixed.stdout)")
        #expect(try events(workspace, action: "group.member-add") == 3)

        // All or nothing: an unknown login adds nobody.
        try workspace.expectOK("group", "add", "other")
        let refused = try workspace.dirctl("group", "member", "add", "other", "--person", "st", "--person", "nobody")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("nobody"), "\(refused.stderr)")
        #expect(try members(workspace, group: "other") == "")
        #expect(try events(workspace, action: "group.member-add") == 3)

        // Removing several: one event each.
        let removed = try workspace.expectOK("group", "member", "remove", "it-center", "--person", "st", "--person", "au")
        #expect(removed.stdout.contains("person:st") && removed.stdout.contains("person:au"), "\(removed.stdout)")
        #expect(try members(workspace, group: "it-center") == "hd")
        #expect(try events(workspace, action: "group.member-remove") == 2)
    }

    @Test func aRepeatedSingleValueOptionIsRefusedAndChangesNothing() throws {
        let workspace = try Workspace.populated()
        let before = try workspace.dump()
        let run = try workspace.dirctl("person", "add", "an", "--name", "An", "--name", "Bình")
        #expect(run.status == 64)
        #expect(run.stderr.contains("--name was given 2 times"), "\(run.stderr)")
        #expect(try workspace.dump() == before)
        // `--opt=value` counts too; a repeatable option (--checkpoint) is not refused.
        let equals = try workspace.dirctl("person", "add", "an", "--name=An", "--unit", "IT", "--unit=IT")
        #expect(equals.status == 64 && equals.stderr.contains("--unit was given 2 times"), "\(equals.stderr)")
        let repeatable = try workspace.dirctl("audit", "verify", "--checkpoint", "/nonexistent/a", "--checkpoint", "/nonexistent/b")
        #expect(!repeatable.stderr.contains("was given 2 times"), "\(repeatable.stderr)")
    }

    @Test func aPipedPasswordWithoutPasswordStdinIsRefused() throws {
        let workspace = try Workspace.populated()
        _ = try ProcessRunner.run(Self.mailctl, ["domain", "add", "pipe.test", "--config", workspace.config], in: workspace.folder)
        let before = try workspace.dump()
        let piped = try ProcessRunner.run(Self.mailctl, ["account", "create", "st@pipe.test", "--person", "st", "--config", workspace.config],
                                          in: workspace.folder, stdin: "Ca-phe-sua-da-2026!\n")
        #expect(piped.status == 64)
        #expect(piped.stderr.contains("add --password-stdin"), "\(piped.stderr)")
        #expect(!piped.stdout.contains("Password for"), "no password was generated: \(piped.stdout)")
        #expect(try workspace.dump() == before)
        // Nothing on standard input: a password is generated, as before.
        let empty = try ProcessRunner.run(Self.mailctl, ["account", "create", "st@pipe.test", "--person", "st", "--config", workspace.config],
                                          in: workspace.folder, stdin: "")
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.contains("Password for st@pipe.test"))
        let reset = try ProcessRunner.run(Self.mailctl, ["account", "reset-password", "st@pipe.test", "--config", workspace.config],
                                          in: workspace.folder, stdin: "Tra-da-via-he-2026!\n")
        #expect(reset.status == 64 && reset.stderr.contains("add --password-stdin"), "\(reset.stderr)")
    }

    @Test func globalOptionsWorkBeforeTheSubcommand() throws {
        let workspace = try Workspace.populated()
        let people = try ProcessRunner.run(Self.dirctl, ["--config", workspace.config, "person", "list"], in: workspace.folder)
        #expect(people.status == 0, "\(people.stderr)")
        #expect(people.stdout.contains("hd"))
        let units = try ProcessRunner.run(Self.dirctl, ["--json", "--config=\(workspace.config)", "unit", "list"], in: workspace.folder)
        #expect(units.status == 0, "\(units.stderr)")
        #expect((try? JSONSerialization.jsonObject(with: Data(units.stdout.utf8))) is [Any], "--json before the subcommand: \(units.stdout)")
        // Between the subcommands, too.
        let between = try ProcessRunner.run(Self.dirctl, ["person", "--config", workspace.config, "--json", "show", "hd"], in: workspace.folder)
        #expect(between.status == 0 && between.stdout.contains("\"login\""), "\(between.stderr)")
        let verbose = try ProcessRunner.run(Self.dirctl, ["-v", "--config", workspace.config, "unit", "list"], in: workspace.folder)
        #expect(verbose.stderr.contains("timing:"), "-v before the subcommand logs: \(verbose.stderr)")
        let mail = try ProcessRunner.run(Self.mailctl, ["-v", "--config", workspace.config, "--json", "account", "list"], in: workspace.folder)
        #expect(mail.status == 0, "\(mail.stderr)")
        #expect(mail.stderr.contains("timing:"), "\(mail.stderr)")
        #expect((try? JSONSerialization.jsonObject(with: Data(mail.stdout.utf8))) is [Any], "\(mail.stdout)")
        // --as keeps its value wherever it is.
        let denied = try ProcessRunner.run(Self.dirctl, ["--as", "st", "--config", workspace.config, "unit", "add", "X", "--name", "X"], in: workspace.folder)
        #expect(denied.status == 77, "acting as staff: \(denied.stderr)")
    }

    @Test func everyToolHasVersion() throws {
        var versions: [String] = []
        for tool in [Self.dirctl, Self.mailctl] {
            let run = try ProcessRunner.run(tool, ["--version"], in: NSTemporaryDirectory())
            #expect(run.status == 0)
            let version = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(version.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression) != nil, "\(tool): \(version)")
            versions.append(version)
        }
        #expect(Set(versions).count == 1, "one version for every tool: \(versions)")
    }

    @Test func aMistypedSubcommandGetsASuggestion() throws {
        let cases: [(String, [String], String)] = [
            (Self.dirctl, ["persn", "list"], #"did you mean "person"?"#),
            (Self.dirctl, ["person", "lsit"], #"did you mean "list"?"#),
            (Self.dirctl, ["--config", "/x.yaml", "group", "membr", "add"], #"did you mean "member"?"#),
            (Self.mailctl, ["acount", "list"], #"did you mean "account"?"#),
        ]
        for (tool, arguments, expected) in cases {
            let run = try ProcessRunner.run(tool, arguments, in: NSTemporaryDirectory())
            #expect(run.status == 64, "\(arguments)")
            #expect(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
        }
        let far = try ProcessRunner.run(Self.dirctl, ["zzzzzz"], in: NSTemporaryDirectory())
        #expect(far.status == 64 && far.stderr.contains("the commands are: init, unit, person"), "\(far.stderr)")
        // argument-parser's own requests take values that are no subcommand (`make install` runs these).
        for shell in ["bash", "zsh"] {
            let script = try ProcessRunner.run(Self.mailctl, ["--generate-completion-script", shell], in: NSTemporaryDirectory())
            #expect(script.status == 0 && script.stdout.contains("mailctl"), "\(shell): \(script.stderr)")
        }
    }
}
