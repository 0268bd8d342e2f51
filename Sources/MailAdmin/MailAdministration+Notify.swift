import Logging
import Foundation
import GRDB
import SwitchboardBase
import SwitchboardCore
public import Outbox

/// A notification queued in the outbox with its change.
public struct QueuedNotice: Sendable {
    /// The outbox row.
    public var id: Int64
    /// What it is.
    public var kind: NotificationKind
    /// The rendered mail (its Message-ID, recipient, subject).
    public var mail: OutgoingMail
}

extension MailAdministration {
    /// The outbox, sending through `mail.relay`.
    public var outbox: Outbox {
        Outbox(session: session, relay: settings.server(settings.relay),
               heloName: settings.notificationFrom.split(separator: "@").last.map(String.init) ?? "switchboard",
               transport: transport, clock: clock)
    }

    /// Renders a notice about `account` and queues it in the caller's transaction (call inside a
    /// `Session.perform` body): the change and its notice commit or roll back together.
    func queue(_ kind: NotificationKind, to account: MailAccount, notifier: MailNotifier, values: [String: String] = [:],
               in db: Database, details: inout AuditDetails) throws -> [QueuedNotice] {
        let mail = try notifier.render(kind, to: account.recipient, values: values, now: clock.now())
        let id = try Outbox.enqueue(mail.outboxMessage(kind: kind, target: "mailbox:\(account.address)"), in: db, session: session, at: clock.now())
        details["notice"] = mail.messageID
        var notices = [QueuedNotice(id: id, kind: kind, mail: mail)]
        // A copy for the manager (mail.password_notice_copy): someone the person can ask before
        // they can read their own mailbox.
        if [.welcome, .passwordReset].contains(kind), settings.passwordNoticeCopy == .manager,
           let manager = try Row.fetchOne(db, sql: """
               SELECT m.address, m.display_name, boss.language FROM mailbox own
               JOIN person p ON p.id = own.person_id JOIN person boss ON boss.id = p.manager_id AND boss.status = 'active'
               JOIN mailbox m ON m.person_id = boss.id AND m.status = 'active'
               WHERE own.id = ? ORDER BY m.id LIMIT 1
               """, arguments: [account.id]) {
            let reader = NotificationRecipient(address: manager["address"], displayName: manager["display_name"], language: manager["language"])
            let copy = try notifier.render(kind, to: account.recipient, values: values, now: clock.now(), deliverTo: reader)
            let copyID = try Outbox.enqueue(copy.outboxMessage(kind: kind, target: "mailbox:\(account.address)"), in: db, session: session, at: clock.now())
            details["notice_copy"] = copy.messageID
            details["notice_copy_to"] = reader.address
            notices.append(QueuedNotice(id: copyID, kind: kind, mail: copy))
        }
        return notices
    }

    /// Queues one notification about `account` on its own (no change comes with it: a quota
    /// warning), then tries to send it. The attempt is a `mail.notify` event, ok or failed; a
    /// failed one waits in the outbox for `mailctl outbox send`.
    public func notify(_ kind: NotificationKind, to account: MailAccount, timeZone: String,
                       values: [String: String] = [:]) async throws -> (notice: QueuedNotice, report: OutboxSendReport) {
        let target = "mailbox:\(account.address)"
        try session.authorize(.mailNotify, target: target)
        let notifier = try MailNotifier(settings: settings, timeZone: timeZone)
        let notice = try session.bookkeeping(.mailNotify, target: target) { db in
            var ignored = AuditDetails()
            return try queue(kind, to: account, notifier: notifier, values: values, in: db, details: &ignored)
        }
        guard let first = notice.first else { throw MailError(step: "notify", problem: "no notice was queued") }
        return (first, try await outbox.send(only: notice.map(\.id)))
    }

    /// Sends the notices a change just queued (after its commit); what fails waits in the outbox.
    public func send(_ notices: [QueuedNotice]) async throws -> OutboxSendReport {
        guard !notices.isEmpty else { return OutboxSendReport() }
        return try await outbox.send(only: notices.map(\.id))
    }
}

extension OutgoingMail {
    /// This mail as an outbox row.
    public func outboxMessage(kind: NotificationKind, target: String) -> OutboxMessage {
        OutboxMessage(kind: kind.rawValue, target: target, sender: from, recipients: [to], message: message, messageID: messageID)
    }
}
