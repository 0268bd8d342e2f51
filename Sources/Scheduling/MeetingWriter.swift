public import Foundation
public import GRDB
import SwitchboardCore

/// A meeting ready to store: what booking and import both produce.
public struct MeetingDraft: Sendable {
    /// One attendee row.
    public struct Attendee: Sendable, Hashable {
        /// Where invites go (lower-case).
        public var address: String
        /// The directory person, or nil.
        public var personID: Int64?
        /// The name invites show.
        public var name: String
        /// CHAIR, REQ-PARTICIPANT, OPT-PARTICIPANT or NON-PARTICIPANT.
        public var role: String
        /// The answer so far.
        public var partstat: String

        /// An attendee row.
        public init(address: String, personID: Int64?, name: String, role: String = "REQ-PARTICIPANT", partstat: String = "NEEDS-ACTION") {
            self.address = address
            self.personID = personID
            self.name = name
            self.role = role
            self.partstat = partstat
        }
    }

    /// One occurrence row.
    public struct Occurrence: Sendable, Hashable {
        /// The original start, RECURRENCE-ID form.
        public var recurrenceID: String
        /// Start and end, Unix seconds.
        public var start: Int64, end: Int64
        /// Cancelled (an EXDATE) or confirmed.
        public var cancelled: Bool = false
        /// Moved from the series' time.
        public var moved: Bool = false

        /// An occurrence.
        public init(recurrenceID: String, start: Int64, end: Int64, cancelled: Bool = false, moved: Bool = false) {
            self.recurrenceID = recurrenceID
            self.start = start
            self.end = end
            self.cancelled = cancelled
            self.moved = moved
        }
    }

    /// The iCalendar UID.
    public var uid: String
    /// Title and agenda text.
    public var title: String, agenda: String
    /// The organizer, and who booked for them (SENT-BY) or nil.
    public var organizerID: Int64, sentByID: Int64?
    /// The room, or nil; the join link, or empty.
    public var roomID: Int64?, joinURL: String
    /// The zone and first start (wall clock) the series is defined by.
    public var timeZone: String, startLocal: String
    /// Length of each occurrence.
    public var durationSeconds: Int
    /// The RRULE, or empty.
    public var rrule: String
    /// The iCalendar SEQUENCE.
    public var sequence: Int = 0
    /// `booked` or `imported`.
    public var origin: String = "booked"
    /// How far the occurrences are written (Unix seconds): the window's end for a series.
    public var materializedTo: Int64 = 0
    /// The organizer first (role CHAIR), then the others.
    public var attendees: [Attendee]
    public var occurrences: [Occurrence]

    /// A draft; every field as stored (see the `meeting` table).
    public init(uid: String, title: String, agenda: String, organizerID: Int64, sentByID: Int64?, roomID: Int64?, joinURL: String,
                timeZone: String, startLocal: String, durationSeconds: Int, rrule: String, sequence: Int = 0, origin: String = "booked",
                attendees: [Attendee], occurrences: [Occurrence]) {
        self.uid = uid
        self.title = title
        self.agenda = agenda
        self.organizerID = organizerID
        self.sentByID = sentByID
        self.roomID = roomID
        self.joinURL = joinURL
        self.timeZone = timeZone
        self.startLocal = startLocal
        self.durationSeconds = durationSeconds
        self.rrule = rrule
        self.sequence = sequence
        self.origin = origin
        self.attendees = attendees
        self.occurrences = occurrences
    }
}

/// Writes meetings, their attendees and their occurrences: the one place rows are inserted.
public enum MeetingWriter {
    /// Inserts a meeting with its attendees and occurrences; returns its number.
    public static func insert(_ draft: MeetingDraft, in db: Database, now: Date) throws -> Int64 {
        let stamp = Timestamp.format(now)
        try db.execute(sql: """
            INSERT INTO meeting (uid, title, agenda, organizer_id, sent_by_id, room_id, join_url, time_zone, start_local,
                                 duration_seconds, rrule, sequence, status, origin, materialized_to, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?)
            """, arguments: [draft.uid, draft.title, draft.agenda, draft.organizerID, draft.sentByID, draft.roomID, draft.joinURL,
                             draft.timeZone, draft.startLocal, draft.durationSeconds, draft.rrule, draft.sequence, draft.origin,
                             draft.materializedTo, stamp, stamp])
        let id = db.lastInsertedRowID
        let attendee = try db.cachedStatement(sql: """
            INSERT INTO meeting_attendee (meeting_id, address, person_id, name, role, partstat) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for row in draft.attendees {
            try attendee.execute(arguments: [id, row.address, row.personID, row.name, row.role, row.partstat])
        }
        try insertOccurrences(draft.occurrences, meetingID: id, roomID: draft.roomID, in: db)
        return id
    }

    /// Inserts occurrences of a meeting (after deleting the old ones, for a reschedule).
    public static func insertOccurrences(_ occurrences: [MeetingDraft.Occurrence], meetingID: Int64, roomID: Int64?, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO meeting_occurrence (meeting_id, recurrence_id, start_at, end_at, room_id, status, moved) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for occurrence in occurrences {
            guard occurrence.end > occurrence.start, occurrence.end - occurrence.start <= BusyTime.longestOccurrence else {
                throw SchedulingError(.invalidInput, "an occurrence must last more than 0 and at most 14 days (\(occurrence.recurrenceID))")
            }
            try statement.execute(arguments: [meetingID, occurrence.recurrenceID, occurrence.start, occurrence.end, roomID,
                                              occurrence.cancelled ? "cancelled" : "confirmed", occurrence.moved])
        }
    }
}
