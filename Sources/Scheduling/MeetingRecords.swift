public import Foundation
public import GRDB

/// A meeting as stored: a single event or a series, with its organizer and room resolved.
public struct Meeting: Sendable, Codable, Equatable, FetchableRecord {
    /// The number staff type (`meetctl show 42`).
    public var id: Int64
    /// The iCalendar UID, stable over every update.
    public var uid: String
    /// The title (SUMMARY).
    public var title: String
    /// The agenda text (DESCRIPTION, before the join link).
    public var agenda: String
    /// The organizer.
    public var organizerID: Int64
    /// The organizer's login.
    public var organizerLogin: String
    /// The organizer's display name.
    public var organizerName: String
    /// Who booked it for the organizer (SENT-BY), or nil.
    public var sentByLogin: String?
    /// The room, or nil.
    public var roomID: Int64?
    /// The room's name, or nil.
    public var roomName: String?
    /// `physical` or `virtual`, or nil without a room.
    public var roomKind: String?
    /// The room's location text.
    public var roomLocation: String?
    /// The videoconference join link, or empty.
    public var joinURL: String
    /// The Olson zone the start is written in.
    public var timeZone: String
    /// The first start, wall clock in ``timeZone`` (`2026-12-08T09:00:00`).
    public var startLocal: String
    /// Length of each occurrence.
    public var durationSeconds: Int
    /// The RRULE, or empty for a single meeting.
    public var rrule: String
    /// The iCalendar SEQUENCE: bumped by every update the attendees are told about.
    public var sequence: Int
    /// `confirmed` or `cancelled`.
    public var status: String
    /// `booked` here or `imported` from a file.
    public var origin: String
    /// When it was booked and last changed (UTC, stored form).
    public var createdAt: String, updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, uid, title, agenda, organizerID = "organizer_id", organizerLogin = "organizer_login", organizerName = "organizer_name"
        case sentByLogin = "sent_by_login", roomID = "room_id", roomName = "room_name", roomKind = "room_kind", roomLocation = "room_location"
        case joinURL = "join_url", timeZone = "time_zone", startLocal = "start_local", durationSeconds = "duration_seconds"
        case rrule, sequence, status, origin, createdAt = "created_at", updatedAt = "updated_at"
    }

    /// Reads a row of ``selection``.
    public init(row: Row) {
        id = row["id"]
        uid = row["uid"]
        title = row["title"]
        agenda = row["agenda"]
        organizerID = row["organizer_id"]
        organizerLogin = row["organizer_login"]
        organizerName = row["organizer_name"]
        sentByLogin = row["sent_by_login"]
        roomID = row["room_id"]
        roomName = row["room_name"]
        roomKind = row["room_kind"]
        roomLocation = row["room_location"]
        joinURL = row["join_url"]
        timeZone = row["time_zone"]
        startLocal = row["start_local"]
        durationSeconds = row["duration_seconds"]
        rrule = row["rrule"]
        sequence = row["sequence"]
        status = row["status"]
        origin = row["origin"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }

    /// True for a series.
    public var isRecurring: Bool { !rrule.isEmpty }

    /// The SELECT every meeting read uses (append `WHERE ...`).
    public static let selection = """
        SELECT m.*, o.login AS organizer_login, o.display_name AS organizer_name, s.login AS sent_by_login,
               r.name AS room_name, r.kind AS room_kind, r.location AS room_location
        FROM meeting m JOIN person o ON o.id = m.organizer_id LEFT JOIN person s ON s.id = m.sent_by_id
        LEFT JOIN room r ON r.id = m.room_id
        """
}

/// One person (or outside address) invited to a meeting, with their answer.
public struct MeetingAttendee: Sendable, Codable, Equatable, FetchableRecord {
    /// The meeting.
    public var meetingID: Int64
    /// Where invites go (lower-case).
    public var address: String
    /// The directory person, or nil for an outside address.
    public var personID: Int64?
    /// Their login, or nil.
    public var login: String?
    /// Their name as invites show it.
    public var name: String
    /// CHAIR (the organizer), REQ-PARTICIPANT, OPT-PARTICIPANT or NON-PARTICIPANT.
    public var role: String
    /// NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE or DELEGATED.
    public var partstat: String
    /// The SEQUENCE and DTSTAMP of the reply applied, if any.
    public var replySequence: Int?, replyStamp: String?

    enum CodingKeys: String, CodingKey {
        case meetingID = "meeting_id", address, personID = "person_id", login, name, role, partstat
        case replySequence = "reply_sequence", replyStamp = "reply_stamp"
    }

    /// Reads a row of ``selection``.
    public init(row: Row) {
        meetingID = row["meeting_id"]
        address = row["address"]
        personID = row["person_id"]
        login = row["login"]
        name = row["name"]
        role = row["role"]
        partstat = row["partstat"]
        replySequence = row["reply_sequence"]
        replyStamp = row["reply_stamp"]
    }

    /// The SELECT attendee reads use (append `WHERE ...`).
    public static let selection = "SELECT a.*, p.login AS login FROM meeting_attendee a LEFT JOIN person p ON p.id = a.person_id"
}

/// One occurrence of a meeting, as materialized for conflicts and agendas.
public struct MeetingOccurrence: Sendable, Codable, Equatable, FetchableRecord {
    /// The meeting.
    public var meetingID: Int64
    /// Its original start, UTC, iCalendar form (`20261208T020000Z`): the RECURRENCE-ID.
    public var recurrenceID: String
    /// Its start and end, Unix seconds (after a move).
    public var startAt: Int64, endAt: Int64
    /// Its room, or nil.
    public var roomID: Int64?
    /// `confirmed` or `cancelled`.
    public var status: String
    /// True when moved away from the series' time.
    public var moved: Bool

    enum CodingKeys: String, CodingKey {
        case meetingID = "meeting_id", recurrenceID = "recurrence_id", startAt = "start_at", endAt = "end_at"
        case roomID = "room_id", status, moved
    }

    /// Reads a row of `meeting_occurrence`.
    public init(row: Row) {
        meetingID = row["meeting_id"]
        recurrenceID = row["recurrence_id"]
        startAt = row["start_at"]
        endAt = row["end_at"]
        roomID = row["room_id"]
        status = row["status"]
        moved = row["moved"]
    }

    /// The start as a date.
    public var start: Date { Date(timeIntervalSince1970: TimeInterval(startAt)) }
    /// The end as a date.
    public var end: Date { Date(timeIntervalSince1970: TimeInterval(endAt)) }

    /// The RECURRENCE-ID form of an instant: `20261208T020000Z` (written digit by digit: it is
    /// made for every occurrence stored, and `String(format:)` is slow on Linux).
    public static func recurrenceID(of date: Date) -> String {
        var time = time_t(Int64(date.timeIntervalSince1970.rounded(.down)))
        var parts = tm()
        gmtime_r(&time, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = max(0, value)
            while divisor > 0 {
                bytes.append(UInt8(48 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(Int(parts.tm_year) + 1900, digits: 4)
        append(Int(parts.tm_mon) + 1, digits: 2)
        append(Int(parts.tm_mday), digits: 2)
        bytes.append(UInt8(ascii: "T"))
        append(Int(parts.tm_hour), digits: 2)
        append(Int(parts.tm_min), digits: 2)
        append(Int(parts.tm_sec), digits: 2)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
