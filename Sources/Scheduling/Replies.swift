import Foundation
import GRDB
import ICalendar
import SwitchboardBase
import SwitchboardCore

/// What became of one answer read from a mailbox.
public enum ReplyOutcome: String, Sendable, Codable {
    /// Recorded: the attendee's answer (for the series or one occurrence) changed.
    case applied
    /// Older than, or the same as, the answer already recorded: nothing changed.
    case ignored
    /// From an address that is not an attendee of the meeting: audited, not recorded.
    case refused
    /// Not usable (an unknown meeting, an occurrence the meeting does not have, no attendee).
    case skipped
}

/// One answer found in the mailbox and what was done with it.
public struct ReplyResult: Sendable, Codable, Equatable {
    /// The message's UID in the mailbox.
    public var messageUID: Int
    /// The message's From address.
    public var from: String
    /// The meeting's number, when it is known here.
    public var meetingID: Int64?
    /// The iCalendar UID the reply names.
    public var meetingUID: String
    /// The meeting's title, or empty when it is unknown.
    public var title: String
    /// The attendee the reply speaks for.
    public var attendee: String
    /// The occurrence (RECURRENCE-ID, `20261208T020000Z`) the answer is for, or nil for the series.
    public var occurrence: String?
    /// ACCEPTED, DECLINED, TENTATIVE, DELEGATED or NEEDS-ACTION.
    public var answer: String
    /// The reply's effective SEQUENCE (X-MICROSOFT-CDO-APPT-SEQUENCE counted).
    public var sequence: Int
    /// Applied, ignored, refused or skipped.
    public var outcome: ReplyOutcome
    /// Why it was ignored, refused or skipped; empty when applied.
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case messageUID = "message_uid", from, meetingID = "meeting_id", meetingUID = "meeting_uid", title, attendee, occurrence
        case answer, sequence, outcome, reason
    }
}

/// One attendee's answer as a reply states it.
struct ReplyAnswer: Sendable, Equatable {
    /// The meeting's iCalendar UID.
    var uid: String
    /// The occurrence it answers for, or nil for the whole meeting.
    var recurrenceID: EventTime?
    /// The attendee's address (lower-case, no `mailto:`).
    var attendee: String
    /// The answer.
    var partstat: ParticipationStatus
    /// SEQUENCE, or X-MICROSOFT-CDO-APPT-SEQUENCE when higher.
    var sequence: Int
    /// DTSTAMP in the stored form (``Timestamp``), or empty when the reply has none.
    var stamp: String
}

/// What to do with one answer, decided against the database.
enum ReplyDecision: Sendable, Equatable {
    /// Record it: for the series (nil) or one occurrence (its RECURRENCE-ID).
    case apply(occurrence: String?)
    /// Older than, or the same as, the recorded answer.
    case ignore(String)
    /// The sender is not an attendee.
    case refuse(String)
    /// Cannot be used.
    case skip(String)
}

/// The matching and ordering rules of replies (RFC 5546 REPLY, as real clients write it).
enum ReplyRules {
    /// An answer of a calendar object, or why an event of it cannot be one.
    enum Extracted: Sendable, Equatable {
        case answer(ReplyAnswer)
        case unusable(uid: String, attendee: String, reason: String)
    }

    /// True when the object is a reply: METHOD:REPLY, or no METHOD and one ATTENDEE per event
    /// (some clients drop the METHOD along with the MIME `method=`).
    static func isReply(_ object: CalendarObject) -> Bool {
        if let method = object.method { return method == .reply }
        return !object.events.isEmpty && object.events.allSatisfy { $0.attendees.count == 1 }
    }

    /// The answers of a reply. `from` (the message's sender) picks the attendee when a client
    /// sends the whole list back.
    static func answers(in object: CalendarObject, from: String) -> [Extracted] {
        object.events.map { event in
            let stamp = event.stamp.map(Timestamp.format) ?? ""
            let attendee: CalendarAttendee
            switch event.attendees.count {
            case 0:
                return .unusable(uid: event.uid, attendee: from, reason: "the reply names no ATTENDEE")
            case 1:
                attendee = event.attendees[0]
            default:
                let sender = normalize(from)
                if let match = event.attendees.first(where: { normalize($0.address) == sender }) {
                    attendee = match
                } else {
                    let answered = event.attendees.filter { $0.status != .needsAction }
                    guard answered.count == 1 else {
                        return .unusable(uid: event.uid, attendee: from,
                                         reason: "the reply names \(event.attendees.count) attendees and none is its sender")
                    }
                    attendee = answered[0]
                }
            }
            return .answer(ReplyAnswer(uid: event.uid, recurrenceID: event.recurrenceID, attendee: normalize(attendee.address),
                                       partstat: attendee.status, sequence: event.effectiveSequence, stamp: stamp))
        }
    }

    /// An address as compared: lower-case, without a `mailto:` of any case, trimmed.
    static func normalize(_ address: String) -> String {
        var text = address.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("mailto:") { text = String(text.dropFirst(7)) }
        return text.lowercased()
    }

    /// Decides an answer for `meeting`: who may answer, which occurrence, and whether it is
    /// newer than what is recorded (higher SEQUENCE, or the same SEQUENCE and a later DTSTAMP).
    static func decide(_ answer: ReplyAnswer, meeting: Meeting, in db: Database) throws -> ReplyDecision {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT partstat, reply_sequence, reply_stamp FROM meeting_attendee WHERE meeting_id = ? AND address = ?
            """, arguments: [meeting.id, answer.attendee]) else {
            return .refuse("\(answer.attendee) is not an attendee of meeting \(meeting.id)")
        }
        guard answer.partstat != .needsAction else {
            return .ignore("the reply gives no answer (PARTSTAT=NEEDS-ACTION)")
        }
        var occurrence: String?
        if let recurrenceID = answer.recurrenceID, meeting.isRecurring {
            guard let found = try self.occurrence(recurrenceID, of: meeting, in: db) else {
                return .skip("meeting \(meeting.id) has no occurrence at \(describe(recurrenceID))")
            }
            occurrence = found
        }
        let recorded: Row?
        if let occurrence {
            recorded = try Row.fetchOne(db, sql: """
                SELECT partstat, reply_sequence, reply_stamp FROM meeting_occurrence_reply
                WHERE meeting_id = ? AND recurrence_id = ? AND address = ?
                """, arguments: [meeting.id, occurrence, answer.attendee])
        } else {
            recorded = row
        }
        if let recorded, let sequence: Int = recorded["reply_sequence"] {
            let stamp: String = recorded["reply_stamp"] ?? ""
            if answer.sequence < sequence {
                return .ignore("older than the answer recorded (SEQUENCE \(answer.sequence) < \(sequence))")
            }
            if answer.sequence == sequence {
                if answer.stamp == stamp { return .ignore("already recorded") }
                if answer.stamp < stamp { return .ignore("older than the answer recorded (same SEQUENCE, earlier DTSTAMP)") }
            }
        }
        return .apply(occurrence: occurrence)
    }

    /// Records an answer decided as ``ReplyDecision/apply(occurrence:)``.
    static func apply(_ answer: ReplyAnswer, meeting: Meeting, occurrence: String?, in db: Database) throws {
        if let occurrence {
            try db.execute(sql: """
                INSERT INTO meeting_occurrence_reply (meeting_id, recurrence_id, address, partstat, reply_sequence, reply_stamp)
                VALUES (?, ?, (SELECT address FROM meeting_attendee WHERE meeting_id = ? AND address = ?), ?, ?, ?)
                ON CONFLICT (meeting_id, recurrence_id, address) DO UPDATE SET
                    partstat = excluded.partstat, reply_sequence = excluded.reply_sequence, reply_stamp = excluded.reply_stamp
                """, arguments: [meeting.id, occurrence, meeting.id, answer.attendee, answer.partstat.rawValue, answer.sequence, answer.stamp])
        } else {
            try db.execute(sql: """
                UPDATE meeting_attendee SET partstat = ?, reply_sequence = ?, reply_stamp = ? WHERE meeting_id = ? AND address = ?
                """, arguments: [answer.partstat.rawValue, answer.sequence, answer.stamp, meeting.id, answer.attendee])
        }
    }

    /// The stored RECURRENCE-ID of the occurrence a reply names: the same instant, or for an
    /// all-day RECURRENCE-ID the occurrence that starts that day in the meeting's zone.
    static func occurrence(_ time: EventTime, of meeting: Meeting, in db: Database) throws -> String? {
        let zone = (try? CalendarZone(meeting.timeZone)) ?? CalendarZone.utc
        let instant = time.instant(floatingIn: zone)
        if case .date = time {
            let from = MeetingOccurrence.recurrenceID(of: instant)
            let to = MeetingOccurrence.recurrenceID(of: instant.addingTimeInterval(86_400))
            return try String.fetchOne(db, sql: """
                SELECT recurrence_id FROM meeting_occurrence WHERE meeting_id = ? AND recurrence_id >= ? AND recurrence_id < ?
                ORDER BY recurrence_id LIMIT 1
                """, arguments: [meeting.id, from, to])
        }
        return try String.fetchOne(db, sql: "SELECT recurrence_id FROM meeting_occurrence WHERE meeting_id = ? AND recurrence_id = ?",
                                   arguments: [meeting.id, MeetingOccurrence.recurrenceID(of: instant)])
    }

    /// A RECURRENCE-ID as an error names it.
    static func describe(_ time: EventTime) -> String {
        switch time {
        case .date(let year, let month, let day): String(format: "%04d-%02d-%02d", year, month, day)
        case .zoned(let local, let zone): "\(local) \(zone.identifier)"
        case .utc(let date): MeetingOccurrence.recurrenceID(of: date)
        case .floating(let local): local.description
        }
    }
}
