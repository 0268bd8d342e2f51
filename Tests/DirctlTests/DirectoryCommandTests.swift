import Foundation
import SwitchboardTestSupport
import Testing

/// The helpdesk's everyday commands, run through the built `dirctl` binary.
@Suite struct DirectoryCommandTests {
    @Test func initCreatesTheDatabaseAndRefusesASecondTime() throws {
        let workspace = try Workspace()
        let first = try workspace.expectOK("init", "--admin", "root", "--name", "Quản trị")
        #expect(first.stdout.contains("first admin: root"))
        let again = try workspace.dirctl("init", "--admin", "other", "--name", "Khác")
        #expect(again.status == 1)
        #expect(again.stderr.contains("already initialized"))
        #expect(try workspace.scalar("SELECT count(*) FROM person") == "1")
    }

    @Test func aCommandBeforeInitSaysHowToStart() throws {
        let workspace = try Workspace()
        let run = try workspace.dirctl("person", "list")
        #expect(run.status == 69)
        #expect(run.stderr.contains("dirctl init --admin"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    @Test func unitsFormATreeAndOnlyEmptyUnitsGo() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("unit", "add", "IT-NET", "--name", "Phòng Hạ tầng", "--parent", "IT")
        try workspace.expectOK("unit", "add", "VP", "--name", "Văn phòng")
        let tree = try workspace.expectOK("unit", "list").stdout.split(separator: "\n").map(String.init).dropFirst().map { $0 }
        #expect(tree.count == 3)
        #expect(tree[0].hasPrefix("IT ") && tree[0].hasSuffix(" 4"))
        #expect(tree[1].hasPrefix("  IT-NET") && tree[1].contains("Phòng Hạ tầng"))
        #expect(tree[2].hasPrefix("VP"))
        // A unit cannot go under its own subtree.
        let cycle = try workspace.dirctl("unit", "move", "IT", "--parent", "IT-NET")
        #expect(cycle.status == 1)
        #expect(cycle.stderr.contains("inside"))
        let notEmpty = try workspace.dirctl("unit", "remove", "IT")
        #expect(notEmpty.status == 1)
        #expect(notEmpty.stderr.contains("not empty"))
        try workspace.expectOK("unit", "rename", "VP", "--name", "Văn phòng Bộ")
        try workspace.expectOK("unit", "move", "VP", "--parent", "IT")
        try workspace.expectOK("unit", "move", "VP", "--top")
        try workspace.expectOK("unit", "remove", "VP")
        #expect(try workspace.scalar("SELECT count(*) FROM unit") == "2")
    }

    @Test func nfcAndNfdNamesAreOnePersonAndSearchIgnoresAccents() throws {
        let workspace = try Workspace.populated()
        let nfd = "Nguye\u{0302}\u{0303}n Va\u{0306}n An"
        try workspace.expectOK("person", "add", "an.nguyen", "--name", nfd, "--email", "An.Nguyen@X.VN")
        // Stored in NFC, so a byte-wise SQL comparison with the NFC form matches.
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE display_name = 'Nguyễn Văn An'") == "1")
        let found = try workspace.expectOK("person", "search", "nguyen van")
        #expect(found.stdout.contains("an.nguyen"))
        #expect(found.stdout.contains("Nguyễn Văn An"))
        // The same address typed in another case is the same address.
        let duplicate = try workspace.dirctl("person", "add", "an.nguyen2", "--name", "Nguyễn Văn An", "--email", "an.nguyen@x.vn")
        #expect(duplicate.status == 65)
        #expect(duplicate.stderr.contains("already used by an.nguyen"))
    }

    @Test func idnDomainEqualsItsPunycode() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", "lan", "--name", "Trần Thị Lan", "--email", "lan@bộ-nội-vụ.vn")
        let clash = try workspace.dirctl("person", "add", "lan2", "--name", "Trần Thị Lan", "--email", "LAN@xn--b-ni-v-3n8bc5i.vn")
        #expect(clash.status == 65)
        #expect(clash.stderr.contains("already used by lan"))
    }

    @Test func personLifecycleShowsInShowAndJSON() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", "hoa", "--name", "Lê Thị Hoa", "--unit", "IT", "--manager", "ad",
                               "--title", "Chuyên viên", "--phone", "024 3824 1234", "--language", "en")
        let shown = try workspace.expectOK("person", "show", "hoa").stdout
        #expect(shown.contains("Lê Thị Hoa"))
        #expect(shown.contains("manager:") && shown.contains("ad"))
        try workspace.expectOK("person", "update", "hoa", "--title", "Trưởng phòng", "--phone", "")
        let json = try workspace.expectOK("person", "show", "hoa", "--json").stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["title"] as? String == "Trưởng phòng")
        #expect(object["phone"] as? String == "")
        #expect(object["language"] as? String == "en")
        try workspace.expectOK("person", "suspend", "hoa", "--reason", "nghỉ phép")
        #expect(try workspace.dirctl("person", "suspend", "hoa").status == 1)
        try workspace.expectOK("person", "restore", "hoa")
        try workspace.expectOK("person", "depart", "hoa")
        #expect(try workspace.expectOK("person", "list").stdout.contains("hoa") == false)
        #expect(try workspace.expectOK("person", "list", "--status", "departed").stdout.contains("hoa"))
    }

    @Test func purgeKeepsATombstoneSoAuditEventsStillResolve() throws {
        let workspace = try Workspace.populated()
        try """
        database:
          path: \(workspace.database)
        directory:
          departed_retention_days: 0
        """.write(toFile: workspace.config, atomically: true, encoding: .utf8)
        try workspace.expectOK("person", "add", "tam", "--name", "Phạm Văn Tâm", "--email", "tam@x.vn", "--phone", "0903 000 111")
        let id = try workspace.scalar("SELECT id FROM person WHERE login = 'tam'")
        try workspace.expectOK("person", "depart", "tam")
        let purged = try workspace.expectOK("person", "purge")
        #expect(purged.stdout.contains("tam"))
        #expect(try workspace.scalar("SELECT id || '|' || status || '|' || display_name || '|' || coalesce(email, '') || '|' || phone FROM person WHERE login = 'tam'") == "\(id)|purged|[purged]||")
        // Its add and depart events still name it, and the purge event lists it.
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event WHERE target = 'person:tam'") == "2")
        #expect(try workspace.scalar("SELECT details FROM audit_event WHERE action = 'person.purge'") == #"{"purged":["tam"]}"#)
        #expect(try workspace.dirctl("audit", "verify").status == 0)
    }

    @Test func groupsNestAndRefuseCycles() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("group", "add", "lanh-dao", "--description", "Ban lãnh đạo")
        try workspace.expectOK("group", "add", "toan-bo")
        try workspace.expectOK("group", "member", "add", "lanh-dao", "--person", "ad")
        try workspace.expectOK("group", "member", "add", "toan-bo", "--group", "lanh-dao")
        try workspace.expectOK("group", "member", "add", "toan-bo", "--person", "hd")
        try workspace.expectOK("group", "member", "add", "toan-bo", "--person", "ad")
        let expanded = try workspace.expectOK("group", "expand", "toan-bo").stdout
        #expect(expanded.components(separatedBy: "\n").filter { $0.hasPrefix("ad ") }.count == 1)
        #expect(expanded.contains("hd"))
        let cycle = try workspace.dirctl("group", "member", "add", "lanh-dao", "--group", "toan-bo")
        #expect(cycle.status == 1)
        #expect(cycle.stderr.contains("would contain itself"))
        let selfCycle = try workspace.dirctl("group", "member", "add", "lanh-dao", "--group", "lanh-dao")
        #expect(selfCycle.status == 1)
        try workspace.expectOK("group", "member", "remove", "toan-bo", "--person", "hd")
        #expect(try workspace.expectOK("group", "expand", "toan-bo").stdout.contains("hd ") == false)
    }

    /// JSON carries the directory's words, never a Swift enum's shape (`{"person":{"_0":...}}`).
    @Test func groupMembersInJSONAreKindAndName() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("group", "add", "outer")
        try workspace.expectOK("group", "add", "inner")
        try workspace.expectOK("group", "member", "add", "outer", "--person", "st")
        try workspace.expectOK("group", "member", "add", "outer", "--group", "inner")
        let json = try workspace.expectOK("group", "show", "outer", "--json").stdout
        let members = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: String]], "\(json)")
        #expect(Set(members) == [["kind": "person", "name": "st"], ["kind": "group", "name": "inner"]], "\(json)")
        #expect(!json.contains("_0"))
    }

    @Test func searchFiltersByStatusAsListDoes() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("person", "add", "hoa.ltk", "--name", "Lê Thị Kim Hoa")
        try workspace.expectOK("person", "depart", "hoa.ltk")
        #expect(!(try workspace.expectOK("person", "search", "hoa").stdout.contains("hoa.ltk")), "departed people are hidden by default")
        #expect(try workspace.expectOK("person", "search", "hoa", "--status", "departed").stdout.contains("hoa.ltk"))
    }

    /// Shell completion of logins, units and groups comes from the directory (argument-parser
    /// calls the tool with `---completion`, as the generated bash and zsh scripts do).
    @Test func completionsOfferLoginsUnitsAndGroupsFromTheDirectory() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("group", "add", "it-center")
        func complete(_ path: [String], _ argument: String, _ words: [String]) throws -> [String] {
            let line = ["dirctl"] + path + ["--config", workspace.config] + words
            let run = try ProcessRunner.run(Workspace.products + "/dirctl",
                                            ["---completion"] + path + ["--", argument, "\(line.count - 1)", "\(words.last?.count ?? 0)"] + line,
                                            in: workspace.folder)
            #expect(run.status == 0, "\(run.stderr)")
            return run.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try complete(["person", "show"], "positional@0", ["h"]) == ["hd"])
        #expect(try complete(["person", "show"], "positional@0", [""]).contains("root"))
        #expect(try complete(["person", "add"], "--unit", ["--unit", "I"]) == ["IT"])
        #expect(try complete(["group", "member", "add"], "--person", ["it-center", "--person", "s"]) == ["st"])
        #expect(try complete(["group", "show"], "positional@0", ["it"]) == ["it-center"])
        // mailctl completes mailbox addresses the same way.
        func mailctl(_ arguments: [String], stdin: String? = nil) throws -> Run {
            try ProcessRunner.run(Workspace.products + "/mailctl", arguments + ["--config", workspace.config], in: workspace.folder, stdin: stdin)
        }
        #expect(try mailctl(["domain", "add", "hoanthanh.test"]).status == 0)
        #expect(try mailctl(["account", "create", "hd@hoanthanh.test", "--person", "hd", "--password-stdin"], stdin: "Gi0-mua-thu-Ha-Noi\n").status == 0)
        let line = ["mailctl", "account", "show", "--config", workspace.config, "h"]
        let addresses = try ProcessRunner.run(Workspace.products + "/mailctl",
                                              ["---completion", "account", "show", "--", "positional@0", "\(line.count - 1)", "1"] + line, in: workspace.folder)
        #expect(addresses.stdout.split(separator: "\n") == ["hd@hoanthanh.test"], "\(addresses.stdout) \(addresses.stderr)")
    }

    @Test func roomsAreAddedListedAndUpdated() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("room", "add", "Phòng họp A", "--kind", "physical", "--capacity", "20",
                               "--location", "Tầng 3", "--equipment", "projector,videoconference")
        try workspace.expectOK("room", "update", "Phòng họp A", "--capacity", "24", "--rename", "Phòng họp A1")
        let shown = try workspace.expectOK("room", "show", "Phòng họp A1").stdout
        #expect(shown.contains("24"))
        #expect(shown.contains("projector, videoconference"))
        #expect(try workspace.dirctl("room", "add", "x", "--kind", "cloud").status == 65)
    }

    @Test func everyCommandHasExamplesInItsHelp() throws {
        // Every leaf the help tree lists, found by walking it, not a hand-kept list.
        let (leaves, problems) = try CommandHelp.exampleProblems("dirctl")
        let known = [["init"], ["unit", "add"], ["unit", "list"], ["person", "add"], ["person", "import"], ["person", "search"],
                     ["group", "member", "add"], ["room", "add"], ["audit", "verify"], ["audit", "log"], ["audit", "export"],
                     ["backup"], ["doctor"]]
        for leaf in known { #expect(leaves.contains(leaf), "the help walk missed dirctl \(leaf.joined(separator: " "))") }
        #expect(leaves.count >= 30, "only \(leaves.count) dirctl commands found")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func backupIsCheckedBeforeItIsReportedGood() throws {
        let workspace = try Workspace.populated()
        let target = workspace.folder + "/backup.sqlite"
        let run = try workspace.expectOK("backup", target)
        #expect(run.stdout.contains("Backup good"))
        // Both hold password hashes once mail is set up: owner-only.
        for file in [workspace.database, target] {
            #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600, "\(file)")
        }
        let check = try Workspace.run("/usr/bin/sqlite3", [target, "PRAGMA integrity_check; SELECT count(*) FROM person;"], in: workspace.folder)
        #expect(check.stdout == "ok\n5\n")
        // The copy holds the whole log up to the backup, whose event comes after it is checked and names
        // the copy's last event, and it verifies on its own.
        let copied = try SQLite.scalar(target, "SELECT max(seq) FROM audit_event")
        #expect(Int(copied).map { $0 + 1 } == Int(try workspace.scalar("SELECT max(seq) FROM audit_event")))
        let event = try workspace.scalar("SELECT action || ' ' || outcome || ' ' || details FROM audit_event ORDER BY seq DESC LIMIT 1")
        #expect(event.hasPrefix("database.backup ok {") && event.contains(#""audit_last_seq":\#(copied)"#)
                && event.contains(#""destination":"\#(target)""#), "\(event)")
        let copyConfig = workspace.folder + "/copy.yaml"
        try "database:\n  path: \(target)\n".write(toFile: copyConfig, atomically: true, encoding: .utf8)
        let verify = try Workspace.run(Workspace.products + "/dirctl", ["audit", "verify", "--json", "--config", copyConfig], in: workspace.folder)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let verified = try #require(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
        #expect(verified["intact"] as? Bool == true)
        // The live database is healthy too: each check by name, not the word "ok" anywhere.
        let doctor = try workspace.expectOK("doctor", "--json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(doctor.stdout.utf8)) as? [String: Any])
        #expect(report["integrity"] as? String == "ok")
        #expect(report["schema_version"] as? String == "v6-dkim")
        #expect((report["audit"] as? [String: Any])?["intact"] as? Bool == true)
        let lines = try workspace.expectOK("doctor").stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("integrity:") && $0.hasSuffix(" ok") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("schema:") && $0.hasSuffix(" v6-dkim, exactly as the migrations made it") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("audit:") && $0.contains(" intact, ") }, "\(lines)")
    }

    /// Breaks the audit chain the way someone with the sqlite3 CLI would.
    static func tamper(_ workspace: Workspace, seq: Int) throws {
        try workspace.sqlite("""
            DROP TRIGGER audit_event_no_update;
            UPDATE audit_event SET target = 'person:someone-else' WHERE seq = \(seq);
            """)
    }

    @Test func backupRefusesACopyThatFailsItsChecksAndKeepsTheOldOne() throws {
        let workspace = try Workspace.populated()
        let target = workspace.folder + "/backup.sqlite"
        try workspace.expectOK("backup", target)
        let good = try Data(contentsOf: URL(fileURLWithPath: target))
        try Self.tamper(workspace, seq: 3)
        let run = try workspace.dirctl("backup", target)
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("failed its checks") && run.stderr.contains("audit intact: false"), "\(run.stderr)")
        #expect(!run.stdout.contains("Backup good"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == good, "the good backup was replaced")
        #expect(try workspace.scalar("SELECT action || ' ' || outcome FROM audit_event ORDER BY seq DESC LIMIT 1") == "database.backup failed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.folder).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        // A destination that cannot be written is named in the error, and nothing is reported good.
        let nowhere = workspace.folder + "/no-such-folder/backup.sqlite"
        let unwritable = try workspace.dirctl("backup", nowhere)
        #expect(unwritable.status != 0)
        #expect(unwritable.stderr.contains(nowhere), "\(unwritable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }

    @Test func doctorFailsOnABrokenAuditChain() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("doctor")
        try Self.tamper(workspace, seq: 4)
        let run = try workspace.dirctl("doctor")
        #expect(run.status == 1)
        #expect(run.stdout.contains("TAMPERED at seq 4"), "\(run.stdout)")
        let json = try workspace.dirctl("doctor", "--json")
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let audit = try #require(report["audit"] as? [String: Any])
        #expect(audit["intact"] as? Bool == false)
        #expect(audit["first_bad_seq"] as? Int == 4)
        #expect(report["integrity"] as? String == "ok", "the file itself is sound: only the log was changed")
    }

    @Test func personExportFollowsSubunitsOnlyWhenAsked() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("unit", "add", "IT-NET", "--name", "Phòng Hạ tầng", "--parent", "IT")
        try workspace.expectOK("unit", "add", "VP", "--name", "Văn phòng")
        try workspace.expectOK("person", "add", "net1", "--name", "Người Mạng", "--unit", "IT-NET")
        try workspace.expectOK("person", "add", "vp1", "--name", "Người Văn phòng", "--unit", "VP")
        func logins(_ arguments: String...) throws -> [String] {
            let csv = try workspace.expectOK(["person", "export"] + arguments).stdout
            return csv.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }.compactMap { $0.split(separator: ",").first.map(String.init) }.sorted()
        }
        #expect(try logins("--unit", "IT") == ["ad", "au", "hd", "st"])
        #expect(try logins("--unit", "IT", "--subunits") == ["ad", "au", "hd", "net1", "st"])
        #expect(try logins("--unit", "IT-NET", "--subunits") == ["net1"])
        #expect(try logins() == ["ad", "au", "hd", "net1", "root", "st", "vp1"])
        let file = workspace.folder + "/it.csv"
        let stdout = try workspace.expectOK("person", "export", "--unit", "IT", "--subunits").stdout
        try workspace.expectOK("person", "export", "--unit", "IT", "--subunits", "--output", file)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == stdout)
    }
}

/// `dirctl audit log` shows exactly the events its filters select, compared with the table itself.
@Suite struct AuditLogFilterTests {
    @Test func everyFilterSelectsWhatTheTableHolds() throws {
        let workspace = try Workspace.populated()
        try workspace.expectOK("room", "add", "Phòng 1", "--kind", "virtual", "--as", "hd")
        try workspace.expectOK("person", "update", "st", "--title", "Chuyên viên", "--as", "ad")
        try workspace.expectOK("group", "add", "personal-notes", "--as", "hd")
        func seqs(_ arguments: String...) throws -> [Int] {
            let json = try workspace.expectOK(["audit", "log", "--json"] + arguments).stdout
            let events = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            return events.compactMap { $0["seq"] as? Int }
        }
        func truth(_ condition: String, limit: Int? = nil) throws -> [Int] {
            let sql = limit.map { "SELECT seq FROM (SELECT seq FROM audit_event WHERE \(condition) ORDER BY seq DESC LIMIT \($0)) ORDER BY seq" }
                ?? "SELECT seq FROM audit_event WHERE \(condition) ORDER BY seq"
            return try workspace.sqlite(sql).stdout.split(separator: "\n").compactMap { Int($0) }
        }
        let all = try truth("1")
        #expect(all.count >= 9)
        #expect(try seqs() == all)
        #expect(try seqs("--actor", "hd") == truth("actor = 'hd'"))
        #expect(try truth("actor = 'hd'").count == 2)
        // An action prefix matches whole segments: "person" is person.add and person.update, not "personal".
        #expect(try seqs("--action", "person") == truth("action LIKE 'person.%'"))
        #expect(try seqs("--action", "person.update") == truth("action = 'person.update'"))
        #expect(try seqs("--target", "person:st") == truth("target = 'person:st'"))
        #expect(try seqs("--target", "person:st").count == 2)
        #expect(try seqs("--target", "room") == truth("target LIKE 'room:%'"))
        #expect(try seqs("--actor", "hd", "--action", "group") == truth("actor = 'hd' AND action LIKE 'group.%'"))
        #expect(try seqs("--limit", "3") == truth("1", limit: 3))
        // Times: a window that holds everything, one that holds nothing, and one starting at a given event.
        #expect(try seqs("--since", "2000-01-01") == all)
        #expect(try seqs("--until", "2000-01-01").isEmpty)
        #expect(try seqs("--since", "2999-01-01").isEmpty)
        let middle = all[all.count / 2]
        let time = try workspace.scalar("SELECT time FROM audit_event WHERE seq = \(middle)")
        #expect(try seqs("--since", time) == truth("time >= '\(time)'"))
        #expect(try seqs("--until", time) == truth("time < '\(time)'"))
        // The table form shows the acting person with the OS user who ran the command.
        let table = try workspace.expectOK("audit", "log", "--actor", "hd").stdout
        #expect(table.contains("hd (root)") && table.contains("room.add"))
    }
}

/// Which configuration file a tool reads: --config, then $SWITCHBOARD_CONFIG, then
/// /etc/switchboard/switchboard.yaml, else the built-in defaults; never the working folder's.
@Suite struct ConfigLookupTests {
    @Test func theFirstSourceInTheLookupOrderWinsAndTheWorkingFolderIsNeverRead() throws {
        let workspace = try Workspace()
        let folder = workspace.folder + "/cwd"
        try FileManager.default.createDirectory(atPath: folder + "/Config", withIntermediateDirectories: true)
        func config(_ name: String, at path: String) throws -> String {
            try "database:\n  path: \(workspace.folder)/\(name).sqlite\n".write(toFile: path, atomically: true, encoding: .utf8)
            return workspace.folder + "/\(name).sqlite"
        }
        let explicit = try config("explicit", at: workspace.folder + "/explicit.yaml")
        let fromEnvironment = try config("environment", at: workspace.folder + "/environment.yaml")
        // A config planted in the working folder, where root might run a tool.
        let planted = try config("planted", at: folder + "/Config/switchboard.yaml")
        func initialize(_ extra: [String], environment: String?) throws -> Run {
            try ProcessRunner.run(Workspace.products + "/dirctl", ["init", "--admin", "root", "--name", "Quản trị"] + extra, in: folder,
                                  environment: ["SWITCHBOARD_CONFIG": environment])
        }
        let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }
        // Both present: --config wins.
        #expect(try initialize(["--config", workspace.folder + "/explicit.yaml"], environment: workspace.folder + "/environment.yaml").status == 0)
        #expect(exists(explicit) && !exists(fromEnvironment))
        // Without --config: the environment.
        #expect(try initialize([], environment: workspace.folder + "/environment.yaml").status == 0)
        #expect(exists(fromEnvironment))
        // Neither: never the working folder's Config/switchboard.yaml.
        let doctor = try ProcessRunner.run(Workspace.products + "/dirctl", ["doctor"], in: folder, environment: ["SWITCHBOARD_CONFIG": nil])
        #expect(!doctor.stdout.contains("Config/switchboard.yaml") && !doctor.stderr.contains("Config/switchboard.yaml"), "\(doctor.stdout)")
        #expect(!exists(planted))
        // A named file that is missing is an error, never a silent fall-through to the next source.
        let missing = try ProcessRunner.run(Workspace.products + "/dirctl", ["doctor"], in: folder,
                                            environment: ["SWITCHBOARD_CONFIG": workspace.folder + "/nope.yaml"])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("nope.yaml") && missing.stderr.contains("SWITCHBOARD_CONFIG"), "\(missing.stderr)")
        let missingFlag = try ProcessRunner.run(Workspace.products + "/dirctl", ["doctor", "--config", "nope.yaml"], in: folder)
        #expect(missingFlag.status == 78)
        #expect(missingFlag.stderr.contains("--config"))
        // Nothing at all: /etc/switchboard/switchboard.yaml when the machine has one, else the
        // built-in defaults, which are the installed layout (no path under the working folder).
        // (Nothing here runs a tool that writes without a config: it would write the machine's
        // /var/lib/switchboard.)
        if !exists("/etc/switchboard/switchboard.yaml") && !exists("/var/lib/switchboard/switchboard.sqlite") {
            #expect(doctor.status == 69)
            #expect(doctor.stderr.contains("/var/lib/switchboard/switchboard.sqlite") && doctor.stderr.contains("dirctl init --admin"), "\(doctor.stderr)")
            #expect(!exists(folder + "/var"))
        }
    }

    @Test func relativePathsInAConfigAreItsFoldersNotTheWorkingFolders() throws {
        let workspace = try Workspace()
        let other = workspace.folder + "/elsewhere"
        try FileManager.default.createDirectory(atPath: workspace.folder + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try "database:\n  path: ../data/relative.sqlite\n".write(toFile: workspace.folder + "/etc/switchboard.yaml", atomically: true, encoding: .utf8)
        let run = try ProcessRunner.run(Workspace.products + "/dirctl", ["init", "--admin", "root", "--name", "Quản trị", "--config", "../etc/switchboard.yaml"],
                                        in: other)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: workspace.folder + "/data/relative.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: workspace.folder + "/elsewhere/data"))
    }
}

/// `audit.checkpoint_every` in the config decides how often a checkpoint is signed automatically.
@Suite struct CheckpointPolicyTests {
    @Test func checkpointsFollowTheConfiguredInterval() throws {
        let workspace = try Workspace(checkpointEvery: 4)
        try workspace.expectOK("init", "--admin", "root", "--name", "Quản trị")
        try workspace.expectOK("audit", "keygen")
        let keygen = Int(try workspace.scalar("SELECT max(seq) FROM audit_event")) ?? 0
        for index in 1...10 { try workspace.expectOK("room", "add", "R\(index)", "--kind", "virtual") }
        let last = Int(try workspace.scalar("SELECT max(seq) FROM audit_event")) ?? 0
        let expected = ((keygen + 1)...last).filter { $0 % 4 == 0 }
        #expect(expected.count >= 2)
        let stored = try workspace.sqlite("SELECT seq FROM audit_checkpoint ORDER BY seq").stdout.split(separator: "\n").compactMap { Int($0) }
        #expect(stored == expected)
        let verify = try workspace.expectOK("audit", "verify")
        #expect(verify.stdout.contains("\(expected.count) checkpoint(s) verified"), "\(verify.stdout)")
        // The same directory with checkpoint_every 0: no more automatic checkpoints.
        let text = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try text.replacingOccurrences(of: "checkpoint_every: 4", with: "checkpoint_every: 0").write(toFile: workspace.config, atomically: true, encoding: .utf8)
        for index in 11...20 { try workspace.expectOK("room", "add", "R\(index)", "--kind", "virtual") }
        #expect(try workspace.scalar("SELECT count(*) FROM audit_checkpoint") == String(expected.count))
        // And with 1: one per event.
        try text.replacingOccurrences(of: "checkpoint_every: 4", with: "checkpoint_every: 1").write(toFile: workspace.config, atomically: true, encoding: .utf8)
        try workspace.expectOK("room", "add", "R21", "--kind", "virtual")
        try workspace.expectOK("room", "add", "R22", "--kind", "virtual")
        #expect(try workspace.scalar("SELECT count(*) FROM audit_checkpoint") == String(expected.count + 2))
    }
}
