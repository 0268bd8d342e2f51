import Logging
import Foundation
import SwitchboardBase
import SwitchboardCore

extension MailAdministration {
    /// Sends one notification about `account` through the relay, then records its outcome.
    ///
    /// Authorized before anything is rendered; the send happens outside any transaction, and the
    /// audit event says whether it went out (`ok`, with its Message-ID) or not (`failed`, with why).
    @discardableResult
    public func notify(_ kind: NotificationKind, to account: MailAccount, timeZone: String,
                       values: [String: String] = [:]) async throws -> OutgoingMail {
        let target = "mailbox:\(account.address)"
        try session.authorize(.mailNotify, target: target)
        let notifier = try MailNotifier(settings: settings, timeZone: timeZone)
        let mail = try notifier.render(kind, to: account.recipient, values: values, now: clock.now())
        var details = AuditDetails()
        details["notification"] = kind.rawValue
        details["message_id"] = mail.messageID
        do {
            try await notifier.send([mail], transport: transport)
            session.logger.info("sent the \(kind.rawValue) mail to \(account.address) (\(mail.messageID))")
        } catch {
            // Notice, not warning: the command itself reports the failure on its one error line.
            session.logger.notice("the \(kind.rawValue) mail to \(account.address) was not sent: \(error)")
            details["error"] = String(describing: error)
            try session.record(.mailNotify, target: target, outcome: .failed, details: details)
            throw error
        }
        try session.record(.mailNotify, target: target, details: details)
        return mail
    }
}
