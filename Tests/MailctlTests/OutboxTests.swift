import Foundation
import SwitchboardBase
import MailTestSupport
import SwitchboardTestSupport
import Testing
import Transport

/// The outbox on the real stack: a notice is queued with its change, waits while the relay is
/// down (the config points `mail.relay` at a closed port; the shared stack keeps running), and
/// `mailctl outbox send` delivers it exactly once, every attempt audited.
///
/// Serialized: `outbox send` sends every waiting row of the shared database, so these tests look
/// only at rows and mail of their own domain, and do not race each other's senders.
@Suite(.serialized) struct OutboxTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    /// The relay of the config made unreachable: nothing listens on port 1 of the loopback.
    static func relayDown(_ mail: MailWorkspace) throws {
        try mail.writeConfig(relay: "{host: 127.0.0.1, port: 1, security: plain}")
    }

    /// The Message-IDs queued for `address`, oldest first.
    static func queued(_ mail: MailWorkspace, to address: String) throws -> [String] {
        try mail.scalar("SELECT message_id FROM outbox WHERE target = 'mailbox:\(address)' ORDER BY id")
            .split(separator: "\n").map(String.init)
    }

    /// How many messages with this Message-ID the mailbox holds, over IMAP (after it arrived).
    static func copies(of messageID: String, in address: String, password: String, mail: MailWorkspace) throws -> Int {
        let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: address, password: Secret(password)))
        defer { session.close() }
        _ = try session.waitForMessage(messageID: messageID, timeoutSeconds: 15)
        Thread.sleep(forTimeInterval: 1) // a second copy, if one was sent, has had time to land
        return try session.search(messageID: messageID).count
    }

    @Test func aResetWithTheRelayDownStandsItsNoticeWaitsAndIsDeliveredOnce() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("reset")
        try Self.relayDown(mail)
        let newPassword = "Trang-khuyet-2026-cho"
        let run = try mail.mailctl(["account", "reset-password", address, "--password-stdin", "--notify"], stdin: newPassword + "\n")
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("Password of \(address) reset"), "\(run.stdout)")
        let line = try #require(run.stdout.split(separator: "\n").first { $0.contains("is queued") }, "\(run.stdout)")
        #expect(line.contains("password-reset mail to \(address)") && line.contains("mailctl outbox send"), "\(line)")
        #expect(mail.imapLogin(address, newPassword) == nil, "the reset must stand")
        let messageID = try #require(try Self.queued(mail, to: address).first)
        #expect(try Self.queued(mail, to: address).count == 1)
        #expect(line.contains(messageID))
        #expect(try mail.scalar("SELECT state || ' ' || attempts FROM outbox WHERE message_id = '\(messageID)'") == "waiting 1")
        // The reset's own event names its notice; the failed attempt is audited with its error.
        #expect(try mail.events("action = 'mail.account.reset-password' AND target = 'mailbox:\(address)' AND details LIKE '%\(messageID)%'") == 1)
        #expect(try mail.events("action = 'mail.notify' AND target = 'mailbox:\(address)' AND outcome = 'failed' AND details LIKE '%\"error\"%'") == 1)
        // The helpdesk sees what waits, and why.
        let list = try mail.expectOK("outbox")
        let row = try #require(list.stdout.split(separator: "\n").first { $0.contains(address) }, "\(list.stdout)")
        #expect(row.contains("password-reset") && row.contains("waiting"), "\(row)")
        #expect(!list.stdout.contains(newPassword))
        #expect(try mail.scalar("SELECT count(*) FROM outbox WHERE message LIKE '%\(newPassword)%'") == "0")

        // The relay back: sent exactly once; a second run sends nothing of ours.
        try mail.writeConfig()
        let send = try mail.expectOK("outbox", "send")
        #expect(send.stdout.contains("Sent the password-reset mail to \(address) (\(messageID))"), "\(send.stdout)")
        #expect(try Self.copies(of: messageID, in: address, password: newPassword, mail: mail) == 1)
        let again = try mail.expectOK("outbox", "send")
        #expect(!again.stdout.contains(mail.domain), "\(again.stdout)")
        #expect(try Self.copies(of: messageID, in: address, password: newPassword, mail: mail) == 1)
        #expect(try mail.scalar("SELECT state || ' ' || attempts FROM outbox WHERE message_id = '\(messageID)'") == "sent 2")
        #expect(try mail.events("action = 'mail.notify' AND target = 'mailbox:\(address)' AND outcome = 'ok'") == 1)
        #expect(!(try mail.expectOK("outbox").stdout.contains(address)))
    }

    @Test func twoSendersAtOnceDeliverEachNoticeOnce() throws {
        let mail = try MailWorkspace()
        try Self.relayDown(mail)
        var addresses: [String] = []
        for index in 0..<6 {
            let address = mail.address("welcome\(index)")
            let run = try mail.mailctl(["account", "create", address, "--name", "Người nhận \(index)", "--password-stdin", "--send-welcome"],
                                       stdin: Self.password + "\n")
            #expect(run.status == 0 && run.stdout.contains("is queued"), "\(run.stdout) \(run.stderr)")
            addresses.append(address)
        }
        try mail.writeConfig()
        let senders = try (0..<2).map { _ in
            try ProcessRunner.start(ProcessRunner.product("mailctl"), ["outbox", "send", "--config", mail.config], in: mail.folder)
        }
        for sender in senders { try sender.closeInput(writing: nil) }
        let runs = try senders.map { try $0.finish(timeout: 120) }
        for run in runs { #expect(run.status == 0, "\(run.stdout) \(run.stderr)") }
        let sentLines = runs.flatMap { $0.stdout.split(separator: "\n") }.filter { $0.hasPrefix("Sent the welcome mail to") && $0.contains(mail.domain) }
        #expect(sentLines.count == 6, "\(runs.map(\.stdout))")
        for address in addresses {
            let messageID = try #require(try Self.queued(mail, to: address).first)
            #expect(try Self.copies(of: messageID, in: address, password: Self.password, mail: mail) == 1, "\(address)")
            #expect(try mail.events("action = 'mail.notify' AND target = 'mailbox:\(address)' AND outcome = 'ok'") == 1)
            #expect(try mail.scalar("SELECT state FROM outbox WHERE message_id = '\(messageID)'") == "sent")
        }
    }

    @Test func aChangeRolledBackLeavesNoNotice() throws {
        // A database of this test's own: the trigger that makes the change fail must not touch
        // the stack's schema (Dovecot's SQLite driver fails its queries once the schema changes).
        let mail = try MailWorkspace()
        let database = mail.folder + "/private.sqlite", config = mail.folder + "/private.yaml"
        try String(contentsOfFile: mail.config, encoding: .utf8)
            .replacingOccurrences(of: "path: \(mail.database)", with: "path: \(database)")
            .write(toFile: config, atomically: true, encoding: .utf8)
        func tool(_ name: String, _ arguments: [String], stdin: String? = nil) throws -> CommandRun {
            try ProcessRunner.run(ProcessRunner.product(name), arguments + ["--config", config], in: mail.folder, stdin: stdin)
        }
        let address = mail.address("rollback")
        for (name, arguments, input) in [
            ("dirctl", ["init", "--admin", "root", "--name", "Quản trị viên"], nil),
            ("mailctl", ["domain", "add", mail.domain], nil),
            ("mailctl", ["account", "create", address, "--name", "Hộp lùi", "--password-stdin"], Self.password + "\n"),
        ] as [(String, [String], String?)] {
            let run = try tool(name, arguments, stdin: input)
            #expect(run.status == 0, "\(name) \(arguments): \(run.stderr)")
        }
        let hash = try SQLite.scalar(database, "SELECT password_hash FROM mailbox WHERE address = '\(address)'")
        // The reset's own audit event is written last in its transaction, after the new password
        // and the queued notice: refusing it must take all three back.
        try SQLite.run(database, """
            CREATE TRIGGER refuse_reset BEFORE INSERT ON audit_event WHEN NEW.action = 'mail.account.reset-password'
            BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """)
        let run = try tool("mailctl", ["account", "reset-password", address, "--password-stdin", "--notify"], stdin: "Trang-khuyet-2026-moi\n")
        #expect(run.status != 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("refused by the test"), "\(run.stderr)")
        #expect(try SQLite.scalar(database, "SELECT count(*) FROM outbox") == "0")
        #expect(try SQLite.scalar(database, "SELECT password_hash FROM mailbox WHERE address = '\(address)'") == hash)
        #expect(try SQLite.scalar(database, "SELECT count(*) FROM audit_event WHERE action = 'mail.notify'") == "0")
        // Without the trigger the same command queues its notice with the reset.
        try SQLite.run(database, "DROP TRIGGER refuse_reset")
        try mail.writeConfig(relay: "{host: 127.0.0.1, port: 1, security: plain}")
        try String(contentsOfFile: mail.config, encoding: .utf8)
            .replacingOccurrences(of: "path: \(mail.database)", with: "path: \(database)")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let again = try tool("mailctl", ["account", "reset-password", address, "--password-stdin", "--notify"], stdin: "Trang-khuyet-2026-moi\n")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try SQLite.scalar(database, "SELECT count(*) FROM outbox WHERE state = 'waiting'") == "1")
        #expect(try SQLite.scalar(database, "SELECT password_hash FROM mailbox WHERE address = '\(address)'") != hash)
    }

    @Test func anAuditorMayListButNotSend() throws {
        let mail = try MailWorkspace()
        let login = "au\(mail.domain.prefix(9))"
        try mail.dirctlOK("person", "add", login, "--name", "Kiểm toán viên", "--role", "auditor")
        let list = try mail.mailctl("outbox", "--as", login)
        #expect(list.status == 0, "\(list.stderr)")
        let send = try mail.mailctl("outbox", "send", "--as", login)
        #expect(send.status == 77, "\(send.stdout) \(send.stderr)")
        #expect(try mail.events("action = 'outbox.send' AND outcome = 'denied' AND actor = '\(login)'") == 1)
    }
}
