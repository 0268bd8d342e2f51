import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing

/// The roles as the operating system enforces them: the tools installed set-gid by
/// `ops/install-layout` (as `make install` does), run by real unprivileged users this test makes
/// with `useradd`. Each command runs in a private mount namespace where the layout's own `etc`
/// folder is mounted on /etc/switchboard, the only config a set-gid tool reads for them; the
/// machine's /etc/switchboard is never touched.
@Suite(.serialized) struct OperatingSystemRolesTests {
    /// The group the tools are set-gid to, and the users: staff and helpdesk are people in the
    /// directory; `member` is in the group but not root (a compromised mail server's account).
    static let group = "sbtest-switchboard"
    static let staff = "sbtest-staff"
    static let helpdesk = "sbtest-help"
    static let member = "sbtest-member"

    /// A layout of its own: ROOT/{bin,etc,etc/private,data,checkpoints,home}.
    final class Installed {
        let root: String
        var bin: String { root + "/bin" }
        var etc: String { root + "/etc" }
        var data: String { root + "/data" }
        var checkpoints: String { root + "/checkpoints" }
        var database: String { data + "/switchboard.sqlite" }
        /// A folder of the helpdesk user's own, for the files they ask the tools to write.
        var home: String { root + "/home" }
        /// The invite templates, installed as `make install` does (readable by everyone).
        var meetTemplates: String { root + "/meet-templates" }
        /// A loopback port nothing listens on: the relay is "down", so invites wait in the outbox.
        private(set) var closedPort = 0
        private(set) var keyID = ""

        /// The layout, and unless `populated` is false, a directory in it with a pinned key and a checkpoint.
        init(populated: Bool = true) throws {
            try OperatingSystemRolesTests.requireRootAndTools()
            root = try ScratchFolder.make("switchboard-os-roles")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
            let layout = try ProcessRunner.run(Repository.path("ops/install-layout"), [
                "--group", OperatingSystemRolesTests.group, "--from", ProcessRunner.products, "--bindir", bin,
                "--etc", etc, "--data", data, "--checkpoints", checkpoints, "--tools", "dirctl meetctl",
            ])
            try #require(layout.status == 0, "ops/install-layout failed: \(layout.stderr)")
            try OperatingSystemRolesTests.makeUsers()
            try ProcessRunner.runChecked("/bin/sh", ["-c", "install -d -m 0755 \"$1\" && install -m 0644 \"$2\"/*.mustache \"$1\"/", "sh",
                                                     meetTemplates, Repository.path("Templates/meet")])
            closedPort = try LoopbackPort.free()
            try ProcessRunner.runChecked("/usr/bin/install", ["-d", "-m", "0700", "-o", OperatingSystemRolesTests.helpdesk, "-g", OperatingSystemRolesTests.helpdesk, home])
            try writeConfig()
            guard populated else { return }
            for arguments in [
                ["init", "--admin", "root", "--name", "Quản trị"],
                ["unit", "add", "IT", "--name", "Trung tâm CNTT"],
                ["person", "add", OperatingSystemRolesTests.staff, "--name", "Nhân viên", "--role", "staff", "--unit", "IT",
                 "--email", "staff@os-roles.test"],
                ["person", "add", OperatingSystemRolesTests.helpdesk, "--name", "Hỗ trợ", "--role", "helpdesk", "--unit", "IT",
                 "--email", "help@os-roles.test"],
                ["room", "add", "Phòng A", "--kind", "physical"],
            ] {
                let run = try tool(arguments)
                try #require(run.status == 0, "dirctl \(arguments.joined(separator: " ")) as root: \(run.stderr)")
            }
            let keygen = try tool(["audit", "keygen"])
            try #require(keygen.status == 0, "keygen: \(keygen.stderr)")
            let pin = try #require(keygen.stdout.split(separator: "`").first { $0.hasPrefix("public_key_id: ") })
            keyID = String(pin.dropFirst("public_key_id: ".count))
            try writeConfig()
            let checkpoint = try tool(["audit", "checkpoint"])
            try #require(checkpoint.status == 0, "checkpoint: \(checkpoint.stderr)")
        }

        deinit {
            if let problem = ScratchFolder.remove(root) { Issue.record(Comment(rawValue: problem)) }
        }

        func writeConfig() throws {
            try """
            database:
              path: \(database)
            audit:
              signing_key_file: \(etc)/private/audit-signing.key
              public_key_file: \(etc)/audit-signing.pub
              checkpoint_dir: \(checkpoints)
              origin: os-roles.test
              checkpoint_every: 0
            \(keyID.isEmpty ? "" : "  public_key_id: \(keyID)\n")
            mail:
              relay: {host: 127.0.0.1, port: \(closedPort), security: plain}
            meet:
              templates_dir: \(meetTemplates)
            """.write(toFile: etc + "/switchboard.yaml", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: etc + "/switchboard.yaml")
        }

        /// Runs `program` as `user` (root when nil) with this layout's etc on /etc/switchboard.
        func run(as user: String?, _ program: String, _ arguments: [String], environment: [String: String?] = [:], stdin: String? = nil) throws -> CommandRun {
            let identity = user.map { ["/usr/bin/setpriv", "--reuid=\($0)", "--regid=\($0)", "--init-groups", "--"] } ?? []
            return try ProcessRunner.run("/usr/bin/unshare", [
                "--mount", "--propagation", "private", "/bin/sh", "-c", #"mount --bind "$1" /etc/switchboard && shift && exec "$@""#, "sh", etc,
            ] + identity + [program] + arguments, in: root, stdin: stdin, environment: environment)
        }

        /// The installed set-gid dirctl, as `user` (root when nil).
        func tool(_ arguments: [String], as user: String? = nil, environment: [String: String?] = [:]) throws -> CommandRun {
            try run(as: user, bin + "/dirctl", arguments, environment: environment)
        }

        /// sqlite3 on the database as `user` (root when nil).
        func sqlite(_ sql: String, as user: String? = nil) throws -> CommandRun {
            try run(as: user, "/usr/bin/sqlite3", ["-bail", database, sql])
        }

        /// One value, read as root.
        func scalar(_ sql: String) throws -> String {
            try SQLite.scalar(database, sql)
        }
    }

    static func requireRootAndTools() throws {
        guard getuid() == 0 else {
            throw TestSetupError("these tests make OS users and a set-gid install: run them as root (`make test` does, as CI)")
        }
        for tool in ["/usr/bin/unshare", "/usr/bin/setpriv", "/usr/sbin/useradd", "/usr/bin/sqlite3"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestSetupError("\(tool) is missing: install util-linux, passwd and sqlite3 (`make deps`)")
        }
        // The mount point for the layout's etc; an existing one is only covered, in the namespace.
        if !FileManager.default.fileExists(atPath: "/etc/switchboard") {
            try FileManager.default.createDirectory(atPath: "/etc/switchboard", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        }
    }

    /// The test's users, made once per machine (kept: user ids must not be reused under files).
    static func makeUsers() throws {
        for user in [staff, helpdesk, member] where try ProcessRunner.run("/usr/bin/id", [user]).status != 0 {
            let extra = user == member ? ["-G", group] : []
            try ProcessRunner.runChecked("/usr/sbin/useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin"] + extra + [user])
        }
        try ProcessRunner.runChecked("/usr/sbin/usermod", ["-a", "-G", group, member])
    }

    @Test func aStaffUserReachesTheDatabaseOnlyThroughTheTools() throws {
        let layout = try Installed()
        // Around the tools: sqlite3 cannot open the file, to write or even to read.
        let forge = try layout.sqlite("UPDATE person SET role = 'admin' WHERE login = '\(Self.staff)'", as: Self.staff)
        #expect(forge.status != 0)
        #expect(forge.stderr.contains("unable to open database"), "\(forge.stderr)")
        #expect(try layout.scalar("SELECT role FROM person WHERE login = '\(Self.staff)'") == "staff")
        // The signing key and the checkpoint folder are root's.
        #expect(try layout.run(as: Self.staff, "/bin/cat", [layout.etc + "/private/audit-signing.key"]).stderr.contains("Permission denied"))
        #expect(try layout.run(as: Self.staff, "/bin/ls", [layout.checkpoints]).stderr.contains("Permission denied"))
        // Through the tool: what staff may do works, the rest is 77 and audited.
        let show = try layout.tool(["person", "show", Self.staff], as: Self.staff)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("Nhân viên"))
        let helpdeskAction = try layout.tool(["person", "add", "intruder", "--name", "Kẻ lạ"], as: Self.staff)
        #expect(helpdeskAction.status == 77, "\(helpdeskAction.stderr)")
        #expect(try layout.scalar("SELECT count(*) FROM person WHERE login = 'intruder'") == "0")
        let promote = try layout.tool(["person", "set-role", Self.staff, "admin"], as: Self.staff)
        #expect(promote.status == 77, "\(promote.stderr)")
        #expect(try layout.scalar("SELECT role FROM person WHERE login = '\(Self.staff)'") == "staff")
        #expect(try layout.scalar("SELECT outcome FROM audit_event WHERE os_user = '\(Self.staff)' AND action = 'person.set-role'") == "denied")
        // The caller cannot choose the config, nor act for someone else.
        let config = try layout.tool(["person", "list", "--config", layout.etc + "/switchboard.yaml"], as: Self.staff)
        #expect(config.status == 77)
        #expect(config.stderr.contains("--config is refused"), "\(config.stderr)")
        let environment = try layout.tool(["person", "list"], as: Self.staff, environment: ["SWITCHBOARD_CONFIG": layout.etc + "/switchboard.yaml"])
        #expect(environment.status == 77)
        #expect(environment.stderr.contains("SWITCHBOARD_CONFIG is refused"), "\(environment.stderr)")
        let actAs = try layout.tool(["person", "list", "--as", "root"], as: Self.staff)
        #expect(actAs.status == 77)
        #expect(actAs.stderr.contains("only root may use --as"), "\(actAs.stderr)")
        // The helpdesk writes through the tool, and the next user (and the mail servers) can still
        // open the database: nothing the write left behind is the caller's alone.
        let add = try layout.tool(["person", "add", "newbie", "--name", "Người mới"], as: Self.helpdesk)
        #expect(add.status == 0, "\(add.stderr)")
        #expect(try layout.scalar("SELECT os_user FROM audit_event WHERE target = 'person:newbie'") == Self.helpdesk)
        #expect(try layout.tool(["person", "show", "newbie"], as: Self.staff).status == 0)
    }

    @Test func staffBookTheirOwnMeetingsThroughTheSetGidMeetctlAndNoOneElses() throws {
        let layout = try Installed()
        func meetctl(_ arguments: [String], as user: String?) throws -> CommandRun {
            try layout.run(as: user, layout.bin + "/meetctl", arguments)
        }
        let booked = try meetctl(["book", "Họp nhóm", "--start", "2027-03-02T09:00", "--duration", "1h", "--with", Self.helpdesk], as: Self.staff)
        #expect(booked.status == 0, "\(booked.stderr)")
        #expect(booked.stdout.contains("is queued"), "the relay is down: \(booked.stdout)")
        #expect(try layout.scalar("SELECT os_user || ' ' || outcome FROM audit_event WHERE action = 'meet.book'") == "\(Self.staff) ok")
        #expect(try layout.scalar("SELECT count(*) FROM outbox WHERE created_by = '\(Self.staff)'") == "2")
        let waiting = try meetctl(["outbox", "list"], as: Self.staff)
        #expect(waiting.status == 0 && waiting.stdout.contains("meeting-invite"), "\(waiting.stdout) \(waiting.stderr)")
        // The helpdesk's meeting is not staff's to cancel, nor to read.
        let other = try meetctl(["book", "Hỗ trợ", "--start", "2027-03-03T09:00", "--duration", "1h", "--json"], as: Self.helpdesk)
        #expect(other.status == 0, "\(other.stderr)")
        let id = try layout.scalar("SELECT id FROM meeting WHERE title = 'Hỗ trợ'")
        #expect(try meetctl(["cancel", id], as: Self.staff).status == 77)
        #expect(try meetctl(["show", id], as: Self.staff).status == 77)
        #expect(try layout.scalar("SELECT status FROM meeting WHERE id = \(id)") == "confirmed")
        // The caller chooses neither the config nor whom to act for.
        #expect(try meetctl(["agenda", "--config", layout.etc + "/switchboard.yaml"], as: Self.staff).status == 77)
        #expect(try meetctl(["agenda", "--as", Self.helpdesk], as: Self.staff).status == 77)
        let agenda = try meetctl(["agenda", "--date", "2027-03-02"], as: Self.staff)
        #expect(agenda.status == 0 && agenda.stdout.contains("Họp nhóm"), "\(agenda.stdout) \(agenda.stderr)")
    }

    @Test func onlyRootInitializesTheDirectoryAndABadFirstAdminLeavesNoFile() throws {
        let layout = try Installed(populated: false)
        let bad = try layout.tool(["init", "--admin", "root", "--name", "Quản trị", "--email", "not an email"])
        #expect(bad.status == 65, "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: layout.database), "a refused init left a database file")
        let stranger = try layout.tool(["init", "--admin", Self.staff, "--name", "Kẻ lạ"], as: Self.staff)
        #expect(stranger.status == 77)
        #expect(stranger.stderr.contains("only root initializes the directory"), "\(stranger.stderr)")
        #expect(!FileManager.default.fileExists(atPath: layout.database))
        #expect(try layout.tool(["init", "--admin", "root", "--name", "Quản trị"]).status == 0)
        #expect(try layout.tool(["init", "--admin", Self.staff, "--name", "Kẻ lạ"], as: Self.staff).status == 77)
        #expect(try layout.scalar("SELECT group_concat(login) FROM person") == "root")
    }

    @Test func aSetUidInstallIsRefused() throws {
        let layout = try Installed()
        // Set-uid to another account (not root, so a tool that failed to refuse would do little).
        let copy = layout.bin + "/setuid-dirctl"
        try ProcessRunner.runChecked("/usr/bin/install", ["-m", "4755", "-o", "nobody", layout.bin + "/dirctl", copy])
        let run = try layout.run(as: Self.staff, copy, ["person", "list"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("refusing to run set-uid"), "\(run.stderr)")
    }

    @Test func aConfigOthersMayWriteIsRefusedToTheSetGidTool() throws {
        let layout = try Installed()
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: layout.etc + "/switchboard.yaml")
        let run = try layout.tool(["person", "list"], as: Self.staff)
        #expect(run.status == 78)
        #expect(run.stderr.contains("must be owned by root and writable by root only"), "\(run.stderr)")
        // Root is not bound by it (and is the one to fix it).
        #expect(try layout.tool(["person", "list"]).status == 0)
    }

    @Test func filesACallerNamesAreWrittenAndReadWithTheCallersRights() throws {
        let layout = try Installed()
        // Into the database's folder: the tool's group may write there, the caller may not.
        let stolen = layout.data + "/stolen.csv"
        let into = try layout.tool(["person", "export", "--output", stolen], as: Self.helpdesk)
        // Refused by the file system for the caller (the role may export), naming the file.
        #expect(into.status == 77)
        #expect(into.stderr.contains(stolen) && into.stderr.contains("ermission denied"), "\(into.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: layout.data).allSatisfy { $0.hasPrefix("switchboard.sqlite") })
        // Into the caller's own folder: the caller's file, group included, not the tool's group.
        let own = layout.home + "/people.csv"
        let export = try layout.tool(["person", "export", "--output", own], as: Self.helpdesk)
        #expect(export.status == 0, "\(export.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: own)
        #expect(attributes[.ownerAccountName] as? String == Self.helpdesk)
        #expect(attributes[.groupOwnerAccountName] as? String == Self.helpdesk)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // A link the caller planted at the name, pointing at the database: refused, database intact.
        let link = layout.home + "/link.csv"
        let plant = try layout.run(as: Self.helpdesk, "/bin/ln", ["-s", layout.database, link])
        #expect(plant.status == 0, "\(plant.stderr)")
        let through = try layout.tool(["person", "export", "--output", link], as: Self.helpdesk)
        #expect(through.status != 0)
        #expect(through.stderr.contains("symbolic link"), "\(through.stderr)")
        #expect(try layout.scalar("PRAGMA integrity_check") == "ok")
        // Reading: files a caller names are opened with the caller's rights. The database, which
        // the tool's group may read, named as an export to verify or as a public key: unreadable.
        for arguments in [["audit", "verify", "--file", layout.database], ["audit", "verify", "--file", layout.home + "/people.csv", "--public-key", layout.database]] {
            let read = try layout.tool(arguments, as: Self.helpdesk)
            #expect(read.status != 0, "\(arguments)")
            #expect(read.stderr.contains("\(layout.database): export file cannot be read") || read.stderr.contains("audit key \(layout.database): cannot be read"),
                    "\(arguments): \(read.stderr)")
            #expect(!read.stderr.contains("SQLite") && !read.stderr.contains("not a key file"), "\(read.stderr)")
        }
    }

    @Test func theForgeryIsCaughtWhenAGroupMemberWhoIsNotRootRewritesTheLog() throws {
        let layout = try Installed()
        let events = try JSONDecoder().decode([AuditEvent].self, from: Data(
            layout.run(as: Self.member, "/usr/bin/sqlite3", ["-json", layout.database, "SELECT * FROM audit_event ORDER BY seq"]).stdout.utf8))
        try #require(events.count > 5, "the group member should read the log with sqlite3")
        // The member drops the triggers, changes event 3, rehashes the rest, deletes the stored
        // checkpoints and stores one signed with a key of their own.
        var forged = events
        forged[2].target = "unit:innocent"
        var sql = ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete",
                   "DROP TRIGGER audit_checkpoint_no_update", "DROP TRIGGER audit_checkpoint_no_delete"]
        for index in 2..<forged.count {
            if index > 0 { forged[index].prevHash = forged[index - 1].hash }
            forged[index].hash = forged[index].computedHash()
            sql.append("UPDATE audit_event SET target = '\(forged[index].target)', prev_hash = '\(forged[index].prevHash)', hash = '\(forged[index].hash)' WHERE seq = \(forged[index].seq)")
        }
        // (Made by the test as root in a folder the member can read: the member's own key pair.)
        let attacker = layout.root + "/attacker"
        try FileManager.default.createDirectory(atPath: attacker, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        let ownKey = attacker + "/own.key"
        let ownPublic = attacker + "/own.pub"
        _ = try AuditKeys.generate(privateKeyFile: ownKey, publicKeyFile: ownPublic, overwrite: false)
        let last = try #require(forged.last)
        let signed = try CheckpointSigner(signingKeyFile: ownKey, origin: "os-roles.test").sign(seq: last.seq, hash: last.hash, time: last.time)
        sql.append("DELETE FROM audit_checkpoint")
        sql.append("INSERT INTO audit_checkpoint (seq, hash, time, origin, key_id, signature) VALUES (\(signed.seq), '\(signed.hash)', '\(signed.time)', '\(signed.origin)', '\(signed.keyID)', '\(signed.signature)')")
        let rewrite = try layout.sqlite(sql.joined(separator: "; "), as: Self.member)
        #expect(rewrite.status == 0, "the group member may write the file: \(rewrite.stderr)")
        // What would make the forgery pass is out of the member's reach.
        #expect(try layout.run(as: Self.member, "/bin/cat", [ownPublic]).status == 0)
        #expect(try layout.run(as: Self.member, "/bin/cp", [ownPublic, layout.etc + "/audit-signing.pub"]).stderr.contains("Permission denied"))
        #expect(try layout.run(as: Self.member, "/bin/sh", ["-c", "echo x > \(layout.etc)/switchboard.yaml"]).status != 0)
        #expect(try layout.run(as: Self.member, "/bin/ls", [layout.checkpoints]).status != 0)
        // Root's verify: the stored checkpoint is another key's, and the root-only series disagrees.
        let verify = try layout.tool(["audit", "verify"])
        #expect(verify.status == 1, "\(verify.stdout)")
        #expect(verify.stdout.contains("TAMPERED"))
        #expect(verify.stdout.contains("bad-signature: stored checkpoint at seq \(last.seq) was signed by key \(signed.keyID)"), "\(verify.stdout)")
        #expect(verify.stdout.contains("checkpoint-mismatch: checkpoint \(layout.checkpoints)/"), "\(verify.stdout)")
        // Even if the public key file were replaced (by someone who could), the pinned id refuses it.
        try ProcessRunner.runChecked("/bin/cp", [ownPublic, layout.etc + "/audit-signing.pub"])
        let pinned = try layout.tool(["audit", "verify"])
        #expect(pinned.status != 0)
        #expect(pinned.stderr.contains("but audit.public_key_id pins \(layout.keyID)"), "\(pinned.stderr)")
    }

    @Test func theLayoutScriptRefusesPlantedLinksAndFoldersItDoesNotOwn() throws {
        try Self.requireRootAndTools()
        let root = try ScratchFolder.make("switchboard-layout")
        defer { _ = ScratchFolder.remove(root) }
        let victim = root + "/victim"
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createSymbolicLink(atPath: root + "/data", withDestinationPath: victim)
        func layout() throws -> CommandRun {
            try ProcessRunner.run(Repository.path("ops/install-layout"), [
                "--group", Self.group, "--from", ProcessRunner.products, "--bindir", root + "/bin", "--etc", root + "/etc",
                "--data", root + "/data", "--checkpoints", root + "/checkpoints", "--tools", "dirctl",
            ])
        }
        let linked = try layout()
        #expect(linked.status == 73)
        #expect(linked.stderr.contains("\(root)/data is a symbolic link"), "\(linked.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: victim)[.posixPermissions] as? Int) == 0o700)
        // A folder someone else made first is not adopted.
        try FileManager.default.removeItem(atPath: root + "/data")
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: false)
        try ProcessRunner.runChecked("/bin/chown", ["nobody", root + "/data"])
        let foreign = try layout()
        #expect(foreign.status == 73)
        #expect(foreign.stderr.contains("is not root's"), "\(foreign.stderr)")
    }
}
