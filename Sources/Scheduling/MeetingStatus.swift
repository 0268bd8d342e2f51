public import Foundation
import GRDB
import ICalendar
import SwitchboardBase
import SwitchboardCore

/// A meeting with who is coming: what `meetctl show` prints.
public struct MeetingStatus: Sendable, Codable {
    /// One attendee's answer for one occurrence (a reply that named a RECURRENCE-ID).
    public struct OccurrenceAnswer: Sendable, Codable, Equatable {
        /// The occurrence's original start (RECURRENCE-ID form, `20261208T020000Z`).
        public var recurrenceID: String
        /// When it starts (after a move), or nil when it is not materialized.
        public var start: Date?
        /// The attendee's address and name.
        public var address: String, name: String
        /// Their answer for this occurrence.
        public var partstat: String

        enum CodingKeys: String, CodingKey {
            case recurrenceID = "recurrence_id", start, address, name, partstat
        }
    }

    /// The meeting.
    public var meeting: Meeting
    /// The first start as an instant.
    public var start: Date
    /// Who said yes (the organizer included), no, maybe, and who has not answered, by name.
    public var accepted: [MeetingAttendee], declined: [MeetingAttendee], tentative: [MeetingAttendee], pending: [MeetingAttendee]
    /// Answers for single occurrences, by occurrence, then name.
    public var occurrenceAnswers: [OccurrenceAnswer]
    /// The number of occurrences stored (confirmed), and the next one from now, if any.
    public var occurrenceCount: Int
    /// See ``occurrenceCount``.
    public var nextStart: Date?

    enum CodingKeys: String, CodingKey {
        case meeting, start, accepted, declined, tentative, pending, occurrenceAnswers = "occurrence_answers"
        case occurrenceCount = "occurrence_count", nextStart = "next_start"
    }

    /// The series' recurrence in words (`weekly on Tue, Thu until 2027-03-31`), or nil for a single meeting.
    public var recurrence: String? {
        meeting.isRecurring ? Self.words(forRule: meeting.rrule) : nil
    }

    /// An RRULE in words, in English: `every 2 weeks on Mon`, `monthly on day 31, 6 times`.
    /// A rule with parts this does not name is shown as written after the words it can give.
    public static func words(forRule rule: String) -> String {
        var parts: [String: String] = [:]
        for piece in rule.split(separator: ";") {
            let pair = piece.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parts[pair[0].uppercased()] = String(pair[1]) }
        }
        let interval = Int(parts["INTERVAL"] ?? "1") ?? 1
        let units = ["DAILY": ("daily", "days"), "WEEKLY": ("weekly", "weeks"), "MONTHLY": ("monthly", "months"), "YEARLY": ("yearly", "years")]
        guard let frequency = parts["FREQ"]?.uppercased(), let unit = units[frequency] else { return "RRULE \(rule)" }
        var text = interval > 1 ? "every \(interval) \(unit.1)" : unit.0
        let dayNames = ["MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"]
        if let days = parts["BYDAY"] {
            let named = days.split(separator: ",").map { day -> String in
                let code = String(day.suffix(2)).uppercased()
                let position = day.dropLast(2)
                let name = dayNames[code] ?? String(day)
                return position.isEmpty ? name : "\(Self.ordinal(String(position))) \(name)"
            }
            text += " on " + named.joined(separator: ", ")
        }
        if let days = parts["BYMONTHDAY"] { text += " on day " + days.split(separator: ",").joined(separator: ", ") }
        if let count = parts["COUNT"] { text += ", \(count) times" }
        if let until = parts["UNTIL"], until.count >= 8 {
            let digits = Array(until)
            text += " until \(String(digits[0..<4]))-\(String(digits[4..<6]))-\(String(digits[6..<8]))"
        }
        let named: Set<String> = ["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"]
        if parts.keys.contains(where: { !named.contains($0) }) { text += " (RRULE \(rule))" }
        return text
    }

    private static func ordinal(_ position: String) -> String {
        switch position {
        case "1", "+1": "1st"
        case "2", "+2": "2nd"
        case "3", "+3": "3rd"
        case "-1": "last"
        default: position.hasPrefix("-") ? "\(position.dropFirst())th from last" : "\(position)th"
        }
    }
}

extension Scheduler {
    /// A meeting by number or UID with its attendees grouped by answer and the answers given
    /// for single occurrences (access: `meet.read`).
    public func status(of reference: String) throws -> MeetingStatus {
        let meeting = try self.meeting(reference)
        let now = Int64(clock.now().timeIntervalSince1970)
        return try database.read { db in
            let attendees = try Self.attendees(of: meeting.id, in: db)
            let answers = try Row.fetchAll(db, sql: """
                SELECT r.recurrence_id, r.address, a.name, r.partstat, o.start_at
                FROM meeting_occurrence_reply r
                JOIN meeting_attendee a ON a.meeting_id = r.meeting_id AND a.address = r.address
                LEFT JOIN meeting_occurrence o ON o.meeting_id = r.meeting_id AND o.recurrence_id = r.recurrence_id
                WHERE r.meeting_id = ? ORDER BY r.recurrence_id, a.name COLLATE NOCASE, r.address
                """, arguments: [meeting.id]).map { row in
                MeetingStatus.OccurrenceAnswer(recurrenceID: row["recurrence_id"], start: (row["start_at"] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) },
                                               address: row["address"], name: row["name"], partstat: row["partstat"])
            }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM meeting_occurrence WHERE meeting_id = ? AND status = 'confirmed'", arguments: [meeting.id]) ?? 0
            let next = try Int64.fetchOne(db, sql: """
                SELECT min(start_at) FROM meeting_occurrence WHERE meeting_id = ? AND status = 'confirmed' AND end_at > ?
                """, arguments: [meeting.id, now])
            let zone = (try? CalendarZone(meeting.timeZone)) ?? CalendarZone.utc
            let first = LocalDateTime(iso: meeting.startLocal).map { zone.date(of: $0) } ?? Date(timeIntervalSince1970: 0)
            func with(_ statuses: Set<String>) -> [MeetingAttendee] { attendees.filter { statuses.contains($0.partstat) } }
            return MeetingStatus(meeting: meeting, start: first, accepted: with(["ACCEPTED"]), declined: with(["DECLINED"]),
                                 tentative: with(["TENTATIVE"]), pending: with(["NEEDS-ACTION", "DELEGATED"]),
                                 occurrenceAnswers: answers, occurrenceCount: count,
                                 nextStart: next.map { Date(timeIntervalSince1970: TimeInterval($0)) })
        }
    }
}
