public import Foundation
import GRDB
import ICalendar
import SwitchboardBase
import SwitchboardCore

/// An .ics of someone's meetings, ready to write.
public struct CalendarExport: Sendable {
    /// The iCalendar text (METHOD:PUBLISH), CRLF lines.
    public var text: String
    /// How many meetings it holds (a series counts once).
    public var meetings: Int
    /// How many VEVENTs: a series' moved occurrences are events of their own (RECURRENCE-ID).
    public var events: Int
}

extension Scheduler {
    /// The confirmed meetings `login` (nil: the actor) attends, not declined, or organizes, with
    /// an occurrence in [from, to) when given, as one METHOD:PUBLISH calendar: each series once
    /// with its RRULE, cancelled occurrences as EXDATE, moved ones as overrides (RECURRENCE-ID),
    /// built by the same code as the invites.
    ///
    /// Staff export their own calendar; another person's needs the helpdesk or an admin
    /// (refused and audited otherwise).
    public func exportCalendar(of login: String?, from: Date?, to: Date?) throws -> CalendarExport {
        let subject = login ?? session.login
        let target = "person:\(subject)"
        try session.authorize(.meetExport, target: target)
        if subject != session.login, !(session.role == .admin || session.role == .helpdesk) {
            try session.deny(.meetExport, target: target, reason: "only the helpdesk exports another person's meetings (\(subject))")
        }
        let lower = from.map { Int64($0.timeIntervalSince1970) } ?? Int64.min
        let upper = to.map { Int64($0.timeIntervalSince1970) } ?? Int64.max
        guard upper > lower else { throw SchedulingError(.invalidInput, "--to is not after --from") }
        let now = clock.now()
        let calendar: CalendarObject = try database.read { db in
            guard let personID = try Int64.fetchOne(db, sql: "SELECT id FROM person WHERE login = ?", arguments: [subject]) else {
                throw SchedulingError(.notFound, "no person with login \(Quoting.quoted(subject)) (see `dirctl person list`)")
            }
            let meetings = try Meeting.fetchAll(db, sql: Meeting.selection + """
                 WHERE m.status = 'confirmed'
                   AND m.id IN (SELECT meeting_id FROM meeting_attendee WHERE person_id = ? AND partstat <> 'DECLINED')
                   AND EXISTS (SELECT 1 FROM meeting_occurrence o WHERE o.meeting_id = m.id AND o.status = 'confirmed'
                               AND o.start_at < ? AND o.end_at > ?)
                 ORDER BY m.id
                """, arguments: [personID, upper, lower])
            var events: [CalendarEvent] = []
            for meeting in meetings {
                let attendees = try Self.attendees(of: meeting.id, in: db)
                let occurrences = try MeetingOccurrence.fetchAll(db, sql: """
                    SELECT * FROM meeting_occurrence WHERE meeting_id = ? ORDER BY start_at
                    """, arguments: [meeting.id])
                let object = try InviteComposer.calendar(.request, meeting: meeting, attendees: attendees, occurrences: occurrences,
                                                         occurrence: nil, sentBy: nil, roomDomain: settings.roomDomain, now: now)
                events += object.events
            }
            return CalendarObject(method: .publish, events: events)
        }
        let meetings = Set(calendar.events.map(\.uid)).count
        do {
            let text = try CalendarWriter.serialize(calendar, productID: InviteComposer.productID)
            return CalendarExport(text: text, meetings: meetings, events: calendar.events.count)
        } catch {
            throw SchedulingError(.refused, "the calendar of \(subject) could not be written: \(error.description)")
        }
    }
}
