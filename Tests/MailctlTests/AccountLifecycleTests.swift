import Foundation
import Messaging
import MailTestSupport
import SwitchboardTestSupport
import SwitchboardCore
import SwitchboardBase
import Testing
import Transport

/// What the helpdesk does to a mailbox, and what the real Dovecot and Postfix then do.
@Suite struct AccountLifecycleTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    @Test func aCreatedMailboxLogsInAtOnce() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("an")
        #expect(mail.imapLogin(address, Self.password) == nil)
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(address, "wrong-password-123")))
        let shown = try mail.expectOK("account", "show", address).stdout
        #expect(shown.contains("active"))
        #expect(shown.contains("mb-"))
    }

    @Test func disableLoginRefusesLoginButStillDelivers() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("binh")
        try mail.expectOK("account", "disable-login", address, "--reason", "nghỉ phép")
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(address, Self.password)))
        let id = try mail.deliver(to: [address])
        #expect(try mail.delivered(id, to: address))
        try mail.expectOK("account", "enable", address)
        #expect(mail.imapLogin(address, Self.password) == nil)
    }

    @Test func suspendRefusesRecipientsAtRCPT() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("cuong")
        try mail.expectOK("account", "suspend", address)
        do {
            try mail.deliver(to: [address])
            Issue.record("a suspended mailbox accepted mail")
        } catch let error as TransportError {
            #expect(error.code == .recipientRejected)
            #expect(error.serverReply?.contains("550") == true)
        }
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(address, Self.password)))
    }

    @Test func resetPasswordRefusesTheOldAndAcceptsTheNew() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("dung")
        let newPassword = "Hoa-sua-no-muon-2026"
        let run = try mail.expectOK("account", "reset-password", address, "--password-stdin", stdin: newPassword + "\n")
        #expect(!run.stdout.contains(newPassword))
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(address, Self.password)))
        #expect(mail.imapLogin(address, newPassword) == nil)
        // A generated password is shown once and works.
        let generated = try mail.expectOK("account", "reset-password", address, stdin: "").stdout
        let shown = try #require(generated.split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(mail.imapLogin(address, shown) == nil)
        // The audit log knows it happened, never what the password is.
        let details = try mail.scalar("SELECT group_concat(details, ' ') FROM audit_event WHERE target = 'mailbox:\(address)'")
        #expect(!details.contains(newPassword) && !details.contains(shown))
        #expect(try mail.scalar("SELECT count(*) FROM audit_event WHERE target = 'mailbox:\(address)' AND action = 'mail.account.reset-password'") == "2")
    }

    /// `mailctl password`: a person changes their own mailbox's password, the current one checked.
    @Test func aPersonChangesTheirOwnPasswordAndOnlyTheirOwn() throws {
        let mail = try MailWorkspace()
        let tag = String(mail.domain.prefix(9))
        let (owner, other) = ("owner-\(tag)", "other-\(tag)")
        try mail.dirctlOK("person", "add", owner, "--name", "Chủ hộp thư")
        try mail.dirctlOK("person", "add", other, "--name", "Người khác")
        let address = try mail.mailbox("own", extra: ["--person", owner])
        let newPassword = "Sen-no-mua-ha-2026"
        let hash = try mail.scalar("SELECT password_hash FROM mailbox WHERE address = '\(address)'")
        // A wrong current password: refused (77), audited as denied, nothing changed.
        let wrong = try mail.mailctl(["password", "--password-stdin", "--as", owner], stdin: "not-the-password-1\n\(newPassword)\n")
        #expect(wrong.status == 77, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("the current password is not right"))
        #expect(try mail.scalar("SELECT password_hash FROM mailbox WHERE address = '\(address)'") == hash)
        // Someone else's mailbox: refused even with the right password.
        let foreign = try mail.mailctl(["password", address, "--password-stdin", "--as", other], stdin: "\(Self.password)\n\(newPassword)\n")
        #expect(foreign.status == 77)
        #expect(foreign.stderr.contains("is not a mailbox of \(other)'s own"), "\(foreign.stderr)")
        // A new password that breaks the policy: refused, nothing changed.
        let weak = try mail.mailctl(["password", "--password-stdin", "--as", owner], stdin: "\(Self.password)\nshort\n")
        #expect(weak.status == 65, "\(weak.stderr)")
        // The owner's own, with the right current password and no address (their only mailbox).
        let done = try mail.mailctl(["password", "--password-stdin", "--as", owner], stdin: "\(Self.password)\n\(newPassword)\n")
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("Password of \(address) changed"))
        // The owner's login finds their one mailbox.
        #expect(try mail.expectOK("account", "show", owner).stdout.contains(address))
        #expect(try mail.mailctl("account", "show", other).stderr.contains("\(other) has no mailbox"))
        #expect(mail.imapLogin(address, newPassword) == nil)
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(address, Self.password)))
        // Audited: the refusals and the change, never a password.
        let events = try mail.scalar("SELECT group_concat(outcome, ',') FROM audit_event WHERE action = 'mail.account.password' AND target = 'mailbox:\(address)' ORDER BY seq")
        #expect(events == "denied,denied,ok", "\(events)")
        let details = try mail.scalar("SELECT group_concat(details, ' ') FROM audit_event WHERE target = 'mailbox:\(address)'")
        #expect(!details.contains(newPassword) && !details.contains(Self.password))
        // Nothing goes on the command line: without a terminal or --password-stdin, one clear line.
        let noTerminal = try mail.mailctl(["password", "--as", owner], stdin: "")
        #expect(noTerminal.status == 64)
        #expect(noTerminal.stderr.contains("--password-stdin"))
    }

    /// `account import --send-welcome`: each new mailbox's welcome is queued in the import's
    /// transaction and sent after it; a rerun adds no mailbox and so no welcome.
    @Test func anImportWelcomesItsNewMailboxesOnceAndARerunNobody() throws {
        let mail = try MailWorkspace()
        let file = mail.folder + "/welcome.csv"
        try "address,display_name\nmoi1@\(mail.domain),Người mới 1\nmoi2@\(mail.domain),Người mới 2\n".write(toFile: file, atomically: true, encoding: .utf8)
        let sent = "SELECT count(*) FROM outbox WHERE kind = 'welcome' AND state = 'sent' AND target LIKE 'mailbox:moi_@\(mail.domain)'"
        let run = try mail.mailctl(["account", "import", file, "--passwords-out", mail.folder + "/pw.csv", "--send-welcome"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try mail.scalar(sent) == "2")
        #expect(run.stdout.contains("Sent the welcome mail to"), "\(run.stdout)")
        // Each event of a new mailbox names its notice.
        #expect(try mail.scalar("SELECT count(*) FROM audit_event WHERE action = 'mail.account.create' AND target LIKE 'mailbox:moi_@\(mail.domain)' AND details LIKE '%notice%'") == "2")
        let rerun = try mail.mailctl(["account", "import", file, "--passwords-out", mail.folder + "/pw2.csv", "--send-welcome"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("(0 new, 0 updated, 2 unchanged)"), "\(rerun.stdout)")
        #expect(try mail.scalar("SELECT count(*) FROM outbox WHERE kind = 'welcome' AND target LIKE 'mailbox:moi_@\(mail.domain)'") == "2")
    }

    /// `mail.password_notice_copy: manager`: the reset notice also reaches the person's manager,
    /// who can hand it over before the person can read their own mailbox.
    @Test func aResetNoticeAlsoReachesTheManagerWhenConfigured() throws {
        let mail = try MailWorkspace(mailSettings: ["password_notice_copy: manager"])
        let tag = String(mail.domain.prefix(9))
        let (boss, clerk) = ("boss-\(tag)", "clerk-\(tag)")
        try mail.dirctlOK("person", "add", boss, "--name", "Trưởng phòng")
        try mail.dirctlOK("person", "add", clerk, "--name", "Nhân viên", "--manager", boss)
        let bossBox = try mail.mailbox("truongphong", extra: ["--person", boss])
        let clerkBox = try mail.mailbox("nhanvien", extra: ["--person", clerk])
        let run = try mail.mailctl(["account", "reset-password", clerk, "--notify"], stdin: "")
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try mail.scalar("SELECT group_concat(recipients || ' ' || state, ', ') FROM outbox WHERE kind = 'password-reset' AND target = 'mailbox:\(clerkBox)' ORDER BY id")
        #expect(rows == "\(clerkBox) sent, \(bossBox) sent", "\(rows)")
        // The event says who got the copy; a staff mailbox with no manager gets none.
        #expect(try mail.scalar("SELECT details FROM audit_event WHERE action = 'mail.account.reset-password' AND target = 'mailbox:\(clerkBox)'").contains(bossBox))
        try mail.expectOK("account", "reset-password", bossBox, "--notify", stdin: "")
        #expect(try mail.scalar("SELECT count(*) FROM outbox WHERE kind = 'password-reset' AND target = 'mailbox:\(bossBox)'") == "1")
    }

    @Test func anAliasFansOutToEveryTarget() throws {
        let mail = try MailWorkspace()
        let first = try mail.mailbox("em")
        let second = try mail.mailbox("giang")
        let alias = mail.address("hotro")
        try mail.expectOK("alias", "add", alias, first)
        try mail.expectOK("alias", "add", alias, second)
        let id = try mail.deliver(to: [alias])
        #expect(try mail.delivered(id, to: first))
        #expect(try mail.delivered(id, to: second))
        #expect(try mail.expectOK("alias", "list", "--domain", mail.domain).stdout.contains(alias))
    }

    @Test func aFullMailboxBouncesAndTheQuotaReportShowsIt() throws {
        let mail = try MailWorkspace()
        let full = try mail.mailbox("hanh", extra: ["--quota", "1"])
        let sender = try mail.mailbox("khoa")
        let text = String(repeating: "Du lieu lon de vuot han muc. ", count: 2) + "0123456789abcdef\r\n"
        // About 850 kB: fits under the 1 MB quota and fills it past 80%.
        let filler = try mail.deliver(to: [full], from: sender, body: String(repeating: text, count: 850_000 / text.utf8.count))
        #expect(try mail.delivered(filler, to: full))
        // About 300 kB more: over the quota. Dovecot answers 552 and Postfix returns the mail to the sender.
        let refused = try mail.deliver(to: [full], from: sender, body: String(repeating: text, count: 300_000 / text.utf8.count))
        let bounce = try #require(try mail.waitForMessage(containing: refused, to: sender), "no bounce for \(refused) reached \(sender)")
        #expect(bounce.contains("report-type=delivery-status"), "not a delivery status notification: \(bounce.prefix(600))")
        #expect(bounce.contains("Final-Recipient: rfc822; \(full)"))
        #expect(bounce.contains("Status: 5.2.2"), "the bounce is not for a full mailbox")
        #expect(bounce.contains("552 5.2.2"))
        // Postfix's own log says the same, and the message is not in the full mailbox.
        let logged = try mail.postfixLog().split(separator: "\n").filter { $0.contains("to=<\(full)>") && $0.contains("status=bounced") }
        #expect(logged.count == 1 && logged[0].contains("552 5.2.2") && logged[0].contains("Quota exceeded"), "\(logged)")
        #expect(try !mail.delivered(refused, to: full, timeout: 0))
        // The report, scoped to this test's domain, flags the full mailbox and not the empty one.
        let report = try mail.expectOK("quota-report", "--domain", mail.domain, "--json").stdout
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [[String: Any]])
        #expect(Set(lines.compactMap { $0["address"] as? String }) == [full, sender])
        let line = try #require(lines.first { $0["address"] as? String == full })
        #expect(line["limit_kib"] as? Int == 1024)
        #expect((line["percent"] as? Int ?? 0) >= 80)
        #expect(line["flagged"] as? Bool == true)
        let other = try #require(lines.first { $0["address"] as? String == sender })
        #expect(other["flagged"] as? Bool == false)
        let flagged = try mail.expectOK("quota-report", "--domain", mail.domain, "--only-flagged").stdout
        #expect(flagged.contains(full) && !flagged.contains(sender) && flagged.contains("FULL SOON"))
    }

    @Test func aQuotaWarningMailReachesAMailboxPastTheThreshold() throws {
        let mail = try MailWorkspace()
        let nearlyFull = try mail.mailbox("phuc", extra: ["--quota", "1"])
        let roomy = try mail.mailbox("quyen", extra: ["--quota", "100"])
        let text = "Du lieu de gan day han muc 0123456789abcdef\r\n"
        let filler = try mail.deliver(to: [nearlyFull], body: String(repeating: text, count: 870_000 / text.utf8.count))
        #expect(try mail.delivered(filler, to: nearlyFull))
        let run = try mail.expectOK("quota-report", "--domain", mail.domain, "--only-flagged", "--notify")
        #expect(run.stdout.contains(nearlyFull) && !run.stdout.contains(roomy))
        let sent = run.stdout.split(separator: "\n").filter { $0.hasPrefix("Sent the quota-warning mail to") }
        #expect(sent.count == 1, "\(run.stdout)")
        let messageID = try #require(sent.first.flatMap { $0.split(separator: "(").last.map { String($0.dropLast()) } })
        let warning = try #require(try mail.waitForMessage(containing: messageID, to: nearlyFull), "the quota warning did not arrive")
        let subject = try #require(NotificationTests.header("Subject", in: warning.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")))
        let decoded = EncodedWord.decode(subject)
        #expect(decoded.hasPrefix("Hộp thư \(nearlyFull) sắp đầy ("), "\(decoded)")
        #expect(decoded.hasSuffix("%)"))
        // Only the flagged mailbox was written to, and the sending is audited.
        #expect(try mail.messagesOnDisk(home: try mail.home(of: roomy)).isEmpty)
        #expect(try mail.events("action = 'mail.notify' AND target = 'mailbox:\(nearlyFull)' AND details LIKE '%quota-warning%'") == 1)
        #expect(try mail.events("action = 'mail.notify' AND target = 'mailbox:\(roomy)'") == 0)
    }

    @Test func setQuotaChangesWhatDovecotEnforces() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("son")
        let imapQuota = { () throws -> Int? in
            let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: address, password: Secret(Self.password)))
            defer { session.close() }
            return try session.quota()?.limitKiB
        }
        #expect(try imapQuota() == nil, "a mailbox made with default_quota_mb 0 has no quota")
        let run = try mail.expectOK("account", "set-quota", address, "2")
        #expect(run.stdout.contains("2 MB"))
        #expect(try mail.scalar("SELECT quota_bytes FROM mailbox WHERE address = '\(address)'") == "2097152")
        #expect(try imapQuota() == 2048)
        #expect(try mail.expectOK("account", "show", address).stdout.contains("2 MB"))
        try mail.expectOK("account", "set-quota", address, "0")
        #expect(try mail.scalar("SELECT quota_bytes IS NULL FROM mailbox WHERE address = '\(address)'") == "1")
        #expect(try imapQuota() == nil)
        #expect(try mail.scalar("SELECT group_concat(details, ' ') FROM audit_event WHERE action = 'mail.account.set-quota' AND target = 'mailbox:\(address)' ORDER BY seq")
                == #"{"from_bytes":0,"to_bytes":2097152} {"from_bytes":2097152,"to_bytes":0}"#)
        let bad = try mail.mailctl("account", "set-quota", address, "20000000")
        #expect(bad.status == 65, "\(bad.status) \(bad.stderr)")
        #expect(bad.stderr.contains("quota"))
        #expect(try mail.scalar("SELECT quota_bytes IS NULL FROM mailbox WHERE address = '\(address)'") == "1")
    }

    @Test func renameKeepsTheOldAddressReceiving() throws {
        let mail = try MailWorkspace()
        let old = try mail.mailbox("lan")
        let new = mail.address("lan.tran")
        let homeKey = try mail.scalar("SELECT home_key FROM mailbox WHERE address = '\(old)'")
        try mail.expectOK("account", "rename", old, new)
        #expect(mail.imapLogin(new, Self.password) == nil)
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(old, Self.password)))
        let id = try mail.deliver(to: [old])
        #expect(try mail.delivered(id, to: new))
        #expect(try mail.scalar("SELECT home_key FROM mailbox WHERE address = '\(new)'") == homeKey)
    }

    @Test func deleteThenPurgeRemovesTheMailbox() throws {
        let mail = try MailWorkspace()
        // With home_base set, purge also removes the mail folders.
        let home = ["home_base: \(mail.stackDir)/mail"]
        try mail.writeConfig(mailSettings: home)
        let address = try mail.mailbox("minh")
        try mail.expectOK("account", "delete", address)
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(address, Self.password)))
        #expect(try mail.expectOK("account", "show", address).stdout.contains("pending-purge"))
        // Still inside the retention period (30 days by default): purge leaves it, and enable undoes the delete.
        #expect(try mail.expectOK("account", "purge", "--domain", mail.domain).stdout.contains("Nothing to purge"))
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE address = '\(address)'") == "1")
        try mail.expectOK("account", "enable", address)
        #expect(mail.imapLogin(address, Self.password) == nil)

        // With no retention, the next purge removes a deleted mailbox and everything that names it.
        try mail.writeConfig(mailSettings: home + ["deleted_retention_days: 0"])
        let login = "khoi.\(mail.domain.prefix(9))"
        let name = "Trương Minh Khôi"
        try mail.dirctlOK("person", "add", login, "--name", name)
        let first = mail.address("khoi")
        try mail.expectOK("account", "create", first, "--person", login, "--password-stdin", stdin: Self.password + "\n")
        let id = try mail.deliver(to: [first])
        #expect(try mail.delivered(id, to: first))
        let folder = try mail.home(of: first)
        #expect(FileManager.default.fileExists(atPath: folder + "/Maildir"))
        let current = mail.address("khoi.truong")
        try mail.expectOK("account", "rename", first, current)
        let alias = mail.address("hotro")
        try mail.expectOK("alias", "add", alias, current)
        try mail.expectOK("account", "delete", current)
        let purged = try mail.expectOK("account", "purge", "--domain", mail.domain, "--json").stdout
        #expect(try JSONSerialization.jsonObject(with: Data(purged.utf8)) as? [String] == [current])
        // Gone from every table the mail servers read: the row, the rename alias, the alias to it.
        for (table, column) in [("mailbox", "address"), ("mailbox", "display_name"), ("mail_alias", "address"), ("mail_alias", "target"),
                                ("mail_sender_login", "address"), ("mail_sender_login", "login")] {
            let rows = try mail.scalar("SELECT count(*) FROM \(table) WHERE \(column) LIKE 'khoi%@\(mail.domain)' OR \(column) = '\(name)'")
            #expect(rows == "0", "\(table).\(column) still names the purged mailbox")
        }
        #expect(!FileManager.default.fileExists(atPath: folder), "the mail folder \(folder) is still there")
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(current, Self.password)))
        for gone in [current, first, alias] { #expect(try mail.isRefusedAtRCPT(gone), "\(gone) still accepts mail") }
        // The mailbox inside its retention is untouched, and the purge is audited with what it removed.
        #expect(mail.imapLogin(address, Self.password) == nil)
        #expect(try mail.scalar("SELECT details FROM audit_event WHERE action = 'mail.account.purge' AND target = 'mail-domain:\(mail.domain)' AND details LIKE '%khoi%'")
                == #"{"purged":["\#(current)"]}"#)
    }

    @Test func purgingADepartedPersonClearsTheirNameFromTheMailTables() throws {
        let mail = try MailWorkspace()
        try mail.writeConfig(sections: "directory:\n  departed_retention_days: 0")
        let login = "vy.\(mail.domain.prefix(9))"
        let name = "Hoàng Thị Tường Vy"
        try mail.dirctlOK("person", "add", login, "--name", name)
        let address = mail.address("vy.hoang")
        try mail.expectOK("account", "create", address, "--person", login, "--password-stdin", stdin: Self.password + "\n")
        #expect(try mail.scalar("SELECT display_name FROM mailbox WHERE address = '\(address)'") == name)
        try mail.dirctlOK("person", "depart", login)
        // Departed but not purged yet: the name stays.
        #expect(try mail.scalar("SELECT display_name FROM mailbox WHERE address = '\(address)'") == name)
        let purged = try mail.dirctlOK("person", "purge")
        #expect(purged.stdout.contains(login))
        #expect(try mail.scalar("SELECT display_name FROM mailbox WHERE address = '\(address)'") == address)
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE display_name LIKE '%Tường Vy%'") == "0")
        #expect(try mail.scalar("SELECT count(*) FROM person WHERE display_name LIKE '%Tường Vy%'") == "0")
        #expect(!(try mail.expectOK("account", "show", address).stdout.contains("Tường")))
    }

    @Test func aDisabledDomainRefusesLoginAndMailUntilEnabled() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("tuan")
        func listed() throws -> [String: Any]? {
            let json = try mail.expectOK("domain", "list", "--json").stdout
            let domains = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            return domains.first { $0["name"] as? String == mail.domain }
        }
        let before = try #require(try listed(), "domain list does not show \(mail.domain)")
        #expect(before["status"] as? String == "active")
        #expect(before["mailboxes"] as? Int == 1)
        let table = try mail.expectOK("domain", "list").stdout.split(separator: "\n").first { $0.hasPrefix(mail.domain + " ") }
        #expect(table.map { $0.contains("active") && $0.hasSuffix(" 1") } == true, "\(String(describing: table))")

        try mail.expectOK("domain", "disable", mail.domain)
        #expect(try listed()?["status"] as? String == "disabled")
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(address, Self.password)))
        #expect(try mail.isRefusedAtRCPT(address))
        let again = try mail.mailctl("domain", "disable", mail.domain)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already disabled"))

        try mail.expectOK("domain", "enable", mail.domain)
        #expect(try listed()?["status"] as? String == "active")
        #expect(mail.imapLogin(address, Self.password) == nil)
        let id = try mail.deliver(to: [address])
        #expect(try mail.delivered(id, to: address))
        #expect(try mail.scalar("SELECT group_concat(action || ' ' || details, ' ') FROM audit_event WHERE action LIKE 'mail.domain.%able' AND target = 'mail-domain:\(mail.domain)' ORDER BY seq")
                == #"mail.domain.disable {"from":"active","to":"disabled"} mail.domain.enable {"from":"disabled","to":"active"}"#)
        let unknown = try mail.mailctl("domain", "disable", "nope-" + mail.domain)
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("no mail domain"))
    }

    /// The targets Postfix finds for an address in the alias map (empty when none).
    func aliasTargets(_ mail: MailWorkspace, _ address: String) throws -> [String] {
        let postfix = try mail.stack.require("POSTFIX_CONFIG_DIR")
        let run = try ProcessRunner.run("/usr/sbin/postmap", ["-c", postfix, "-q", address, "sqlite:\(postfix)/sqlite-aliases.cf"])
        // postmap -q exits 1 when the key is not found, 0 with the value when it is.
        #expect(run.status == 0 || (run.status == 1 && run.stdout.isEmpty), "postmap failed: \(run.stderr)")
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.sorted()
    }

    @Test func removingAnAliasTargetOrTheWholeAliasStopsItsDelivery() throws {
        let mail = try MailWorkspace()
        let first = try mail.mailbox("uyen")
        let second = try mail.mailbox("van")
        let alias = mail.address("tongdai")
        try mail.expectOK("alias", "add", alias, first)
        try mail.expectOK("alias", "add", alias, second)
        #expect(try aliasTargets(mail, alias) == [first, second].sorted())
        try mail.expectOK("alias", "remove", alias, first)
        #expect(try aliasTargets(mail, alias) == [second])
        let listed = try mail.expectOK("alias", "list", "--domain", mail.domain).stdout
        #expect(listed.contains(second) && !listed.contains(first))
        // A message to the alias and, separately, one to the second mailbox: once both are in, the first got neither.
        let toAlias = try mail.deliver(to: [alias])
        #expect(try mail.delivered(toAlias, to: second))
        #expect(try !mail.delivered(toAlias, to: first, timeout: 0))
        try mail.expectOK("alias", "remove", alias)
        #expect(try aliasTargets(mail, alias).isEmpty)
        #expect(try mail.isRefusedAtRCPT(alias))
        let missing = try mail.mailctl("alias", "remove", alias)
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("no alias"))
        #expect(try mail.scalar("SELECT group_concat(details, ' ') FROM audit_event WHERE action = 'mail.alias.remove' AND target = 'mail-alias:\(alias)' ORDER BY seq")
                == #"{"target":"\#(first)"} {"target":"*"}"#)
    }

    @Test func anUnpublishedListStopsReceiving() throws {
        let mail = try MailWorkspace()
        let suffix = String(mail.domain.prefix(9))
        let group = "ds-\(suffix)"
        try mail.dirctlOK("group", "add", group)
        let login = "xuan.\(suffix)"
        try mail.dirctlOK("person", "add", login, "--name", "Người Xuân")
        try mail.dirctlOK("group", "member", "add", group, "--person", login)
        let box = mail.address("xuan")
        try mail.expectOK("account", "create", box, "--person", login, "--password-stdin", stdin: Self.password + "\n")
        let list = mail.address("danh-sach")
        try mail.expectOK("group", "publish", group, "--address", list)
        #expect(try aliasTargets(mail, list) == [box])
        try mail.expectOK("group", "unpublish", list)
        #expect(try aliasTargets(mail, list).isEmpty)
        #expect(try mail.scalar("SELECT count(*) FROM mail_alias WHERE address = '\(list)'") == "0")
        #expect(try mail.isRefusedAtRCPT(list))
        let again = try mail.mailctl("group", "unpublish", list)
        #expect(again.status == 65)
        #expect(again.stderr.contains("no distribution list"))
        #expect(try mail.events("action = 'mail.group.unpublish' AND target = 'mail-list:\(list)' AND outcome = 'ok'") == 1)
        // The mailbox itself still receives.
        let id = try mail.deliver(to: [box])
        #expect(try mail.delivered(id, to: box))
    }

    @Test func accountListFiltersByDomainStatusAndUnit() throws {
        let mail = try MailWorkspace()
        let tag = String(mail.domain.dropFirst().prefix(8)).uppercased()
        let unit = "U\(tag)", sub = "S\(tag)"
        try mail.dirctlOK("unit", "add", unit, "--name", "Phòng \(tag)")
        try mail.dirctlOK("unit", "add", sub, "--name", "Tổ \(tag)", "--parent", unit)
        var boxes: [String: String] = [:]
        for (name, unitCode) in [("an", unit), ("binh", sub), ("chi", "")] {
            let login = "\(name).\(tag.lowercased())"
            if unitCode.isEmpty {
                try mail.dirctlOK("person", "add", login, "--name", "Người \(name)")
            } else {
                try mail.dirctlOK("person", "add", login, "--name", "Người \(name)", "--unit", unitCode)
            }
            let address = mail.address(name)
            try mail.expectOK("account", "create", address, "--person", login, "--password-stdin", stdin: Self.password + "\n")
            boxes[name] = address
        }
        let service = try mail.mailbox("hopthu-chung")
        try mail.expectOK("account", "disable-login", boxes["chi"] ?? "")
        func list(_ filters: String...) throws -> [String] {
            let json = try mail.expectOK(["account", "list", "--json"] + filters).stdout
            let accounts = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            return accounts.compactMap { $0["address"] as? String }
        }
        #expect(try list("--domain", mail.domain) == [boxes["an"], boxes["binh"], boxes["chi"], service].compactMap { $0 }.sorted())
        // --unit and --subunits mean what they mean in `dirctl person list`.
        #expect(try list("--unit", unit) == [boxes["an"]].compactMap { $0 }, "--unit alone is that unit only")
        #expect(try list("--unit", unit, "--subunits") == [boxes["an"], boxes["binh"]].compactMap { $0 }.sorted(), "--subunits includes its sub-units")
        #expect(try list("--unit", sub.lowercased()) == [boxes["binh"]].compactMap { $0 })
        #expect(try list("--domain", mail.domain, "--status", "login-disabled") == [boxes["chi"]].compactMap { $0 })
        #expect(try list("--domain", mail.domain, "--status", "suspended").isEmpty)
        let table = try mail.expectOK("account", "list", "--domain", mail.domain, "--status", "active").stdout
        #expect(table.hasPrefix("ADDRESS"))
        #expect(table.contains(service) && !table.contains(boxes["chi"] ?? "?"))
        let badStatus = try mail.mailctl("account", "list", "--status", "asleep")
        // A status the command line does not know is bad usage, refused before anything is opened.
        #expect(badStatus.status == 64)
        #expect(badStatus.stderr.contains("'asleep' is invalid for '--status <status>'"))
        #expect(badStatus.stderr.contains("'login-disabled'"))
        let badUnit = try mail.mailctl("account", "list", "--unit", "NOPE\(tag)")
        #expect(badUnit.status == 65)
        #expect(badUnit.stderr.contains("no unit"))
    }

    @Test func aGroupIsPublishedAsADistributionList() throws {
        let mail = try MailWorkspace()
        let suffix = String(mail.domain.prefix(9))
        let group = "nhom-\(suffix)"
        #expect(try mail.dirctl("group", "add", group).status == 0)
        var boxes: [String] = []
        for name in ["nam", "oanh"] {
            let login = "\(name).\(suffix)"
            #expect(try mail.dirctl("person", "add", login, "--name", "Người \(name)").status == 0)
            #expect(try mail.dirctl("group", "member", "add", group, "--person", login).status == 0)
            let address = mail.address(name)
            try mail.expectOK("account", "create", address, "--person", login, "--password-stdin", stdin: Self.password + "\n")
            boxes.append(address)
        }
        let list = mail.address("ca-nhom")
        let published = try mail.expectOK("group", "publish", group, "--address", list)
        #expect(published.stdout.contains("2 mailboxes"))
        let id = try mail.deliver(to: [list])
        for box in boxes { #expect(try mail.delivered(id, to: box)) }
    }
}
