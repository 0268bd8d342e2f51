import Foundation
import Logging
public import Outbox
import SwitchboardBase
public import SwitchboardCore
import Transport

/// Alert mail: who is told about an event, the messages (``AlertComposer``), queued in the
/// outbox in one transaction and sent right after it commits.
///
/// A mail server that is down delays an alert, never loses it: the rows wait in the outbox,
/// each attempt is a `mail.notify` audit event, and the next alert's send (or `mailctl outbox
/// send`) takes them too.
public struct AlertMailer: Sendable {
    /// Renders the mails.
    public let composer: AlertComposer
    /// The daemon's session: rows are queued and sent as it.
    public let session: Session
    /// The outbox, through the configured relay.
    public let outbox: Outbox

    /// A mailer acting as `session`.
    public init(composer: AlertComposer, session: Session, outbox: Outbox) {
        self.composer = composer
        self.session = session
        self.outbox = outbox
    }

    /// Queues the mail `event` calls for (none for events that mail nobody); returns the rows.
    ///
    /// The recipients are the owners and alert recipients of the service, and for a digest of
    /// every affected service too, each address once: one digest reaches each person once.
    func queue(_ notice: AlertNotice, services: [String: ServiceDefinition], at now: Date) throws -> [Int64] {
        var references: [RecipientReference] = []
        for name in [notice.service] + notice.affected.map(\.name) {
            guard let service = services[name] else { continue }
            for reference in service.owners + service.alertTo where !references.contains(reference) { references.append(reference) }
        }
        let recipients = try RecipientResolver(database: session.database).resolve(references)
        guard !recipients.isEmpty else {
            session.logger.warning("\(notice.kind.rawValue) for \(notice.service): nobody to tell (no owner or alert recipient with a mail address)")
            return []
        }
        let messages = try composer.compose(notice, to: recipients, at: now)
        return try session.bookkeeping(.outboxSend, target: "service:\(notice.service)") { db in
            try messages.map { try Outbox.enqueue($0, in: db, session: session, at: now) }
        }
    }

    /// Sends the rows just queued.
    func send(_ ids: [Int64]) async -> OutboxSendReport {
        do { return try await outbox.sendQueued(ids, authorizedBy: .outboxSend) } catch {
            session.logger.error("alert mail not sent: \(error)")
            return OutboxSendReport()
        }
    }

    /// How many rows wait in the outbox (alerts among them), for the daemon's own health.
    func waiting() -> Int {
        (try? outbox.entries().count) ?? 0
    }
}
