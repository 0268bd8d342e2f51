import Foundation
import GRDB
import ICalendar
import MailAdmin
import Scheduling
import SwitchboardBase
import SwitchboardCore
import SwitchboardTestSupport

/// A directory on a real SQLite file in a temp folder: a unit, people with addresses, rooms,
/// and a scheduler acting as any of them at a fixed time.
final class SchedulingFixture {
    let folder: String
    let database: SwitchboardDatabase
    let audit = AuditLog()
    /// 2026-12-07 08:00 in Ho Chi Minh City, a Monday.
    let now: Date
    let zone: CalendarZone

    init() throws {
        folder = NSTemporaryDirectory() + "scheduling-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        database = try SwitchboardDatabase(path: folder + "/switchboard.sqlite", create: true)
        zone = try CalendarZone("Asia/Ho_Chi_Minh")
        now = zone.date(of: LocalDateTime(year: 2026, month: 12, day: 7, hour: 8))
        let root = Session.bootstrap(database: database, osUser: "root", tool: "test", host: "h", audit: audit)
        let directory = DirectoryService(database: database, session: root, settings: .init(), clock: FixedWallClock(now))
        _ = try directory.addUnit(code: "VP", name: "Văn phòng", parent: nil)
        _ = try directory.addPerson(login: "lan", fields: PersonFields(displayName: "Phạm Lan", email: "lan@bo.gov.vn", unit: "VP"), role: .helpdesk)
        for (login, name) in [("an", "Nguyễn An"), ("binh", "Trần Bình"), ("chi", "Lê Chi"), ("dung", "Võ Dũng")] {
            _ = try directory.addPerson(login: login, fields: PersonFields(displayName: name, email: "\(login)@bo.gov.vn", unit: "VP"))
        }
        _ = try directory.addRoom(name: "Phòng 301", fields: RoomFields(kind: "physical", capacity: 4, location: "Tầng 3"))
        _ = try directory.addRoom(name: "Hội trường", fields: RoomFields(kind: "physical", capacity: 100, location: "Tầng 1"))
        _ = try directory.addRoom(name: "VC", fields: RoomFields(kind: "virtual", capacity: 50, location: "Jitsi"))
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// A scheduler acting as `login`, `minutes` after ``now``.
    func scheduler(_ login: String, minutes: Double = 0) throws -> Scheduler {
        let session = try Session.resolve(database: database, osUser: login, isRoot: false, asLogin: nil, tool: "meetctl", host: "h", audit: audit)
        var settings = MeetSettings()
        settings.templatesDir = Repository.path("Templates/meet")
        return Scheduler(database: database, session: session, settings: settings, mail: MailSettings(), locale: .init(),
                         clock: FixedWallClock(now.addingTimeInterval(minutes * 60)))
    }

    /// A booking request in Ho Chi Minh City time.
    func request(_ title: String, _ start: String, minutes: Int = 60, with people: [String] = [], room: String? = nil,
                 repeat phrase: String? = nil) throws -> BookingRequest {
        var request = BookingRequest(title: title, start: try MeetingTimeParser.start(start, now: now, zone: zone), zone: zone,
                                     durationSeconds: minutes * 60)
        request.attendees = people
        request.room = room
        if let phrase { request.rule = try RepeatPhrase.rule(phrase, zone: zone) }
        return request
    }

    func scalar(_ sql: String) throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}
