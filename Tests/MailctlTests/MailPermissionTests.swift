import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// Mail commands go through the same policy table: helpdesk runs mailboxes, admins run domains and purges,
/// auditors read. Every one of mailctl's commands, run by every role.
@Suite struct MailPermissionTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    /// One mailctl command; `{d}` is the acting role's own mail domain, `{role}` the role's name.
    struct Case: CustomStringConvertible, Sendable {
        var arguments: [String]
        var allowed: Set<String>
        /// The action the policy decides on: a refusal is audited under it, a done change too.
        var action: String
        /// Audit events a done command adds (0 for a read; an import adds one per mailbox too).
        var events = 1
        /// SQL whose value shows the change; `expect` is its value afterwards when allowed.
        var check: String?
        var expect = ""
        /// Text a read shows when allowed.
        var shows: String?
        /// SQL whose value must differ afterwards when allowed.
        var changes: String?
        /// Standard input, when not the one password every other case reads.
        var stdin: String?
        var description: String { arguments.joined(separator: " ") }
    }

    static let admin: Set = ["admin"]
    static let everyone: Set = ["admin", "helpdesk", "staff", "auditor"]
    static let writers: Set = ["admin", "helpdesk"]
    static let readers: Set = ["admin", "helpdesk", "auditor"]

    static func status(_ local: String) -> String { "SELECT status FROM mailbox WHERE address = '\(local)@{d}'" }

    static let cases: [Case] = [
        Case(arguments: ["domain", "add", "sub.{d}"], allowed: admin, action: "mail.domain.add",
             check: "SELECT status FROM mail_domain WHERE name = 'sub.{d}'", expect: "active"),
        Case(arguments: ["domain", "list"], allowed: readers, action: "mail.domain.read", events: 0, shows: "{d}"),
        Case(arguments: ["domain", "disable", "on.{d}"], allowed: admin, action: "mail.domain.disable",
             check: "SELECT status FROM mail_domain WHERE name = 'on.{d}'", expect: "disabled"),
        Case(arguments: ["domain", "enable", "off.{d}"], allowed: admin, action: "mail.domain.enable",
             check: "SELECT status FROM mail_domain WHERE name = 'off.{d}'", expect: "active"),
        Case(arguments: ["domain", "dns", "{d}"], allowed: readers, action: "mail.domain.read", events: 0, shows: "_dmarc.{d}."),
        // The role's domain is served by the test DNS (prepare): the check passes.
        Case(arguments: ["domain", "check", "{d}", "--server", "{dns}"], allowed: readers, action: "mail.domain.read", events: 0,
             shows: "every record is published and its mail is signed"),
        Case(arguments: ["domain", "dkim", "list", "{d}"], allowed: readers, action: "mail.domain.read", events: 0, shows: "sb-"),
        Case(arguments: ["domain", "dkim", "rotate", "{d}"], allowed: admin, action: "mail.dkim.rotate",
             check: "SELECT count(*) FROM mail_dkim_key k JOIN mail_domain d ON d.id = k.domain_id WHERE d.name = '{d}' AND k.state = 'published'",
             expect: "1"),
        // The new key's record is not published: the advance waits and changes nothing.
        Case(arguments: ["domain", "dkim", "advance", "{d}", "--server", "{dns}"], allowed: admin, action: "mail.dkim.activate", events: 0,
             shows: "waiting"),
        Case(arguments: ["domain", "dkim", "cancel", "{d}"], allowed: admin, action: "mail.dkim.cancel",
             check: "SELECT count(*) FROM mail_dkim_key k JOIN mail_domain d ON d.id = k.domain_id WHERE d.name = '{d}' AND k.state = 'published'",
             expect: "0"),
        Case(arguments: ["account", "create", "new@{d}", "--name", "Tài khoản mới", "--password-stdin"], allowed: writers,
             action: "mail.account.create", check: status("new"), expect: "active"),
        Case(arguments: ["account", "show", "box@{d}"], allowed: readers, action: "mail.account.read", events: 0, shows: "box@{d}"),
        Case(arguments: ["account", "list", "--domain", "{d}"], allowed: readers, action: "mail.account.read", events: 0, shows: "box@{d}"),
        Case(arguments: ["account", "disable-login", "dis@{d}"], allowed: writers, action: "mail.account.disable-login",
             check: status("dis"), expect: "login-disabled"),
        Case(arguments: ["account", "suspend", "sus@{d}"], allowed: writers, action: "mail.account.suspend",
             check: status("sus"), expect: "suspended"),
        Case(arguments: ["account", "enable", "off@{d}"], allowed: writers, action: "mail.account.enable",
             check: status("off"), expect: "active"),
        Case(arguments: ["account", "reset-password", "pw@{d}", "--password-stdin"], allowed: writers, action: "mail.account.reset-password",
             changes: "SELECT password_hash FROM mailbox WHERE address = 'pw@{d}'"),
        Case(arguments: ["account", "set-quota", "q@{d}", "7"], allowed: writers, action: "mail.account.set-quota",
             check: "SELECT quota_bytes FROM mailbox WHERE address = 'q@{d}'", expect: "7340032"),
        Case(arguments: ["account", "rename", "old@{d}", "renamed@{d}"], allowed: writers, action: "mail.account.rename",
             check: "SELECT count(*) FROM mailbox WHERE address = 'renamed@{d}'", expect: "1"),
        Case(arguments: ["account", "delete", "del@{d}"], allowed: writers, action: "mail.account.delete",
             check: status("del"), expect: "pending-purge"),
        Case(arguments: ["account", "purge", "--domain", "gone.{d}"], allowed: admin, action: "mail.account.purge",
             check: "SELECT count(*) FROM mailbox WHERE address = 'gone@gone.{d}'", expect: "0"),
        Case(arguments: ["account", "import", "import-{role}.csv", "--passwords-out", "pw-{role}.csv"], allowed: writers,
             action: "mail.account.import", events: 2, check: status("imported"), expect: "active"),
        Case(arguments: ["alias", "add", "al@{d}", "box@{d}"], allowed: writers, action: "mail.alias.add",
             check: "SELECT count(*) FROM mail_alias WHERE address = 'al@{d}' AND target = 'box@{d}'", expect: "1"),
        Case(arguments: ["alias", "remove", "rm@{d}"], allowed: writers, action: "mail.alias.remove",
             check: "SELECT count(*) FROM mail_alias WHERE address = 'rm@{d}'", expect: "0"),
        Case(arguments: ["alias", "list", "--domain", "{d}"], allowed: readers, action: "mail.account.read", events: 0, shows: "keep@{d}"),
        Case(arguments: ["group", "publish", "g-{role}-{tag}", "--address", "list@{d}"], allowed: writers, action: "mail.group.publish",
             check: "SELECT group_concat(target) FROM mail_alias_view WHERE address = 'list@{d}' AND kind = 'list'", expect: "member@{d}"),
        Case(arguments: ["group", "unpublish", "old-list@{d}"], allowed: writers, action: "mail.group.unpublish",
             check: "SELECT count(*) FROM mail_alias WHERE address = 'old-list@{d}'", expect: "0"),
        Case(arguments: ["quota-report", "--domain", "{d}"], allowed: readers, action: "mail.quota-report", events: 0, shows: "box@{d}"),
        Case(arguments: ["password", "own@{d}", "--password-stdin"], allowed: everyone, action: "mail.account.password",
             changes: "SELECT password_hash FROM mailbox WHERE address = 'own@{d}'", stdin: password + "\nDoi-mat-khau-2026!\n"),
        Case(arguments: ["outbox", "list"], allowed: readers, action: "outbox.read", events: 0, shows: "box@{d}"),
        // Nothing of this role's waits (its row is in doubt): the send is allowed and sends nothing.
        Case(arguments: ["outbox", "send", "--id", "{oid}"], allowed: writers, action: "outbox.send", events: 0),
        Case(arguments: ["outbox", "requeue", "{oid}"], allowed: writers, action: "outbox.send",
             check: "SELECT state FROM outbox WHERE id = {oid}", expect: "waiting"),
        Case(arguments: ["doctor", "doc@{d}", "--password-stdin"], allowed: writers, action: "mail.account.doctor",
             check: "SELECT outcome FROM audit_event WHERE action = 'mail.account.doctor' AND target = 'mailbox:doc@{d}'", expect: "ok"),
    ]

    /// Everything in the mail tables under a role's domain, and the role's own events: what a refusal must not change.
    static func snapshot(_ mail: MailWorkspace, domain: String, login: String) throws -> String {
        let domains = "SELECT id FROM mail_domain WHERE name = '\(domain)' OR name LIKE '%.\(domain)'"
        return try SQLite.run(mail.database, """
            SELECT 'domain', name, status FROM mail_domain WHERE id IN (\(domains)) ORDER BY name;
            SELECT 'mailbox', address, display_name, password_hash, status, quota_bytes, purge_after, status_changed_at
              FROM mailbox WHERE domain_id IN (\(domains)) ORDER BY address;
            SELECT 'alias', address, target, kind FROM mail_alias WHERE domain_id IN (\(domains)) ORDER BY address, target;
            SELECT 'sender', address, login FROM mail_sender_login WHERE address LIKE '%\(domain)' ORDER BY address, login;
            SELECT 'event', seq, action, target, outcome FROM audit_event WHERE actor = '\(login)' AND outcome <> 'denied' ORDER BY seq;
            """)
    }

    /// A role's own domain with one of each object the cases act on, made by root.
    /// The number of this role's outbox row: from the test's tag, so no other test's row has it.
    /// Descending in the order the roles are prepared: a row queued by another test meanwhile
    /// takes the highest number + 1, never one of the numbers still to come.
    static func outboxRow(tag: String, role: String) -> Int64 {
        (Int64(tag, radix: 16) ?? 0) * 10 + 1_000_000 + 3 - Int64(["admin", "helpdesk", "staff", "auditor"].firstIndex(of: role) ?? 0)
    }

    static func prepare(_ mail: MailWorkspace, role: String, tag: String) throws -> String {
        let domain = "\(role).\(mail.domain)"
        for name in [domain, "on.\(domain)", "off.\(domain)", "gone.\(domain)"] { try mail.expectOK("domain", "add", name) }
        try mail.expectOK("domain", "disable", "off.\(domain)")
        for local in ["box", "dis", "sus", "off", "pw", "q", "old", "del", "doc"] {
            try mail.expectOK("account", "create", "\(local)@\(domain)", "--name", "Hộp \(local)", "--password-stdin", stdin: password + "\n")
        }
        try mail.expectOK("account", "disable-login", "off@\(domain)")
        try mail.expectOK("account", "create", "gone@gone.\(domain)", "--name", "Hộp cũ", "--password-stdin", stdin: password + "\n")
        try mail.expectOK("account", "delete", "gone@gone.\(domain)")
        try mail.expectOK("alias", "add", "rm@\(domain)", "box@\(domain)")
        try mail.expectOK("alias", "add", "keep@\(domain)", "box@\(domain)")
        let group = "g-\(role)-\(tag)", member = "m\(role.prefix(2))\(tag)"
        try mail.dirctlOK("group", "add", group)
        try mail.dirctlOK("person", "add", member, "--name", "Thành viên \(role)")
        try mail.dirctlOK("group", "member", "add", group, "--person", member)
        try mail.expectOK("account", "create", "member@\(domain)", "--person", member, "--password-stdin", stdin: password + "\n")
        try mail.expectOK("group", "publish", group, "--address", "old-list@\(domain)")
        // A mailbox of the role's own person, for `mailctl password`.
        try mail.expectOK("account", "create", "own@\(domain)", "--person", "\(role.prefix(2))\(tag)", "--password-stdin", stdin: password + "\n")
        // An outbox row in doubt (claimed an hour ago by a sender that stopped), with a number of its own.
        try SQLite.run(mail.database, """
            INSERT INTO outbox (id, message_id, kind, target, sender, recipients, message, state, created_at, created_by, attempts, last_attempt_at)
            VALUES (\(outboxRow(tag: tag, role: role)), '<doubt-\(role)-\(tag)@\(domain)>', 'welcome', 'mailbox:doubt@\(domain)',
                    'helpdesk@\(domain)', 'box@\(domain)', 'Subject: doubt\r\n\r\nx\r\n', 'sending',
                    strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hour'), 'root', 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hour'))
            """)
        try "address,display_name\nimported@\(domain),Nhập từ tệp\n".write(toFile: "\(mail.folder)/import-\(role).csv", atomically: true, encoding: .utf8)
        return domain
    }

    /// Acting on an admin's mailbox needs an admin, as acting on the admin does: its password
    /// opens the admin's mail. A helpdesk person is refused (77, audited); an admin is not.
    @Test func theHelpdeskCannotTouchAnAdminsMailbox() throws {
        let mail = try MailWorkspace()
        let domain = mail.domain
        // The stack's database is shared by every test: logins of this test's own.
        let tag = String(domain.prefix(9))
        let (boss, desk, clerk) = ("boss-\(tag)", "desk-\(tag)", "clerk-\(tag)")
        try mail.dirctlOK("person", "add", boss, "--name", "Quản trị viên", "--role", "admin")
        try mail.dirctlOK("person", "add", desk, "--name", "Hỗ trợ", "--role", "helpdesk")
        try mail.expectOK("account", "create", "boss@\(domain)", "--person", boss, "--password-stdin", stdin: Self.password + "\n")
        let hash = try mail.scalar("SELECT password_hash FROM mailbox WHERE address = 'boss@\(domain)'")
        for arguments in [["account", "reset-password", "boss@\(domain)", "--password-stdin"], ["account", "suspend", "boss@\(domain)"],
                          ["account", "set-quota", "boss@\(domain)", "1"], ["account", "rename", "boss@\(domain)", "chief@\(domain)"],
                          ["account", "delete", "boss@\(domain)"], ["account", "disable-login", "boss@\(domain)"]] {
            let run = try mail.mailctl(arguments + ["--as", desk], stdin: "Mat-khau-moi-2026!\n")
            #expect(run.status == 77, "\(arguments.joined(separator: " ")): \(run.stderr)")
            #expect(run.stderr.contains("is an admin: only an admin may"), "\(run.stderr)")
        }
        #expect(try mail.scalar("SELECT password_hash || ' ' || status || ' ' || ifnull(quota_bytes, 0) FROM mailbox WHERE address = 'boss@\(domain)'") == hash + " active 0")
        #expect(try mail.scalar("SELECT count(*) FROM audit_event WHERE actor = '\(desk)' AND outcome = 'denied' AND target = 'mailbox:boss@\(domain)'") == "6")
        // The helpdesk still runs a staff member's mailbox, and an admin the admin's.
        try mail.dirctlOK("person", "add", clerk, "--name", "Nhân viên")
        try mail.expectOK("account", "create", "clerk@\(domain)", "--person", clerk, "--password-stdin", stdin: Self.password + "\n")
        #expect(try mail.mailctl(["account", "suspend", "clerk@\(domain)", "--as", desk]).status == 0)
        #expect(try mail.mailctl(["account", "suspend", "boss@\(domain)"]).status == 0)
    }

    @Test func eachRoleGetsWhatThePolicySaysForEveryCommand() throws {
        // Retention 0: a mailbox deleted in set-up is due at once, so an allowed purge has something to do.
        let mail = try MailWorkspace(mailSettings: ["deleted_retention_days: 0"])
        let tag = String(mail.domain.dropFirst().prefix(8))
        // Every command the help tree lists has its case.
        let leaves = try CommandHelp.leaves("mailctl").map(\.path)
        #expect(leaves.count == 33)
        let dns = try TestDNS.current()
        for leaf in leaves {
            #expect(Self.cases.contains { Array($0.arguments.prefix(leaf.count)) == leaf }, "no case for mailctl \(leaf.joined(separator: " "))")
        }
        for role in ["admin", "helpdesk", "staff", "auditor"] {
            let login = "\(role.prefix(2))\(tag)"
            try mail.dirctlOK("person", "add", login, "--name", "Người \(role)", "--role", role)
            let domain = try Self.prepare(mail, role: role, tag: tag)
            try dns.serve(zone: domain, records: try mail.expectOK("domain", "dns", domain).stdout)
            defer { try? dns.remove(zone: domain) }
            for testCase in Self.cases {
                let fill = { (text: String) in
                    text.replacingOccurrences(of: "{d}", with: domain).replacingOccurrences(of: "{role}", with: role)
                        .replacingOccurrences(of: "{tag}", with: tag).replacingOccurrences(of: "{oid}", with: String(Self.outboxRow(tag: tag, role: role)))
                        .replacingOccurrences(of: "{dns}", with: dns.server)
                }
                let arguments = testCase.arguments.map(fill)
                let said = "\(role) \(arguments.joined(separator: " "))"
                let denials = "actor = '\(login)' AND outcome = 'denied' AND tool = 'mailctl'"
                let deniedBefore = try mail.events(denials)
                let deniedHereBefore = try mail.events(denials + " AND action = '\(testCase.action)'")
                let before = try Self.snapshot(mail, domain: domain, login: login)
                let changingBefore = try testCase.changes.map { try mail.scalar(fill($0)) }
                let done = "actor = '\(login)' AND outcome <> 'denied'"
                let eventsBefore = try mail.events(done)
                let run = try mail.mailctl(arguments + ["--as", login], stdin: testCase.stdin ?? Self.password + "\n")
                if testCase.allowed.contains(role) {
                    #expect(run.status == 0, "\(said) should run: \(run.stderr)")
                    if let check = testCase.check {
                        #expect(try mail.scalar(fill(check)) == fill(testCase.expect), "\(said) did not make its change")
                    }
                    if let changes = testCase.changes {
                        #expect(try mail.scalar(fill(changes)) != changingBefore, "\(said) did not make its change")
                    }
                    if let shows = testCase.shows { #expect(run.stdout.contains(fill(shows)), "\(said) shows: \(run.stdout.prefix(300))") }
                    // Exactly its own events: one of its action (an import adds one per mailbox too), none for a read.
                    #expect(try mail.events(done) - eventsBefore == testCase.events, "\(said) recorded the wrong number of events")
                    if testCase.events > 0 {
                        let last = try mail.scalar("SELECT action || ' ' || outcome || ' ' || os_user FROM audit_event WHERE \(done) AND action = '\(testCase.action)' ORDER BY seq DESC LIMIT 1")
                        #expect(last == "\(testCase.action) ok root", "\(said): \(last)")
                    } else {
                        #expect(try Self.snapshot(mail, domain: domain, login: login) == before, "the read \(said) changed data")
                    }
                    #expect(try mail.events(denials) == deniedBefore, "\(said) was allowed but a denial was recorded")
                } else {
                    #expect(run.status == 77, "\(said) should be refused: \(run.status) \(run.stderr)")
                    #expect(run.stderr.contains("permission denied"), "\(said): \(run.stderr)")
                    // Exactly one refusal, of this action, and nothing else changed.
                    #expect(try mail.events(denials) == deniedBefore + 1, "the refusal of \(said) was not audited exactly once")
                    #expect(try mail.events(denials + " AND action = '\(testCase.action)'") == deniedHereBefore + 1,
                            "the refusal of \(said) was not audited as \(testCase.action)")
                    #expect(try Self.snapshot(mail, domain: domain, login: login) == before, "the refused \(said) changed data")
                }
            }
            // A refused import wrote no password file.
            let passwords = "\(mail.folder)/pw-\(role).csv"
            #expect(FileManager.default.fileExists(atPath: passwords) == Self.writers.contains(role), "\(role): \(passwords)")
        }
    }
}
