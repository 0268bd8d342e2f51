import Foundation
import SwitchboardTestSupport
import Testing

/// Audit questions in one command (issue 8, point 7): `--about`, `--target` without a kind,
/// relative dates, a date-filtered export, `details` as an object, snake_case JSON keys.
@Suite struct AuditQuestionTests {
    static var mailctl: String { Workspace.products + "/mailctl" }

    func mailctl(_ workspace: Workspace, _ arguments: [String], stdin: String = "") throws {
        let run = try ProcessRunner.run(Self.mailctl, arguments + ["--config", workspace.config], in: workspace.folder, stdin: stdin)
        #expect(run.status == 0, "mailctl \(arguments.joined(separator: " ")): \(run.stderr)")
    }

    func jsonEvents(_ workspace: Workspace, _ arguments: String...) throws -> [[String: Any]] {
        let json = try workspace.expectOK(["audit", "log", "--json"] + arguments).stdout
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], "\(json)")
    }

    /// st: added, in a group, a mailbox created, renamed, reset; hd: the same kind of events, not st's.
    func scenario() throws -> Workspace {
        let workspace = try Workspace.populated()
        try workspace.expectOK("group", "add", "it-center")
        try workspace.expectOK("group", "member", "add", "it-center", "--person", "st", "--person", "hd")
        try workspace.expectOK("person", "update", "hd", "--title", "Kỹ thuật viên")
        try mailctl(workspace, ["domain", "add", "about.test"])
        try mailctl(workspace, ["account", "create", "st@about.test", "--person", "st"])
        try mailctl(workspace, ["account", "create", "hd@about.test", "--person", "hd"])
        try mailctl(workspace, ["account", "rename", "st@about.test", "st.new@about.test"])
        try mailctl(workspace, ["account", "reset-password", "st.new@about.test", "--password-stdin"], stdin: "Tra-da-via-he-2026!\n")
        try mailctl(workspace, ["account", "create", "shared@about.test", "--name", "Dùng chung"])
        try mailctl(workspace, ["alias", "add", "st.alias@about.test", "st.new@about.test"])
        try workspace.expectOK("group", "member", "remove", "it-center", "--person", "st")
        return workspace
    }

    @Test func aboutFindsThePersonsOwnGroupAndMailboxEvents() throws {
        let workspace = try scenario()
        let events = try jsonEvents(workspace, "--about", "st")
        let found = events.map { "\($0["action"] ?? "") \($0["target"] ?? "")" }
        let expected = [
            "person.add person:st",
            "group.member-add group:it-center",
            "mail.account.create mailbox:st@about.test",
            "mail.account.rename mailbox:st@about.test",
            "mail.account.reset-password mailbox:st.new@about.test",
            "mail.alias.add mail-alias:st.alias@about.test",
            "group.member-remove group:it-center",
        ]
        #expect(found == expected, "--about st found \(found)")
        // Nothing about hd: their member-add is a separate event, their mailbox is theirs.
        for event in events {
            let details = event["details"] as? [String: Any] ?? [:]
            #expect(!"\(event["target"] ?? "")".contains("hd"), "\(event)")
            #expect(details["member"] as? String != "person:hd", "\(event)")
        }
        let hd = try jsonEvents(workspace, "--about", "hd").map { "\($0["action"] ?? "") \($0["target"] ?? "")" }
        #expect(hd.contains("person.update person:hd") && hd.contains("mail.account.create mailbox:hd@about.test"), "\(hd)")
        #expect(!hd.contains("mail.account.rename mailbox:st@about.test"))
        // With other filters, --about narrows them.
        let mailOnly = try jsonEvents(workspace, "--about", "st", "--action", "mail")
        #expect(mailOnly.count == 4, "\(mailOnly.map { $0["action"] ?? "" })")
        let bad = try workspace.dirctl("audit", "log", "--about", "St Bad")
        #expect(bad.status == 64, "\(bad.stderr)")
        let unknown = try workspace.dirctl("audit", "log", "--about", "nobody")
        #expect(unknown.status == 65 && unknown.stderr.contains("no such person"), "a typo is not an empty table: \(unknown.stderr)")
    }

    @Test func aTargetWithoutAKindSaysWhatItExpects() throws {
        let workspace = try scenario()
        let run = try workspace.dirctl("audit", "log", "--target", "st")
        #expect(run.status == 64)
        #expect(run.stdout.isEmpty, "no empty table: \(run.stdout)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("person:st") && run.stderr.contains("--about"), "\(run.stderr)")
        // A kind alone still means every target of that kind.
        #expect(try jsonEvents(workspace, "--target", "mailbox").count == 5)
    }

    @Test func relativeDatesAreAccepted() throws {
        let workspace = try Workspace.populated()
        let all = try jsonEvents(workspace).count
        #expect(all >= 5)
        for since in ["7d", "2w", "12h", "7 days ago", "2 weeks ago", "yesterday", "today"] {
            #expect(try jsonEvents(workspace, "--since", since).count == all, "--since \(since)")
        }
        for until in ["yesterday", "1d", "2 weeks ago", "today"] {
            #expect(try jsonEvents(workspace, "--until", until).isEmpty, "--until \(until)")
        }
        let wrong = try workspace.dirctl("audit", "log", "--since", "last tuesday")
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("7d") && wrong.stderr.contains("yesterday"), "the message shows what is accepted: \(wrong.stderr)")
    }

    @Test func exportTakesSinceAndUntil() throws {
        let workspace = try Workspace.populated()
        let seqs = try jsonEvents(workspace).compactMap { $0["seq"] as? Int }
        let middle = seqs[seqs.count / 2]
        let time = try workspace.scalar("SELECT time FROM audit_event WHERE seq = \(middle)")
        let file = workspace.folder + "/slice.jsonl"
        try workspace.expectOK("audit", "export", "--since", time, "--output", file)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let exported = objects.compactMap { ($0["event"] as? [String: Any])?["seq"] as? Int }
        // The export's own event is recorded before the file is written, so it is in the file.
        func expected() throws -> [Int] {
            try workspace.sqlite("SELECT seq FROM audit_event WHERE time >= '\(time)' ORDER BY seq").stdout.split(separator: "\n").compactMap { Int($0) }
        }
        #expect(try exported == expected(), "exported \(exported)")
        #expect(exported.first ?? 0 > 1 && exported.count < seqs.count + 1)
        #expect((objects.first?["since"] as? String) != nil, "the header says the export is cut: \(objects.first ?? [:])")
        // The slice verifies: its links hold; a warning says the events before it are not covered.
        let verify = try workspace.dirctl("audit", "verify", "--file", file, "--no-signatures")
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("slice"), "\(verify.stdout)")
        // Until: nothing before 2000; syslog takes the same filter.
        let none = workspace.folder + "/none.jsonl"
        try workspace.expectOK("audit", "export", "--until", "2000-01-01", "--output", none)
        #expect(try String(contentsOfFile: none, encoding: .utf8).split(separator: "\n").count == 1, "the header only")
        let syslog = try workspace.expectOK("audit", "export", "--format", "syslog", "--since", time).stdout
        #expect(try syslog.split(separator: "\n").count == expected().count, "\(syslog)")
    }

    @Test func detailsIsAnObjectInJSON() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("group", "add", "g")
        try workspace.expectOK("group", "member", "add", "g", "--person", "st")
        let event = try #require(try jsonEvents(workspace, "--action", "group.member-add").first)
        let details = try #require(event["details"] as? [String: Any], "details is an object, not \(String(describing: event["details"]))")
        #expect(details["member"] as? String == "person:st")
        #expect(event["os_user"] != nil && event["prev_hash"] != nil)
    }

    /// Every key of every JSON output of these commands is snake_case: no camelCase key.
    @Test func jsonKeysAreSnakeCase() throws {
        let workspace = try scenario()
        let csv = workspace.folder + "/people.csv"
        try "login,name,unit\nimp.a,Nhập A,IT\n".write(toFile: csv, atomically: true, encoding: .utf8)
        try workspace.expectOK("room", "add", "P101", "--kind", "physical", "--capacity", "12")
        let dirctl: [[String]] = [
            ["person", "list"], ["person", "show", "st"], ["person", "search", "Người"], ["unit", "list"], ["group", "list"],
            ["group", "show", "it-center"], ["group", "expand", "it-center"], ["room", "list"], ["room", "show", "P101"],
            ["audit", "log"], ["audit", "verify", "--no-signatures"], ["doctor"], ["person", "import", csv, "--dry-run"],
            ["backup", workspace.folder + "/copy.sqlite"],
        ]
        let mailctl: [[String]] = [
            ["domain", "list"], ["account", "list"], ["account", "show", "st.new@about.test"], ["alias", "list"],
            // (quota-report needs doveadm: its QuotaLine keys are pinned by its CodingKeys.)
        ]
        var offenders: [String] = []
        func walk(_ value: Any, _ path: String, _ command: String) {
            if let object = value as? [String: Any] {
                for (key, inner) in object {
                    if key.range(of: "^[a-z0-9_]+$", options: .regularExpression) == nil {
                        offenders.append("\(command): \(path).\(key)")
                    }
                    walk(inner, path + "." + key, command)
                }
            } else if let array = value as? [Any] {
                for inner in array { walk(inner, path + "[]", command) }
            }
        }
        for (tool, lines) in [("dirctl", dirctl), ("mailctl", mailctl)] {
            for line in lines {
                let run = try ProcessRunner.run(Workspace.products + "/" + tool, line + ["--json", "--config", workspace.config], in: workspace.folder)
                let command = "\(tool) \(line.joined(separator: " "))"
                #expect(run.status == 0, "\(command): \(run.stderr)")
                guard let value = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) else {
                    Issue.record("\(command) --json printed no JSON: \(run.stdout)")
                    continue
                }
                walk(value, "", command)
            }
        }
        #expect(offenders.isEmpty, "camelCase keys: \(offenders)")
    }
}
