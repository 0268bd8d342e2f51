public import Foundation
import GRDB
import SwitchboardBase
import SwitchboardCore

/// Whose agenda: a person's or a room's.
public enum AgendaSubject: Sendable, Hashable {
    /// The actor's own meetings.
    case me
    /// A person's, by login.
    case person(String)
    /// A room's, by name.
    case room(String)
}

/// One occurrence on an agenda.
public struct AgendaEntry: Sendable, Codable, Hashable {
    /// The meeting's number, or nil when its details are not the viewer's to see.
    public var meetingID: Int64?
    /// Start and end, Unix seconds.
    public var start: Int64, end: Int64
    /// The title, or "busy" when hidden.
    public var title: String
    /// The room's name, or nil.
    public var room: String?
    /// The join link, or nil (a videoconference: "online").
    public var joinURL: String?
    /// The organizer's login, or nil when hidden.
    public var organizer: String?
    /// The subject's answer (ACCEPTED, TENTATIVE, NEEDS-ACTION; CHAIR's is ACCEPTED), or nil for a room or when hidden.
    public var answer: String?
    /// True when only "busy" may be shown to this viewer.
    public var hidden: Bool
    /// True for an occurrence of a series.
    public var recurring: Bool

    enum CodingKeys: String, CodingKey {
        case meetingID = "meeting_id", start, end, title, room, joinURL = "join_url", organizer, answer, hidden, recurring
    }
}

/// An agenda: whose, over which time, and its occurrences in start order.
public struct Agenda: Sendable, Codable {
    /// The login or room name.
    public var subject: String
    /// True for a room.
    public var isRoom: Bool
    /// [from, to), Unix seconds.
    public var from: Int64, to: Int64
    /// The occurrences, in start order.
    public var entries: [AgendaEntry]
}

extension Scheduler {
    /// The meetings of a person (attending, not declined: the busy rule of ``BusyTime``) or of a
    /// room over [from, to).
    ///
    /// Viewers see the details of meetings they attend or organize; of the others, only that the
    /// time is busy, unless they are the helpdesk or an admin (`meet.read` covers both).
    public func agenda(of subject: AgendaSubject, from: Date, to: Date) throws -> Agenda {
        let lower = Int64(from.timeIntervalSince1970), upper = Int64(to.timeIntervalSince1970)
        guard upper > lower else { throw SchedulingError(.invalidInput, "the agenda's end is not after its start") }
        let target: String
        switch subject {
        case .me: target = "person:\(session.login)"
        case .person(let login): target = "person:\(login)"
        case .room(let name): target = "room:\(name)"
        }
        try session.authorize(.meetRead, target: target)
        let seesAll = session.role == .admin || session.role == .helpdesk
        let viewer = session.personID
        return try database.read { db in
            var personID: Int64?
            var roomID: Int64?
            let name: String
            switch subject {
            case .me:
                guard let viewer else {
                    throw SchedulingError(.invalidInput, "\(session.login) is not a person in the directory: give --person LOGIN or --room NAME")
                }
                personID = viewer
                name = session.login
            case .person(let login):
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM person WHERE login = ?", arguments: [login]) else {
                    throw SchedulingError(.notFound, "no person with login \(Quoting.quoted(login)) (see `dirctl person list`)")
                }
                personID = id
                name = login
            case .room(let roomName):
                roomID = try Self.room(named: roomName, in: db).id
                name = roomName
            }
            let busy = try BusyTime.busy(personIDs: personID.map { [$0] } ?? [], roomIDs: roomID.map { [$0] } ?? [],
                                         from: lower, to: upper, in: db)
            let agenda = Agenda(subject: name, isRoom: roomID != nil, from: lower, to: upper, entries: [])
            guard !busy.isEmpty else { return agenda }
            let ids = Array(Set(busy.map(\.meetingID)))
            let list = BusyTime.placeholders(ids.count)
            var details: [Int64: Row] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT m.id, m.title, m.join_url, m.rrule, m.organizer_id, o.login AS organizer
                FROM meeting m JOIN person o ON o.id = m.organizer_id WHERE m.id IN (\(list))
                """, arguments: StatementArguments(ids)) {
                details[row["id"]] = row
            }
            // The room of each occurrence (a moved one may be elsewhere), by (meeting, recurrence).
            var rooms: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT o.meeting_id, o.recurrence_id, r.name FROM meeting_occurrence o JOIN room r ON r.id = o.room_id
                WHERE o.meeting_id IN (\(list)) AND o.start_at < ? AND o.end_at > ?
                """, arguments: StatementArguments(ids) + [upper, lower - BusyTime.longestOccurrence]) {
                rooms["\(row[0] as Int64)/\(row[1] as String)"] = row[2]
            }
            var answers: [Int64: String] = [:]
            if let personID {
                for row in try Row.fetchAll(db, sql: """
                    SELECT meeting_id, partstat FROM meeting_attendee WHERE person_id = ? AND meeting_id IN (\(list))
                    """, arguments: [personID] + StatementArguments(ids)) {
                    answers[row[0]] = row[1]
                }
            }
            var viewerAttends: Set<Int64> = []
            if let viewer, !seesAll, viewer != personID {
                viewerAttends = Set(try Int64.fetchAll(db, sql: """
                    SELECT meeting_id FROM meeting_attendee WHERE person_id = ? AND meeting_id IN (\(list))
                    """, arguments: [viewer] + StatementArguments(ids)))
            }
            var result = agenda
            for interval in busy {
                guard let row = details[interval.meetingID] else { continue }
                let organizerID: Int64 = row["organizer_id"]
                let visible = seesAll || (viewer != nil && (viewer == personID || viewer == organizerID || viewerAttends.contains(interval.meetingID)))
                guard visible else {
                    result.entries.append(AgendaEntry(meetingID: nil, start: interval.start, end: interval.end, title: "busy", room: nil,
                                                      joinURL: nil, organizer: nil, answer: nil, hidden: true, recurring: false))
                    continue
                }
                let join: String = row["join_url"]
                let rrule: String = row["rrule"]
                result.entries.append(AgendaEntry(
                    meetingID: interval.meetingID, start: interval.start, end: interval.end, title: row["title"],
                    room: rooms["\(interval.meetingID)/\(interval.recurrenceID)"], joinURL: join.isEmpty ? nil : join,
                    organizer: row["organizer"], answer: answers[interval.meetingID], hidden: false, recurring: !rrule.isEmpty))
            }
            return result
        }
    }
}
