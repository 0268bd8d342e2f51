import Foundation
import Logging
import MailAdmin
import GRDB
import ICalendar
public import SwitchboardBase
import SwitchboardCore
public import Transport

/// What one `meetctl replies sync` run read and did.
public struct ReplySyncReport: Sendable, Codable {
    /// The mailbox read.
    public var mailbox: String
    /// Its UIDVALIDITY.
    public var uidValidity: Int
    /// True when the UIDVALIDITY differed from the stored one, so the mailbox was read from the start.
    public var restarted: Bool
    /// The UID read up to (the stored cursor after the run).
    public var lastUID: Int
    /// Messages fetched in this run.
    public var messagesRead: Int
    /// Every answer found, in mailbox order.
    public var replies: [ReplyResult]

    enum CodingKeys: String, CodingKey {
        case mailbox, uidValidity = "uid_validity", restarted, lastUID = "last_uid", messagesRead = "messages_read", replies
    }
}

extension Scheduler {
    /// Reads the replies that arrived in a mailbox since the last run and records the answers.
    ///
    /// `mailbox` nil reads `meet.replies_mailbox` with the password in `meet.replies_password_file`
    /// (helpdesk and admins: the service mailbox of the timer); a named mailbox is the actor's
    /// own (staff) or any (helpdesk, admins), its password from `password`, asked only after the
    /// access check. Only UIDs above the stored cursor are fetched (all of them again when the
    /// UIDVALIDITY changed). Each answer recorded and its `meet.reply` event share a transaction,
    /// and so does the cursor's move past the message: a crash never skips nor re-applies one.
    public func syncReplies(mailbox named: String?, transport: any MailTransport = CurlMailTransport(),
                            password: () throws -> Secret) async throws -> ReplySyncReport {
        let (mailbox, secret) = try replyMailbox(named, password: password)
        let server = mail.server(mail.imap, timeoutSeconds: 30)
        let connection = try transport.mailbox(server, credentials: MailCredentials(username: mailbox, password: secret))
        do {
            let report = try await readReplies(connection, mailbox: mailbox)
            await connection.close()
            return report
        } catch {
            await connection.close()
            throw error
        }
    }

    /// The new messages of an open mailbox, read and recorded one by one.
    private func readReplies(_ connection: any MailboxReading, mailbox: String) async throws -> ReplySyncReport {
        _ = try await connection.login()
        let validity = try await connection.uidValidity(mailbox: "INBOX")
        let stored = try database.read { db in
            try Row.fetchOne(db, sql: "SELECT uid_validity, last_uid FROM meeting_reply_mailbox WHERE mailbox = ?", arguments: [mailbox])
        }
        let storedValidity: Int? = stored?["uid_validity"]
        let restarted = stored != nil && storedValidity != validity
        var written: Int = restarted ? -1 : (stored?["last_uid"] ?? -1)
        var done = max(written, 0)
        let uids = try await connection.uids(after: done, mailbox: "INBOX")
        var results: [ReplyResult] = []
        let target = "mailbox:\(mailbox)"
        for uid in uids {
            let raw = try await connection.fetch(uid: uid, mailbox: "INBOX")
            let message = ReplyMail(raw: raw)
            var answers: [ReplyRules.Extracted] = []
            for (index, text) in message.calendars.enumerated() {
                let object: CalendarObject
                do {
                    object = try CalendarParser.parse(text, source: "\(mailbox) UID \(uid)" + (index > 0 ? " part \(index + 1)" : ""))
                } catch {
                    results.append(ReplyResult(messageUID: uid, from: message.from, meetingID: nil, meetingUID: "", title: "", attendee: message.from,
                                               occurrence: nil, answer: "", sequence: 0, outcome: .skipped, reason: "unreadable calendar: \(error)"))
                    continue
                }
                // The organizer's own copy of an invite, a cancel, a counter: not an answer.
                guard ReplyRules.isReply(object) else { continue }
                answers += ReplyRules.answers(in: object, from: message.from)
            }
            for (index, extracted) in answers.enumerated() {
                let cursor = index == answers.count - 1 ? uid : done
                let result = try record(extracted, messageUID: uid, from: message.from, envelope: message.envelope, mailboxTarget: target) { db in
                    try Self.moveCursor(mailbox, validity: validity, to: cursor, in: db)
                }
                if result.wroteCursor { written = cursor }
                results.append(result.result)
            }
            done = uid
        }
        if done > written || restarted || stored == nil {
            try session.bookkeeping(.meetReply, target: target) { db in
                try Self.moveCursor(mailbox, validity: validity, to: done, in: db)
            }
        }
        return ReplySyncReport(mailbox: mailbox, uidValidity: validity, restarted: restarted, lastUID: done, messagesRead: uids.count,
                               replies: results)
    }

    /// The mailbox to read and its password, after the access check.
    func replyMailbox(_ named: String?, password: () throws -> Secret) throws -> (String, Secret) {
        let forOthers = session.role == .helpdesk || session.role == .admin
        guard let named else {
            guard !settings.repliesMailbox.isEmpty else {
                throw SchedulingError(.invalidInput, "no mailbox to read: give --mailbox ADDRESS, or set meet.replies_mailbox and meet.replies_password_file in the config")
            }
            let mailbox = settings.repliesMailbox.lowercased()
            let target = "mailbox:\(mailbox)"
            try session.authorize(.meetReply, target: target)
            if !forOthers {
                try session.deny(.meetReply, target: target,
                                 reason: "the replies mailbox of the config is read by the helpdesk or its timer; staff sync their own mailbox with --mailbox")
            }
            guard !settings.repliesPasswordFile.isEmpty else {
                throw SchedulingError(.invalidInput, "meet.replies_mailbox is \(mailbox) but meet.replies_password_file is not set: name the file that holds its password")
            }
            return (mailbox, try Self.readPasswordFile(settings.repliesPasswordFile))
        }
        let mailbox: String
        do { mailbox = try EmailAddress(named).description.lowercased() } catch {
            throw SchedulingError(.invalidInput, "--mailbox \(Quoting.quoted(named)) is not an e-mail address: \(error)")
        }
        let target = "mailbox:\(mailbox)"
        try session.authorize(.meetReply, target: target)
        if !forOthers {
            let owner = try database.read { db in
                try Int64.fetchOne(db, sql: "SELECT person_id FROM mailbox WHERE address = ?", arguments: [mailbox])
            }
            if owner == nil || owner != session.personID {
                try session.deny(.meetReply, target: target,
                                 reason: "\(mailbox) is not \(session.login)'s mailbox: staff sync only their own; the helpdesk syncs others")
            }
        }
        return (mailbox, try password())
    }

    /// The first line of the password file; refused when everyone may read it.
    static func readPasswordFile(_ path: String) throws -> Secret {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SchedulingError(.invalidInput, "cannot read meet.replies_password_file \(path): \(String(cString: strerror(errno))) (create it, mode 640, group switchboard)")
        }
        guard info.st_mode & S_IROTH == 0 else {
            throw SchedulingError(.refused, "meet.replies_password_file \(path) is readable by everyone: `chmod o-rwx \(path)`, then run again")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchedulingError(.invalidInput, "cannot read meet.replies_password_file \(path) (check its owner and mode 640, group switchboard)")
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !line.isEmpty else {
            throw SchedulingError(.invalidInput, "meet.replies_password_file \(path) is empty: put the mailbox's password on its first line")
        }
        return Secret(line)
    }

    private struct Recorded {
        var result: ReplyResult
        var wroteCursor: Bool
    }

    /// The answer changed under a decision already taken (another sync ran at the same time).
    private struct Superseded: Error {
        let decision: ReplyDecision
    }

    /// Decides one answer and records it; `cursor` runs in the transaction that records
    /// anything (applied or refused).
    private func record(_ extracted: ReplyRules.Extracted, messageUID: Int, from: String, envelope: String, mailboxTarget: String,
                        cursor: (Database) throws -> Void) throws -> Recorded {
        guard case .answer(let extractedAnswer) = extracted else {
            if case .unusable(let uid, let attendee, let reason) = extracted {
                let meeting = try database.read { db in try Meeting.fetchOne(db, sql: Meeting.selection + " WHERE m.uid = ?", arguments: [uid]) }
                return Recorded(result: ReplyResult(messageUID: messageUID, from: from, meetingID: meeting?.id, meetingUID: uid,
                                                    title: meeting?.title ?? "", attendee: attendee, occurrence: nil, answer: "", sequence: 0,
                                                    outcome: .skipped, reason: reason), wroteCursor: false)
            }
            return Recorded(result: ReplyResult(messageUID: messageUID, from: from, meetingID: nil, meetingUID: "", title: "", attendee: from,
                                                occurrence: nil, answer: "", sequence: 0, outcome: .skipped, reason: "not an answer"),
                            wroteCursor: false)
        }
        var answer = extractedAnswer
        var result = ReplyResult(messageUID: messageUID, from: from, meetingID: nil, meetingUID: answer.uid, title: "", attendee: answer.attendee,
                                 occurrence: nil, answer: answer.partstat.rawValue, sequence: answer.sequence, outcome: .skipped, reason: "")
        let looked: (Meeting?, ReplyDecision) = try database.read { db in
            guard let meeting = try Meeting.fetchOne(db, sql: Meeting.selection + " WHERE m.uid = ?", arguments: [answer.uid]) else {
                return (nil, .skip("no meeting with this UID here (booked elsewhere, or deleted)"))
            }
            if let early = try Self.screen(&answer, meeting: meeting, from: from, envelope: envelope, in: db) { return (meeting, early) }
            return (meeting, try ReplyRules.decide(answer, meeting: meeting, in: db))
        }
        guard let meeting = looked.0 else {
            if case .skip(let reason) = looked.1 { result.reason = reason }
            return Recorded(result: result, wroteCursor: false)
        }
        result.meetingID = meeting.id
        result.title = meeting.title
        // Staff read their own mailbox: it may only answer for meetings they organize.
        if session.role != .helpdesk, session.role != .admin, meeting.organizerID != session.personID {
            result.reason = "meeting \(meeting.id) is organized by \(meeting.organizerLogin): their mailbox or the helpdesk records its replies"
            return Recorded(result: result, wroteCursor: false)
        }
        var decision = looked.1
        var wrote = false
        switch decision {
        case .apply:
            do {
                try session.perform(.meetReply, target: Self.target(meeting.uid)) { db, details in
                    if let early = try Self.screen(&answer, meeting: meeting, from: from, envelope: envelope, in: db) { throw Superseded(decision: early) }
                    let current = try ReplyRules.decide(answer, meeting: meeting, in: db)
                    guard case .apply(let occurrence) = current else { throw Superseded(decision: current) }
                    try ReplyRules.apply(answer, meeting: meeting, occurrence: occurrence, in: db)
                    try cursor(db)
                    details["attendee"] = answer.attendee
                    details["partstat"] = answer.partstat.rawValue
                    details["sequence"] = answer.sequence
                    if let occurrence { details["occurrence"] = occurrence }
                    details["mailbox"] = String(mailboxTarget.dropFirst("mailbox:".count))
                    details["message_uid"] = messageUID
                }
                wrote = true
            } catch let superseded as Superseded {
                decision = superseded.decision
            }
        case .refuse(let reason):
            var details = AuditDetails()
            details["attendee"] = answer.attendee
            details["partstat"] = answer.partstat.rawValue
            details["from"] = from
            details["reason"] = reason
            details["mailbox"] = String(mailboxTarget.dropFirst("mailbox:".count))
            details["message_uid"] = messageUID
            try session.record(.meetReply, target: Self.target(meeting.uid), outcome: .denied, details: details) { db in try cursor(db) }
            session.logger.notice("refused a reply to meeting \(meeting.id) from \(answer.attendee): \(reason)")
            wrote = true
        case .ignore, .skip:
            break
        }
        switch decision {
        case .apply(let occurrence):
            result.outcome = .applied
            result.occurrence = occurrence
        case .ignore(let reason):
            result.outcome = .ignored
            result.reason = reason
        case .refuse(let reason):
            result.outcome = .refused
            result.reason = reason
        case .skip(let reason):
            result.outcome = .skipped
            result.reason = reason
        }
        if result.occurrence == nil, let recurrenceID = answer.recurrenceID, meeting.isRecurring {
            result.occurrence = ReplyRules.describe(recurrenceID)
        }
        return Recorded(result: result, wroteCursor: wrote)
    }

    /// What the sync checks before the reply rules, which mail alone can tell:
    /// - the message comes from the attendee it answers for: its From, and the envelope sender
    ///   the delivering server recorded (Return-Path), are the attendee's address or, for a
    ///   directory person, one of their mailboxes or their e-mail address; anyone else writing
    ///   "ATTENDEE:binh" is refused (and audited);
    /// - it answers the meeting as it stands: a cancelled meeting or occurrence takes no answer,
    ///   and a reply to an older SEQUENCE (the time changed since) is ignored;
    /// - a SEQUENCE above the meeting's (no invite ever said so) counts as the meeting's, so a
    ///   made-up number cannot make the attendee's later real answers look older.
    static func screen(_ answer: inout ReplyAnswer, meeting: Meeting, from: String, envelope: String, in db: Database) throws -> ReplyDecision? {
        guard meeting.status == "confirmed" else { return .ignore("meeting \(meeting.id) is cancelled") }
        let senders = try String.fetchAll(db, sql: """
            SELECT lower(a.address) FROM meeting_attendee a WHERE a.meeting_id = ? AND a.address = ?
            UNION SELECT lower(m.address) FROM meeting_attendee a JOIN mailbox m ON m.person_id = a.person_id
                WHERE a.meeting_id = ? AND a.address = ?
            UNION SELECT lower(p.email) FROM meeting_attendee a JOIN person p ON p.id = a.person_id
                WHERE a.meeting_id = ? AND a.address = ? AND p.email IS NOT NULL
            """, arguments: [meeting.id, answer.attendee, meeting.id, answer.attendee, meeting.id, answer.attendee])
        guard !senders.isEmpty else { return nil }   // not an attendee: the rules refuse it
        guard senders.contains(from) else {
            return .refuse("the answer for \(answer.attendee) came from \(from.isEmpty ? "no sender" : from)")
        }
        if !envelope.isEmpty, !senders.contains(envelope) {
            return .refuse("the answer for \(answer.attendee) was sent by \(envelope) (Return-Path)")
        }
        if answer.sequence < meeting.sequence {
            return .ignore("answers an earlier version of the meeting (SEQUENCE \(answer.sequence) < \(meeting.sequence)); the attendee was asked again")
        }
        answer.sequence = min(answer.sequence, meeting.sequence)
        if let recurrenceID = answer.recurrenceID, meeting.isRecurring,
           let occurrence = try ReplyRules.occurrence(recurrenceID, of: meeting, in: db),
           try String.fetchOne(db, sql: "SELECT status FROM meeting_occurrence WHERE meeting_id = ? AND recurrence_id = ?",
                               arguments: [meeting.id, occurrence]) == "cancelled" {
            return .ignore("that occurrence is cancelled")
        }
        return nil
    }

    /// Stores how far a mailbox has been read; never backwards while the UIDVALIDITY stays (two
    /// syncs of one mailbox at once).
    static func moveCursor(_ mailbox: String, validity: Int, to uid: Int, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO meeting_reply_mailbox (mailbox, uid_validity, last_uid) VALUES (?, ?, ?)
            ON CONFLICT (mailbox) DO UPDATE SET
                last_uid = CASE WHEN uid_validity = excluded.uid_validity THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid END,
                uid_validity = excluded.uid_validity
            """, arguments: [mailbox, validity, uid])
    }
}
