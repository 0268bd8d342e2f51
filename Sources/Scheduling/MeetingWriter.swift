public import Foundation
public import GRDB
import ICalendar
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
        try db.cachedStatement(sql: """
            INSERT INTO meeting (uid, title, agenda, organizer_id, sent_by_id, room_id, join_url, time_zone, start_local,
                                 duration_seconds, rrule, sequence, status, origin, materialized_to, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?)
            """).execute(arguments: [draft.uid, draft.title, draft.agenda, draft.organizerID, draft.sentByID, draft.roomID, draft.joinURL,
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

    /// Writes the occurrences of every confirmed series written short of `horizon` (Unix seconds)
    /// up to `horizon` plus a month, so that the booking window can slide without a series
    /// vanishing from conflict checks beyond the point it was first written to. Called at the
    /// start of every booking's transaction; costs one indexed query when nothing is short.
    /// Returns the number of occurrences added.
    @discardableResult
    public static func extendSeries(to horizon: Int64, in db: Database) throws -> Int {
        let short = try Row.fetchAll(db, sql: """
            SELECT id, time_zone, start_local, duration_seconds, rrule, room_id, materialized_to FROM meeting
            WHERE rrule <> '' AND status = 'confirmed' AND materialized_to < ?
            """, arguments: [horizon])
        var added = 0
        let target = horizon + 30 * 86_400
        for row in short {
            let id: Int64 = row["id"]
            let zoneName: String = row["time_zone"], startText: String = row["start_local"], rruleText: String = row["rrule"]
            let duration: Int64 = row["duration_seconds"], from: Int64 = row["materialized_to"]
            guard let zone = try? CalendarZone(zoneName), let start = LocalDateTime(iso: startText), let rule = try? RecurrenceRule(rruleText) else { continue }
            let starts = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: [],
                                                            from: Date(timeIntervalSince1970: TimeInterval(from)),
                                                            to: Date(timeIntervalSince1970: TimeInterval(target)), limit: 5_000)
            let statement = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO meeting_occurrence (meeting_id, recurrence_id, start_at, end_at, room_id) VALUES (?, ?, ?, ?, ?)
                """)
            for instant in starts {
                let seconds = Int64(instant.timeIntervalSince1970)
                try statement.execute(arguments: [id, MeetingOccurrence.recurrenceID(of: instant), seconds, seconds + duration, row["room_id"] as Int64?])
                added += db.changesCount
            }
            try db.execute(sql: "UPDATE meeting SET materialized_to = ? WHERE id = ?", arguments: [target, id])
        }
        return added
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
