import Foundation
import SwitchboardBase
import MailTestSupport
import SwitchboardTestSupport
import Testing
import Transport

/// A person's state and the directory's groups reach the real Dovecot and Postfix at once,
/// through the views they read (`v3-live-mail`): no mailctl command after a dirctl one.
@Suite(.serialized) struct LiveMailTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    /// Sends one message over submission (AUTH as `address`); the error when refused.
    func submit(_ mail: MailWorkspace, as address: String, to recipient: String) -> (any Error)? {
        do {
            let session = try SMTPSession(server: mail.submissionServer,
                                          credentials: MailCredentials(username: address, password: Secret(Self.password)),
                                          heloName: mail.domain)
            defer { session.close() }
            let message = "From: <\(address)>\r\nTo: <\(recipient)>\r\nSubject: t\r\nMessage-ID: <\(UUID().uuidString)@\(mail.domain)>\r\n\r\nx\r\n"
            _ = try session.send(from: address, to: [recipient], message: message)
            return nil
        } catch {
            return error
        }
    }

    /// A person with one mailbox of their own; returns (login, address).
    func person(_ mail: MailWorkspace, _ name: String, extra: [String] = []) throws -> (login: String, address: String) {
        let login = "\(name).\(mail.domain.prefix(9))"
        let run = try ProcessRunner.run(ProcessRunner.product("dirctl"),
                                        ["person", "add", login, "--name", "Người \(name)"] + extra + ["--config", mail.config], in: mail.folder)
        #expect(run.status == 0, "person add \(login): \(run.stderr)")
        let address = mail.address(name)
        try mail.expectOK("account", "create", address, "--person", login, "--password-stdin", stdin: Self.password + "\n")
        return (login, address)
    }

    @Test func departRefusesLoginAtOnceAndKeepsMailAsConfigured() throws {
        let mail = try MailWorkspace(mailSettings: ["departed: {incoming: keep, keep_days: 7}"])
        let leaver = try person(mail, "hoa")
        let other = try mail.mailbox("khac", password: Self.password)
        #expect(mail.imapLogin(leaver.address, Self.password) == nil)
        #expect(submit(mail, as: leaver.address, to: other) == nil)
        let departed = try mail.dirctlOK("person", "depart", leaver.login)
        #expect(departed.stdout.contains("Mail \(leaver.address): login refused now; incoming mail still delivered until"))
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(leaver.address, Self.password)), "IMAP login of a departed person")
        #expect(MailWorkspace.isAuthRefusal(submit(mail, as: leaver.address, to: other)), "submission of a departed person")
        let id = try mail.deliver(to: [leaver.address])
        #expect(try mail.delivered(id, to: leaver.address), "kept for 7 days")
        #expect(try mail.scalar("SELECT incoming || ' ' || (keep_until > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+6 days')) FROM mail_departure JOIN person ON person.id = person_id WHERE login = '\(leaver.login)'") == "keep 1")
        // Once keep_until is past (the view compares it with SQLite's clock), mail is refused with the text.
        #expect(try mail.scalar("UPDATE mail_departure SET keep_until = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 seconds') WHERE person_id = (SELECT id FROM person WHERE login = '\(leaver.login)'); SELECT changes()") == "1")
        do {
            try mail.deliver(to: [leaver.address])
            Issue.record("mail to a leaver whose keep period is over was accepted")
        } catch let error as TransportError {
            #expect(error.serverReply?.contains("550 5.1.1") == true && error.serverReply?.contains("has left the organisation") == true,
                    "\(error.serverReply ?? "")")
        }
        try mail.dirctlOK("person", "restore", leaver.login)
        #expect(mail.imapLogin(leaver.address, Self.password) == nil, "restore gives the login back")
        #expect(submit(mail, as: leaver.address, to: other) == nil)
    }

    @Test func departForwardsToTheManagerWhenConfigured() throws {
        let mail = try MailWorkspace(mailSettings: ["departed: {incoming: forward}"])
        let manager = try person(mail, "an")
        let leaver = try person(mail, "binh", extra: ["--manager", "an.\(mail.domain.prefix(9))"])
        let departed = try mail.dirctlOK("person", "depart", leaver.login)
        #expect(departed.stdout.contains("incoming mail forwarded to their manager \(manager.address)"))
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(leaver.address, Self.password)))
        let id = try mail.deliver(to: [leaver.address])
        #expect(try mail.delivered(id, to: manager.address), "a leaver's mail reaches the manager")
        #expect(try !mail.delivered(id, to: leaver.address, timeout: 0))
        // The manager's own login is untouched.
        #expect(mail.imapLogin(manager.address, Self.password) == nil)
    }

    @Test func departBouncesWhenConfigured() throws {
        let mail = try MailWorkspace(mailSettings: ["departed: {incoming: bounce}"])
        let leaver = try person(mail, "chi")
        let departed = try mail.dirctlOK("person", "depart", leaver.login)
        #expect(departed.stdout.contains("incoming mail refused: 550 5.1.1 \(leaver.login) has left the organisation; please write to helpdesk@\(mail.domain)"))
        // Postfix answers at RCPT with the configured text naming who to contact (mail.notification_from here: no manager).
        var reply = ""
        do {
            try mail.deliver(to: [leaver.address])
        } catch let error as TransportError {
            #expect(error.code == .recipientRejected)
            reply = error.serverReply ?? ""
        }
        #expect(reply.contains("550 5.1.1"), "\(reply)")
        #expect(reply.contains("\(leaver.login) has left the organisation; please write to helpdesk@\(mail.domain)"), "\(reply)")
        try mail.dirctlOK("person", "restore", leaver.login)
        let id = try mail.deliver(to: [leaver.address])
        #expect(try mail.delivered(id, to: leaver.address))
    }

    @Test func suspendRefusesLoginAndRestoreGivesItBack() throws {
        let mail = try MailWorkspace()
        let staff = try person(mail, "dung")
        let service = try mail.mailbox("chung", password: Self.password)
        try mail.dirctlOK("person", "suspend", staff.login)
        #expect(MailWorkspace.isAuthRefusal(mail.imapLogin(staff.address, Self.password)), "IMAP login of a suspended person")
        #expect(MailWorkspace.isAuthRefusal(submit(mail, as: staff.address, to: service)), "submission of a suspended person")
        // A suspension keeps the mail coming; a service mailbox (no owner) is not affected.
        let id = try mail.deliver(to: [staff.address])
        #expect(try mail.delivered(id, to: staff.address))
        #expect(mail.imapLogin(service, Self.password) == nil)
        try mail.dirctlOK("person", "restore", staff.login)
        #expect(mail.imapLogin(staff.address, Self.password) == nil)
    }

    @Test func enablingADepartedPersonsMailboxIsRefused() throws {
        let mail = try MailWorkspace()
        let leaver = try person(mail, "giang")
        try mail.expectOK("account", "suspend", leaver.address)
        try mail.dirctlOK("person", "depart", leaver.login)
        let enable = try mail.mailctl("account", "enable", leaver.address)
        #expect(enable.status == 1)
        #expect(enable.stderr.contains("belongs to \(leaver.login), who is departed"))
        #expect(enable.stderr.contains("dirctl person restore \(leaver.login)"))
        #expect(try mail.scalar("SELECT status FROM mailbox WHERE address = '\(leaver.address)'") == "suspended")
        // As `account create --person` does for a departed person.
        let create = try mail.mailctl(["account", "create", mail.address("giang2"), "--person", leaver.login, "--password-stdin"],
                                      stdin: Self.password + "\n")
        #expect(create.status == 1 && create.stderr.contains("departed"))
        try mail.dirctlOK("person", "restore", leaver.login)
        try mail.expectOK("account", "enable", leaver.address)
        #expect(mail.imapLogin(leaver.address, Self.password) == nil)
    }

    @Test func aPublishedListFollowsItsGroupLive() throws {
        let mail = try MailWorkspace()
        let tag = String(mail.domain.prefix(9))
        let group = "live-\(tag)", nested = "sub-\(tag)"
        try mail.dirctlOK("group", "add", group)
        try mail.dirctlOK("group", "add", nested)
        try mail.dirctlOK("group", "member", "add", group, "--group", nested)
        let first = try person(mail, "hai")
        try mail.dirctlOK("group", "member", "add", group, "--person", first.login)
        let list = mail.address("ca-nhom")
        let published = try mail.expectOK("group", "publish", group, "--address", list)
        #expect(published.stdout.contains("1 mailboxes now"))
        // Added after the publish, with no second publish: directly and through the nested group.
        let added = try person(mail, "khanh")
        try mail.dirctlOK("group", "member", "add", group, "--person", added.login)
        let deep = try person(mail, "lan")
        try mail.dirctlOK("group", "member", "add", nested, "--person", deep.login)
        let next = try mail.deliver(to: [list])
        for box in [first.address, added.address, deep.address] {
            #expect(try mail.delivered(next, to: box), "\(box) receives the next list message")
        }
        // A departed member stops receiving with the next message; the others still do.
        try mail.dirctlOK("person", "depart", first.login)
        let after = try mail.deliver(to: [list])
        #expect(try mail.delivered(after, to: added.address))
        #expect(try mail.delivered(after, to: deep.address))
        #expect(try !mail.delivered(after, to: first.address, timeout: 0))
        #expect(try mail.scalar("SELECT count(*) FROM mail_alias WHERE address = '\(list)'") == "0", "no snapshot rows")
    }

    @Test func anExpiredOrMustChangePasswordIsRefusedWithTheReasonWhenEnforced() throws {
        let mail = try MailWorkspace(mailSettings: ["enforce_password_change: true"])
        let box = try mail.mailbox("het-han", password: Self.password)
        let other = try mail.mailbox("nhan", password: Self.password)
        #expect(mail.imapLogin(box, Self.password) == nil)
        func refusal(_ error: (any Error)?) -> String {
            guard let error = error as? TransportError else { return "not refused" }
            return "\(error.code) \(error.serverReply ?? "") \(error.description)"
        }
        // Expired (the clock moved past password_expires_at): refused, naming the command.
        #expect(try mail.scalar("UPDATE mailbox SET password_expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 seconds') WHERE address = '\(box)'; SELECT changes()") == "1")
        let expired = refusal(mail.imapLogin(box, Self.password))
        #expect(expired.contains("mailctl password"), "\(expired)")
        #expect(submit(mail, as: box, to: other) != nil, "submission of an expired password")
        // The reason is only for the right password: a wrong one gets the usual refusal.
        #expect(!refusal(mail.imapLogin(box, "wrong-password-123")).contains("mailctl password"))
        // Must change (a reset with --must-change): refused the same way.
        try mail.expectOK("account", "reset-password", box, "--password-stdin", "--must-change", stdin: Self.password + "\n")
        let mustChange = refusal(mail.imapLogin(box, Self.password))
        #expect(mustChange.contains("mailctl password"), "\(mustChange)")
        // Without enforcement in the config, the same state logs in (the app's warnings only).
        let relaxed = try MailWorkspace()
        let lax = try relaxed.mailbox("thoai-mai", password: Self.password)
        try relaxed.expectOK("account", "reset-password", lax, "--password-stdin", "--must-change", stdin: Self.password + "\n")
        #expect(relaxed.imapLogin(lax, Self.password) == nil)
    }
}
