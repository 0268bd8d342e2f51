public import Foundation
public import GRDB
import Logging
public import SwitchboardBase
public import SwitchboardCore
public import Transport

/// One notification to queue: the whole rendered message (never a password) and who it goes to.
public struct OutboxMessage: Sendable {
    /// What it is (`password-reset`, `welcome`, `meeting-invite`, ...): shown in lists, audited.
    public var kind: String
    /// The audit target its attempts are recorded on (`mailbox:an@x.vn`).
    public var target: String
    /// The envelope sender.
    public var sender: String
    /// The envelope recipients.
    public var recipients: [String]
    /// The whole message with CRLF line endings, its Message-ID header included.
    public var message: String
    /// Its Message-ID (unique in the outbox): how a delivered copy is recognized.
    public var messageID: String

    /// A message to queue.
    public init(kind: String, target: String, sender: String, recipients: [String], message: String, messageID: String) {
        self.kind = kind
        self.target = target
        self.sender = sender
        self.recipients = recipients
        self.message = message
        self.messageID = messageID
    }
}

/// Where an outbox row stands.
public enum OutboxState: String, Sendable, Codable, DatabaseValueConvertible {
    /// Not sent yet: the next `outbox send` tries it.
    case waiting
    /// Claimed by a sender: being sent, or (when old) its sender stopped mid-send and nobody
    /// knows whether the relay took it (see ``Outbox/requeue(_:)``).
    case sending
    /// The relay accepted it (SMTP 250 after DATA).
    case sent
}

/// A row of the outbox as lists show it (the message text left out).
public struct OutboxEntry: Sendable, Codable, FetchableRecord {
    /// The row's number.
    public var id: Int64
    /// What it is.
    public var kind: String
    /// The audit target.
    public var target: String
    /// The recipients, comma-separated.
    public var recipients: String
    /// The Message-ID.
    public var messageID: String
    /// Where it stands.
    public var state: OutboxState
    /// When it was queued (ISO 8601 UTC).
    public var createdAt: String
    /// Who queued it.
    public var createdBy: String
    /// Attempts so far.
    public var attempts: Int
    /// When the last attempt began.
    public var lastAttemptAt: String?
    /// Why the last attempt failed.
    public var lastError: String?
    /// When the relay took it.
    public var sentAt: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, target, recipients, messageID = "message_id", state, createdAt = "created_at", createdBy = "created_by"
        case attempts, lastAttemptAt = "last_attempt_at", lastError = "last_error", sentAt = "sent_at"
    }

    /// Reads a row of `outbox` (the columns ``Outbox/entryColumns`` names).
    public init(row: Row) throws {
        id = row["id"]
        kind = row["kind"]
        target = row["target"]
        let list: String = row["recipients"]
        recipients = Outbox.decodeRecipients(list).joined(separator: ", ")
        messageID = row["message_id"]
        state = row["state"]
        createdAt = row["created_at"]
        createdBy = row["created_by"]
        attempts = row["attempts"]
        lastAttemptAt = row["last_attempt_at"]
        lastError = row["last_error"]
        sentAt = row["sent_at"]
    }

    /// The heading of the outbox table both tools print.
    public static let columns = ["ID", "KIND", "TO", "STATE", "QUEUED", "TRIES", "LAST ERROR"]

    /// The row's cells under ``columns``, times in `zone`.
    public func cells(zone: String, now: Date) -> [String] {
        [String(id), kind, recipients, inDoubt(now: now) ? "in doubt" : state.rawValue, Timestamp.display(createdAt, zone: zone),
         String(attempts), lastError ?? ""]
    }

    /// True for a row claimed so long ago that its sender cannot still be sending it.
    public func inDoubt(now: Date, after seconds: Double = Outbox.inDoubtAfterSeconds) -> Bool {
        guard state == .sending, let started = lastAttemptAt.flatMap(Timestamp.parse) else { return false }
        return now.timeIntervalSince(started) > seconds
    }
}

/// What one `send` did.
public struct OutboxSendReport: Sendable, Codable {
    /// One attempt.
    public struct Attempt: Sendable, Codable {
        /// The row.
        public var id: Int64
        /// What it was.
        public var kind: String
        /// Its recipients, comma-separated.
        public var recipients: String
        /// Its Message-ID.
        public var messageID: String
        /// Why it failed; nil when the relay took it.
        public var error: String?
        /// True when the relay took it but the row could not be marked sent: it stays claimed
        /// (in doubt) and is not sent again by itself.
        public var inDoubt = false

        enum CodingKeys: String, CodingKey {
            case id, kind, recipients, messageID = "message_id", error, inDoubt = "in_doubt"
        }
    }
    /// Every attempt in order.
    public var attempts: [Attempt] = []

    /// An empty report.
    public init() {}
    /// The attempts the relay took.
    public var sent: [Attempt] { attempts.filter { $0.error == nil } }
    /// The attempts that failed (their rows wait again, or stay in doubt).
    public var failed: [Attempt] { attempts.filter { $0.error != nil } }
}

/// The outbox of notifications, shared by every tool that e-mails people (mailctl's notices,
/// meetctl's invites).
///
/// A notice is queued with ``enqueue(_:in:session:at:)`` inside the `Session.perform` body of
/// the change that causes it, so the change and its notice commit or roll back together; after
/// the commit, ``send(only:)`` delivers what waits. Exactly once, as far as SMTP allows: a
/// sender claims a row (waiting -> sending) in a write transaction before it connects, so two
/// senders never send the same row; the relay's 250 after DATA and the row marked sent with its
/// `mail.notify` event commit together right after. A sender that dies between that 250 and
/// that commit leaves the row in `sending`; nothing sends it again by itself (the relay may have
/// it), ``entries(includeSent:)`` shows it in doubt after ``inDoubtAfterSeconds``, and an operator
/// who checked the recipient's mailbox for its Message-ID puts it back with ``requeue(_:)``
/// (a resent copy carries the same Message-ID, so clients can fold the two).
public struct Outbox: Sendable {
    /// A row claimed longer ago than this (seconds) is in doubt: no sender still holds it
    /// (a send gives up long before, see Transport's time-outs).
    public static let inDoubtAfterSeconds: Double = 600

    /// The acting person.
    public let session: Session
    /// The relay notices go through.
    public let relay: MailServer
    /// The name given in EHLO.
    public let heloName: String
    /// The mail servers (libcurl by default).
    public let transport: any MailTransport
    /// Calendar time.
    public let clock: any WallClock

    /// An outbox acting as `session`, sending through `relay`.
    public init(session: Session, relay: MailServer, heloName: String, transport: any MailTransport = CurlMailTransport(),
                clock: any WallClock = SystemWallClock()) {
        self.session = session
        self.relay = relay
        self.heloName = heloName
        self.transport = transport
        self.clock = clock
    }

    /// The columns an ``OutboxEntry`` reads.
    static let entryColumns = "id, kind, target, recipients, message_id, state, created_at, created_by, attempts, last_attempt_at, last_error, sent_at"

    /// Queues `message` in the caller's write transaction (call it inside `Session.perform`);
    /// returns the row's number. A Message-ID already queued is refused.
    @discardableResult
    public static func enqueue(_ message: OutboxMessage, in db: Database, session: Session, at now: Date) throws -> Int64 {
        guard !message.recipients.isEmpty else {
            throw OutboxError("a notification needs at least one recipient (\(message.kind) for \(message.target))")
        }
        try db.execute(sql: """
            INSERT INTO outbox (message_id, kind, target, sender, recipients, message, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [message.messageID, message.kind, message.target, message.sender,
                             encodeRecipients(message.recipients), message.message, Timestamp.format(now), session.login])
        return db.lastInsertedRowID
    }

    /// What waits (and what is being sent or in doubt), oldest first; sent rows too when asked.
    public func entries(includeSent: Bool = false) throws -> [OutboxEntry] {
        try session.authorize(.outboxRead, target: "outbox")
        return try session.database.read { db in
            try OutboxEntry.fetchAll(db, sql: "SELECT \(Self.entryColumns) FROM outbox \(includeSent ? "" : "WHERE state <> 'sent'") ORDER BY id")
        }
    }

    /// The rows this person queued (their own invites), with the right of the change that queued
    /// them (`action`) rather than `outbox.read`: what staff see of the outbox.
    public func ownEntries(includeSent: Bool = false, authorizedBy action: Action) throws -> [OutboxEntry] {
        try session.authorize(action, target: "outbox")
        return try session.database.read { db in
            try OutboxEntry.fetchAll(db, sql: """
                SELECT \(Self.entryColumns) FROM outbox WHERE created_by = ? \(includeSent ? "" : "AND state <> 'sent'") ORDER BY id
                """, arguments: [session.login])
        }
    }

    /// Sends every waiting row this person queued, with the right of the change that queued them.
    public func sendOwn(authorizedBy action: Action) async throws -> OutboxSendReport {
        try session.authorize(action, target: "outbox")
        return await sendClaimed(only: nil, queuedBy: session.login, authorizedBy: action)
    }

    /// Sends every waiting row (or only the rows `only` names), each at most once in this run:
    /// a failed row waits again for the next run. Every attempt is a `mail.notify` event.
    /// The rows go over one relay connection, opened again only after a failure.
    public func send(only ids: [Int64]? = nil) async throws -> OutboxSendReport {
        try session.authorize(.outboxSend, target: "outbox")
        return await sendClaimed(only: ids, queuedBy: nil, authorizedBy: .outboxSend)
    }

    /// Sends the rows a change of this person just queued (a meeting's invites), with the right
    /// of that change (`action`, already authorized by it) rather than `outbox.send`: staff may
    /// send their own invites, never what others queued. Rows another person queued, or already
    /// claimed, are left alone.
    public func sendQueued(_ ids: [Int64], authorizedBy action: Action) async throws -> OutboxSendReport {
        guard !ids.isEmpty else { return OutboxSendReport() }
        try session.authorize(action, target: "outbox")
        return await sendClaimed(only: ids, queuedBy: session.login, authorizedBy: action)
    }

    private func sendClaimed(only ids: [Int64]?, queuedBy: String?, authorizedBy action: Action) async -> OutboxSendReport {
        var report = OutboxSendReport()
        var after: Int64 = 0
        var connection: (any SMTPSending)?
        while true {
            let claimed: Claimed?
            do { claimed = try claim(after: after, only: ids, queuedBy: queuedBy, action: action) } catch {
                session.logger.notice("the outbox could not claim a row: \(error)")
                break
            }
            guard let claimed else { break }
            after = claimed.id
            report.attempts.append(await attempt(claimed, over: &connection))
        }
        await connection?.close()
        return report
    }

    /// Puts a row in doubt back to waiting, after the operator checked that it did not arrive.
    public func requeue(_ id: Int64) throws {
        let now = clock.now()
        try session.perform(.outboxSend, target: "outbox:\(id)") { db, details in
            guard let row = try OutboxEntry.fetchOne(db, sql: "SELECT \(Self.entryColumns) FROM outbox WHERE id = ?", arguments: [id]) else {
                throw OutboxError("no outbox row \(id) (see `mailctl outbox list`)")
            }
            guard row.inDoubt(now: now) else {
                throw OutboxError("outbox row \(id) is \(row.state.rawValue)\(row.state == .sending ? " and may still be in the hands of a sender" : ""): only a row in doubt (claimed over \(Int(Self.inDoubtAfterSeconds / 60)) minutes ago) is put back")
            }
            try db.execute(sql: "UPDATE outbox SET state = 'waiting', claimed_by = NULL WHERE id = ?", arguments: [id])
            details["message_id"] = row.messageID
            details["notification"] = row.kind
        }
    }

    struct Claimed {
        var id: Int64
        var kind: String
        var target: String
        var sender: String
        var recipients: [String]
        var message: String
        var messageID: String
    }

    /// Claims the next waiting row after `after`: waiting -> sending in one IMMEDIATE transaction,
    /// so of two senders exactly one gets it.
    func claim(after: Int64, only ids: [Int64]?, queuedBy: String? = nil, action: Action = .outboxSend) throws -> Claimed? {
        var filter = ids.map { " AND id IN (\($0.map(String.init).joined(separator: ", ")))" } ?? ""
        var arguments: StatementArguments = []
        if let queuedBy {
            filter += " AND created_by = ?"
            arguments = [queuedBy]
        }
        let holder = "\(session.login) pid \(ProcessInfo.processInfo.processIdentifier) on \(ProcessInfo.processInfo.hostName)"
        let now = Timestamp.format(clock.now())
        return try session.bookkeeping(action, target: "outbox") { db in
            guard let row = try Row.fetchOne(db, sql: """
                UPDATE outbox SET state = 'sending', attempts = attempts + 1, last_attempt_at = ?, claimed_by = ?
                WHERE id = (SELECT id FROM outbox WHERE state = 'waiting' AND id > ?\(filter) ORDER BY id LIMIT 1)
                RETURNING id, kind, target, sender, recipients, message, message_id
                """, arguments: [now, holder, after] + arguments) else { return nil }
            let recipients: String = row["recipients"]
            return Claimed(id: row["id"], kind: row["kind"], target: row["target"], sender: row["sender"],
                           recipients: Self.decodeRecipients(recipients), message: row["message"], messageID: row["message_id"])
        }
    }

    /// Sends one claimed row over `connection` (opened when nil, dropped after a failure) and
    /// records the outcome with the row's new state in one transaction.
    func attempt(_ row: Claimed, over connection: inout (any SMTPSending)?) async -> OutboxSendReport.Attempt {
        var result = OutboxSendReport.Attempt(id: row.id, kind: row.kind, recipients: row.recipients.joined(separator: ", "),
                                              messageID: row.messageID, error: nil)
        var details = AuditDetails()
        details["message_id"] = row.messageID
        details["notification"] = row.kind
        do {
            let open = try connection ?? transport.relay(relay, heloName: heloName)
            connection = open
            do {
                _ = try await open.send(from: row.sender, to: row.recipients, message: row.message)
            } catch {
                connection = nil
                await open.close()
                throw error
            }
        } catch {
            let problem = String(describing: error)
            result.error = problem
            details["error"] = problem
            session.logger.notice("the \(row.kind) mail to \(result.recipients) was not sent: \(problem)")
            do {
                try session.record(.mailNotify, target: row.target, outcome: .failed, details: details) { db in
                    try db.execute(sql: "UPDATE outbox SET state = 'waiting', last_error = ?, claimed_by = NULL WHERE id = ?",
                                   arguments: [problem, row.id])
                }
            } catch {
                result.error = "\(problem); and the outbox could not record it (\(error)): row \(row.id) stays in doubt; requeue it with its ID"
                result.inDoubt = true
            }
            return result
        }
        do {
            try session.record(.mailNotify, target: row.target, details: details) { db in
                try db.execute(sql: "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL, claimed_by = NULL WHERE id = ?",
                               arguments: [Timestamp.format(clock.now()), row.id])
            }
            session.logger.info("sent the \(row.kind) mail to \(result.recipients) (\(row.messageID))")
        } catch {
            // The relay has it; the row stays claimed (in doubt) rather than being sent twice.
            result.error = "the relay took it but the outbox could not mark it sent (\(error)): row \(row.id) stays in doubt; do not requeue it"
            result.inDoubt = true
        }
        return result
    }

    static func encodeRecipients(_ recipients: [String]) -> String {
        recipients.joined(separator: "\n")
    }

    static func decodeRecipients(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }
}

extension OutboxSendReport {
    /// One line per attempt, as the tools print them; `tool` names the command that sends later.
    public func lines(tool: String) -> [String] {
        attempts.map { attempt in
            switch (attempt.error, attempt.inDoubt) {
            case (nil, _):
                "Sent the \(attempt.kind) mail to \(attempt.recipients) (\(attempt.messageID))"
            case (let error?, false):
                "The \(attempt.kind) mail to \(attempt.recipients) is queued (\(attempt.messageID)): the relay did not take it (\(error)); send it later with `\(tool) outbox send`"
            case (let error?, true):
                "The \(attempt.kind) mail to \(attempt.recipients) is in doubt (\(attempt.messageID)): \(error); see `\(tool) outbox list`"
            }
        }
    }
}

/// A refused outbox operation, said so an operator can act on it.
public struct OutboxError: SwitchboardError {
    /// What went wrong and what to try.
    public let description: String
    /// Refused input (an unknown row, a row not in doubt).
    public var category: ErrorCategory { .badInput }

    init(_ description: String) { self.description = description }
}
