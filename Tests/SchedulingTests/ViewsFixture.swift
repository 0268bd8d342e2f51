import Foundation
import GRDB
import ICalendar
import MailAdmin
import Scheduling
import SwitchboardBase
import SwitchboardCore
import SwitchboardTestSupport
import Testing

/// A directory of its own on disk for the find-time and agenda tests: people an, binh, chi
/// (staff) and hd (helpdesk), three rooms, and meetings stored through ``MeetingWriter``.
/// The clock stands at Friday 2026-12-04 10:00 in Ho Chi Minh City.
final class ViewsFixture {
    let folder: String
    let database: SwitchboardDatabase
    let audit = AuditLog()
    let zone: CalendarZone
    let now: Date
    private var people: [String: Int64] = [:]
    private var rooms: [String: Int64] = [:]
    private var serial = 0

    init() throws {
        folder = try ScratchFolder.make("views-test")
        database = try SwitchboardDatabase(path: folder + "/switchboard.sqlite", create: true)
        zone = try CalendarZone("Asia/Ho_Chi_Minh")
        now = zone.date(of: LocalDateTime(year: 2026, month: 12, day: 4, hour: 10))
        let bootstrap = Session.bootstrap(database: database, osUser: "root", tool: "test", host: "test", audit: audit)
        _ = try DirectoryService(database: database, session: bootstrap, settings: .init())
            .initialize(admin: "root", fields: PersonFields(displayName: "Quản trị"))
        let directory = DirectoryService(database: database, session: try session("root"), settings: .init())
        for (login, role) in [("an", Role.staff), ("binh", .staff), ("chi", .staff), ("hd", .helpdesk)] {
            let person = try directory.addPerson(login: login, fields: PersonFields(displayName: login.capitalized, email: "\(login)@bo.gov.vn"), role: role)
            people[login] = person.id
        }
        for (name, kind, seats) in [("Phòng nhỏ", "physical", 4), ("Phòng lớn", "physical", 20), ("VC", "virtual", 100)] {
            rooms[name] = try directory.addRoom(name: name, fields: RoomFields(kind: kind, capacity: seats, location: "Tầng 3")).id
        }
    }

    deinit {
        if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) }
    }

    func session(_ login: String) throws -> Session {
        try Session.resolve(database: database, osUser: "root", isRoot: true, asLogin: login == "root" ? nil : login, tool: "test",
                            host: "test", audit: audit)
    }

    /// A scheduler acting as `login`, its clock at ``now``; `locale` changes working hours.
    func scheduler(_ login: String, locale: SwitchboardConfig.LocaleSettings = .init(), settings: MeetSettings = MeetSettings()) throws -> Scheduler {
        Scheduler(database: database, session: try session(login), settings: settings, mail: MailSettings(), locale: locale,
                  clock: FixedWallClock(now))
    }

    /// The wall clock in Ho Chi Minh City as an instant.
    func at(_ day: Int, _ hour: Int, _ minute: Int = 0, month: Int = 12) -> Date {
        zone.date(of: LocalDateTime(year: 2026, month: month, day: day, hour: hour, minute: minute))
    }

    /// Unix seconds of ``at(_:_:_:month:)``.
    func unix(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 { Int64(at(day, hour, minute).timeIntervalSince1970) }

    /// Stores a meeting organized by `organizer` with `attendees` (`declined` answered no), in
    /// `room`, first at `start` (December 2026, Ho Chi Minh City), repeating by `rrule`;
    /// `cancelled` occurrences are EXDATEs. Returns its number.
    @discardableResult
    func meeting(_ title: String, by organizer: String, with attendees: [String] = [], declined: [String] = [], room: String? = nil,
                 day: Int, hour: Int, minute: Int = 0, minutes: Int = 60, rrule: String = "", cancelled: [Date] = [],
                 joinURL: String = "") throws -> Int64 {
        serial += 1
        let start = LocalDateTime(year: 2026, month: 12, day: day, hour: hour, minute: minute)
        let rule = rrule.isEmpty ? nil : try RecurrenceRule(rrule)
        let starts = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: [], from: zone.date(of: start),
                                                        to: zone.date(of: start).addingTimeInterval(120 * 86_400), limit: 500)
        let occurrences = starts.map { date in
            MeetingDraft.Occurrence(recurrenceID: MeetingOccurrence.recurrenceID(of: date), start: Int64(date.timeIntervalSince1970),
                                    end: Int64(date.timeIntervalSince1970) + Int64(minutes * 60), cancelled: cancelled.contains(date))
        }
        guard let organizerID = people[organizer] else { throw TestSetupError("no person \(organizer) in the fixture") }
        var rows = [MeetingDraft.Attendee(address: "\(organizer)@bo.gov.vn", personID: organizerID, name: organizer, role: "CHAIR", partstat: "ACCEPTED")]
        for login in attendees + declined {
            rows.append(MeetingDraft.Attendee(address: login.contains("@") ? login : "\(login)@bo.gov.vn", personID: people[login], name: login,
                                              partstat: declined.contains(login) ? "DECLINED" : "NEEDS-ACTION"))
        }
        let draft = MeetingDraft(uid: "m\(serial)@test", title: title, agenda: "", organizerID: organizerID, sentByID: nil,
                                 roomID: room.flatMap { rooms[$0] }, joinURL: joinURL, timeZone: zone.identifier,
                                 startLocal: start.description, durationSeconds: minutes * 60, rrule: rule?.text ?? "",
                                 attendees: rows, occurrences: occurrences)
        let now = self.now
        return try session(organizer).perform(.meetBook, target: "meeting:\(draft.uid)") { db, _ in
            try MeetingWriter.insert(draft, in: db, now: now)
        }
    }

    /// Moves one occurrence of a meeting (as a reschedule of that occurrence alone would).
    func move(_ meetingID: Int64, occurrence original: Date, to start: Date, minutes: Int = 60) throws {
        let id = MeetingOccurrence.recurrenceID(of: original)
        let begin = Int64(start.timeIntervalSince1970)
        try session("root").perform(.meetUpdate, target: "meeting:\(meetingID)") { db, _ in
            try db.execute(sql: "UPDATE meeting_occurrence SET start_at = ?, end_at = ?, moved = 1 WHERE meeting_id = ? AND recurrence_id = ?",
                           arguments: [begin, begin + Int64(minutes * 60), meetingID, id])
        }
    }

    /// One number from the database.
    func count(_ sql: String) throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }
}
