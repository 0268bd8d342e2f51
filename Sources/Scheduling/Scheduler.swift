import Foundation
import GRDB
public import MailAdmin
public import SwitchboardBase
public import SwitchboardCore

/// Meetings, acting as one session: every read and change goes through the access table, and
/// every change through `Session.perform` (the change and its audit event in one transaction).
///
/// Staff act on the meetings they organize; the helpdesk and admins on anyone's
/// (``authorizeOnMeeting(_:_:in:)``).
public struct Scheduler: Sendable {
    /// The database.
    public let database: SwitchboardDatabase
    /// The acting session.
    public let session: Session
    /// The `meet:` settings.
    public let settings: MeetSettings
    /// The `mail:` settings (the relay the invites go through).
    public let mail: MailSettings
    /// Zone, language and working hours.
    public let locale: SwitchboardConfig.LocaleSettings
    /// The clock (fixed in tests).
    public let clock: any WallClock

    /// A scheduler acting as `session`.
    public init(database: SwitchboardDatabase, session: Session, settings: MeetSettings, mail: MailSettings,
                locale: SwitchboardConfig.LocaleSettings, clock: any WallClock = SystemWallClock()) {
        self.database = database
        self.session = session
        self.settings = settings
        self.mail = mail
        self.locale = locale
        self.clock = clock
    }

    /// The audit target of a meeting.
    public static func target(_ uid: String) -> String { "meeting:\(uid)" }

    /// A meeting by its number or its UID, for those who may see its details: the helpdesk and
    /// admins, its organizer, who booked it for them, and its attendees (others are refused,
    /// audited, 77: their agendas show such a meeting only as busy).
    public func meeting(_ reference: String) throws -> Meeting {
        try session.authorize(.meetRead, target: "meeting:\(reference)")
        let (found, visible) = try database.read { db in
            let meeting = try Self.meeting(reference, in: db)
            return (meeting, try maySee(meeting.id, in: db))
        }
        guard visible else {
            try session.deny(.meetRead, target: Self.target(found.uid),
                             reason: "\(session.login) neither organizes nor attends meeting \(found.id)")
        }
        return found
    }

    /// The attendees of a meeting, the organizer first, then by name.
    public func attendees(of meeting: Meeting) throws -> [MeetingAttendee] {
        try session.authorize(.meetRead, target: Self.target(meeting.uid))
        return try database.read { db in try Self.attendees(of: meeting.id, in: db) }
    }

    /// The occurrences of a meeting in time order.
    public func occurrences(of meeting: Meeting) throws -> [MeetingOccurrence] {
        try session.authorize(.meetRead, target: Self.target(meeting.uid))
        return try database.read { db in
            try MeetingOccurrence.fetchAll(db, sql: "SELECT * FROM meeting_occurrence WHERE meeting_id = ? ORDER BY start_at", arguments: [meeting.id])
        }
    }

    /// A meeting by number or UID, inside a transaction.
    static func meeting(_ reference: String, in db: Database) throws -> Meeting {
        var found: Meeting?
        if let id = Int64(reference) {
            found = try Meeting.fetchOne(db, sql: Meeting.selection + " WHERE m.id = ?", arguments: [id])
        }
        if found == nil {
            // A UID (an imported one may be all digits).
            found = try Meeting.fetchOne(db, sql: Meeting.selection + " WHERE m.uid = ?", arguments: [reference])
        }
        guard let found else {
            throw SchedulingError(.notFound, "no meeting \(Quoting.quoted(reference)): give its number or UID (see `meetctl agenda`)")
        }
        return found
    }

    static func attendees(of meetingID: Int64, in db: Database) throws -> [MeetingAttendee] {
        try MeetingAttendee.fetchAll(db, sql: MeetingAttendee.selection + """
             WHERE a.meeting_id = ? ORDER BY a.role = 'CHAIR' DESC, a.name COLLATE NOCASE, a.address
            """, arguments: [meetingID])
    }

    /// Refuses (audited, 77) a change to a meeting the actor neither organizes nor may act on
    /// for others (helpdesk, admin).
    func authorizeOnMeeting(_ action: Action, _ meeting: Meeting) throws {
        try session.authorize(action, target: Self.target(meeting.uid))
        if meeting.organizerID == session.personID { return }
        if let role = session.role, role == .admin || role == .helpdesk { return }
        try session.deny(action, target: Self.target(meeting.uid),
                         reason: "\(session.login) does not organize meeting \(meeting.id) (\(meeting.organizerLogin) does)")
    }
}
