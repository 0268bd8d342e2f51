import Foundation
import SwitchboardTestSupport
import SwitchboardCore
import SwitchboardBase
import Testing
import Transport

/// What the helpdesk does to a mailbox, and what the real Dovecot and Postfix then do.
@Suite struct AccountLifecycleTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    func isAuthRefusal(_ error: (any Error)?) -> Bool {
        (error as? TransportError)?.code == .authenticationFailed
    }

    @Test func aCreatedMailboxLogsInAtOnce() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("an")
        #expect(mail.imapLogin(address, Self.password) == nil)
        #expect(isAuthRefusal(mail.imapLogin(address, "wrong-password-123")))
        let shown = try mail.expectOK("account", "show", address).stdout
        #expect(shown.contains("active"))
        #expect(shown.contains("mb-"))
    }

    @Test func disableLoginRefusesLoginButStillDelivers() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("binh")
        try mail.expectOK("account", "disable-login", address, "--reason", "nghỉ phép")
        #expect(isAuthRefusal(mail.imapLogin(address, Self.password)))
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
        #expect(isAuthRefusal(mail.imapLogin(address, Self.password)))
    }

    @Test func resetPasswordRefusesTheOldAndAcceptsTheNew() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("dung")
        let newPassword = "Hoa-sua-no-muon-2026"
        let run = try mail.expectOK("account", "reset-password", address, "--password-stdin", stdin: newPassword + "\n")
        #expect(!run.stdout.contains(newPassword))
        #expect(isAuthRefusal(mail.imapLogin(address, Self.password)))
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
        // About 300 kB more: over the quota.
        let big = String(repeating: text, count: 300_000 / text.utf8.count)
        #expect(try mail.delivered(filler, to: full))
        let refused = try mail.deliver(to: [full], from: sender, body: big)
        #expect(try !mail.delivered(refused, to: full, timeout: 3))
        // The sender gets the bounce.
        let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: sender, password: Secret(Self.password)))
        defer { session.close() }
        let deadline = Date().addingTimeInterval(10)
        var bounced = false
        while !bounced, Date() < deadline {
            bounced = try session.messageCount() > 0
            if !bounced { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(bounced, "no bounce reached the sender")
        let report = try mail.expectOK("quota-report", "--json").stdout
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [[String: Any]])
        let line = try #require(lines.first { $0["address"] as? String == full })
        #expect(line["limit_kib"] as? Int == 1024)
        #expect(line["flagged"] as? Bool == true)
    }

    @Test func renameKeepsTheOldAddressReceiving() throws {
        let mail = try MailWorkspace()
        let old = try mail.mailbox("lan")
        let new = mail.address("lan.tran")
        let homeKey = try mail.scalar("SELECT home_key FROM mailbox WHERE address = '\(old)'")
        try mail.expectOK("account", "rename", old, new)
        #expect(mail.imapLogin(new, Self.password) == nil)
        #expect(isAuthRefusal(mail.imapLogin(old, Self.password)))
        let id = try mail.deliver(to: [old])
        #expect(try mail.delivered(id, to: new))
        #expect(try mail.scalar("SELECT home_key FROM mailbox WHERE address = '\(new)'") == homeKey)
    }

    @Test func deleteThenPurgeRemovesTheMailbox() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("minh")
        try mail.expectOK("account", "delete", address)
        #expect(isAuthRefusal(mail.imapLogin(address, Self.password)))
        #expect(try mail.expectOK("account", "show", address).stdout.contains("pending-purge"))
        // Still inside the retention period: purge leaves it.
        try mail.expectOK("account", "purge")
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE address = '\(address)'") == "1")
        try mail.expectOK("account", "enable", address)
        #expect(mail.imapLogin(address, Self.password) == nil)
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
