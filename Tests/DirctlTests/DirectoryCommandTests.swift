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
        let workspace = try Workspace()
        let leaves = [["init"], ["unit", "add"], ["unit", "list"], ["person", "add"], ["person", "import"], ["person", "search"],
                      ["group", "member", "add"], ["room", "add"], ["audit", "verify"], ["audit", "log"], ["audit", "export"],
                      ["backup"], ["doctor"]]
        for leaf in leaves {
            let run = try Workspace.run(Workspace.products + "/dirctl", leaf + ["--help"], in: workspace.folder)
            #expect(run.status == 0)
            #expect(run.stdout.contains("Example"), "dirctl \(leaf.joined(separator: " ")) --help has no example")
        }
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
        let doctor = try workspace.expectOK("doctor")
        #expect(doctor.stdout.contains("integrity:") && doctor.stdout.contains("ok"))
        #expect(doctor.stdout.contains("v2-mail"))
    }
}
