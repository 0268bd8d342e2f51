public import GRDB

/// One stretch of time when a person or a room is taken.
public struct BusyInterval: Sendable, Hashable, Codable {
    /// The meeting that takes it.
    public var meetingID: Int64
    /// Its title.
    public var title: String
    /// The occurrence (RECURRENCE-ID form).
    public var recurrenceID: String
    /// The busy person, or nil for a room.
    public var personID: Int64?
    /// The busy room, or nil for a person.
    public var roomID: Int64?
    /// Start and end, Unix seconds; half-open, so a meeting may begin when another ends.
    public var start: Int64, end: Int64
}

/// Who and what is taken when: the one rule conflicts, find-time and agendas share.
///
/// Busy means a confirmed occurrence of a confirmed meeting where the person has an attendee row
/// (the organizer included) that is not DECLINED, and not declined for that occurrence alone; a
/// room is busy during every confirmed occurrence booked in it. Reads only the materialized
/// `meeting_occurrence` table through its indexes.
public enum BusyTime {
    /// The longest single occurrence stored (14 days): bounds the index range a query scans, so
    /// "what overlaps [from, to)" starts at `from - longestOccurrence` instead of the beginning.
    public static let longestOccurrence: Int64 = 14 * 86_400

    /// The busy intervals of these people and rooms overlapping [from, to), in start order.
    /// `excluding` leaves one meeting out (the one being rescheduled).
    public static func busy(personIDs: [Int64], roomIDs: [Int64], from: Int64, to: Int64, excluding: Int64? = nil,
                            in db: Database) throws -> [BusyInterval] {
        var result: [BusyInterval] = []
        let floor = from - longestOccurrence
        let skip = excluding ?? -1
        // An occurrence's own status is authoritative (cancelling a meeting cancels each of its
        // occurrences), so the meeting table is read only for the titles of what was found.
        if !personIDs.isEmpty {
            let rows = try Row.fetchCursor(db, sql: """
                SELECT o.meeting_id, o.recurrence_id, a.person_id, o.start_at, o.end_at
                FROM meeting_attendee a
                JOIN meeting_occurrence o ON o.meeting_id = a.meeting_id
                WHERE a.person_id IN (\(placeholders(personIDs.count))) AND a.partstat <> 'DECLINED' AND a.meeting_id <> ?
                  AND o.start_at >= ? AND o.start_at < ? AND o.end_at > ? AND o.status = 'confirmed'
                  AND NOT EXISTS (SELECT 1 FROM meeting_occurrence_reply r WHERE r.meeting_id = o.meeting_id
                                  AND r.recurrence_id = o.recurrence_id AND r.address = a.address AND r.partstat = 'DECLINED')
                """, arguments: StatementArguments(personIDs) + [skip, floor, to, from])
            while let row = try rows.next() {
                result.append(BusyInterval(meetingID: row[0], title: "", recurrenceID: row[1], personID: row[2], roomID: nil,
                                           start: row[3], end: row[4]))
            }
        }
        if !roomIDs.isEmpty {
            let rows = try Row.fetchCursor(db, sql: """
                SELECT o.meeting_id, o.recurrence_id, o.room_id, o.start_at, o.end_at
                FROM meeting_occurrence o
                WHERE o.room_id IN (\(placeholders(roomIDs.count))) AND o.status = 'confirmed' AND o.meeting_id <> ?
                  AND o.start_at >= ? AND o.start_at < ? AND o.end_at > ?
                """, arguments: StatementArguments(roomIDs) + [skip, floor, to, from])
            while let row = try rows.next() {
                result.append(BusyInterval(meetingID: row[0], title: "", recurrenceID: row[1], personID: nil, roomID: row[2],
                                           start: row[3], end: row[4]))
            }
        }
        let titles = try title(of: Set(result.map(\.meetingID)), in: db)
        for index in result.indices { result[index].title = titles[result[index].meetingID] ?? "" }
        return result.sorted { ($0.start, $0.meetingID) < ($1.start, $1.meetingID) }
    }

    static func title(of ids: Set<Int64>, in db: Database) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(db, sql: "SELECT id, title FROM meeting WHERE id IN (\(placeholders(ids.count)))", arguments: StatementArguments(Array(ids)))
        return Dictionary(rows.map { ($0[0] as Int64, $0[1] as String) }, uniquingKeysWith: { first, _ in first })
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: max(count, 1)).joined(separator: ",")
    }
}
