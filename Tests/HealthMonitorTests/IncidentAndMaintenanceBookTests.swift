import Foundation
import GRDB
import HealthMonitor
import SwitchboardBase
import SwitchboardCore
import Testing

/// A directory database on disk with an admin, a helpdesk person (`lan`) and a staff member (`an`).
final class BookDirectory {
    let folder: String
    let database: SwitchboardDatabase
    let audit = AuditLog()
    let now = Date(timeIntervalSince1970: 1_796_169_600)  // 2026-12-02T00:00:00Z

    init() throws {
        folder = NSTemporaryDirectory() + "health-directory-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        database = try SwitchboardDatabase(path: folder + "/switchboard.sqlite", create: true)
        let bootstrap = Session.bootstrap(database: database, osUser: "root", tool: "test", host: "h", audit: audit)
        _ = try DirectoryService(database: database, session: bootstrap, settings: .init()).initialize(admin: "root", fields: PersonFields(displayName: "Quản trị"))
        let root = try session("root")
        let directory = DirectoryService(database: database, session: root, settings: .init())
        _ = try directory.addUnit(code: "IT", name: "Trung tâm CNTT", parent: nil)
        _ = try directory.addPerson(login: "lan", fields: PersonFields(displayName: "Phạm Lan", email: "lan@bo.gov.vn", unit: "IT"), role: .helpdesk)
        _ = try directory.addPerson(login: "an", fields: PersonFields(displayName: "Nguyễn An", email: "an@bo.gov.vn", unit: "IT"))
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func session(_ login: String) throws -> Session {
        try Session.resolve(database: database, osUser: login, isRoot: login == "root", asLogin: nil, tool: "healthd", host: "h", audit: audit)
    }

    /// The health events of the audit log, oldest first: action, target, outcome, details (JSON).
    func healthEvents() throws -> [(action: String, target: String, outcome: String, details: String)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT action, target, outcome, details FROM audit_event WHERE action LIKE 'health.%' ORDER BY seq").map {
                ($0["action"], $0["target"], $0["outcome"], $0["details"])
            }
        }
    }
}

@Suite struct IncidentLogTests {
    @Test func anIncidentRoundTripsThroughTheDirectoryWithoutAuditEvents() throws {
        let directory = try BookDirectory()
        let log = IncidentLog(session: try directory.session("lan"))
        let start = directory.now.addingTimeInterval(-600)
        let opened = try log.open(service: "portal", severity: .degraded, startedAt: start, cause: "HTTP 200 in 2.3 s,\nexpected below 800 ms")
        #expect(opened.cause == "HTTP 200 in 2.3 s, expected below 800 ms")
        #expect(throws: HealthBookError.self) { try log.open(service: "portal", severity: .down, startedAt: directory.now, cause: "again") }
        try log.escalate(id: opened.id, severity: .down)
        try log.markAlerted(id: opened.id, at: start.addingTimeInterval(120))
        try log.markAlerted(id: opened.id, at: start.addingTimeInterval(500))  // the first alert's time stays
        let child = try log.open(service: "portal-api", severity: .down, startedAt: start.addingTimeInterval(30), cause: "connection refused by 10.0.0.5:443")
        try log.setSuppressed(id: child.id, by: "portal")

        let open = try log.openIncidents()
        #expect(open.map(\.service) == ["portal", "portal-api"])
        #expect(open[0].severity == .down && open[0].startedAt == start && open[0].alertedAt == start.addingTimeInterval(120) && open[0].endedAt == nil)
        #expect(open[1].suppressedBy == "portal")

        try log.close(id: opened.id, at: directory.now)
        #expect(throws: HealthBookError.self) { try log.close(id: opened.id, at: directory.now) }
        #expect(try log.openIncidents().map(\.service) == ["portal-api"])
        let recent = try log.incidents(since: directory.now.addingTimeInterval(-60))
        #expect(recent.map(\.service) == ["portal-api", "portal"])
        #expect(recent.last?.endedAt == directory.now)
        #expect(try log.incidents(since: directory.now.addingTimeInterval(60)).map(\.service) == ["portal-api"])
        // The daemon's bookkeeping is not an operator action: no health event in the audit log.
        #expect(try directory.healthEvents().isEmpty)
    }
}

@Suite struct MaintenanceBookTests {
    static let known: Set<String> = ["portal", "mail", "dns"]

    @Test func planningEndingAndReadingWindowsAreAuditedChanges() throws {
        let directory = try BookDirectory()
        let book = MaintenanceBook(session: try directory.session("lan"))
        let now = directory.now
        let request = MaintenanceRequest(services: ["portal", "mail"], start: now.addingTimeInterval(3600), end: now.addingTimeInterval(7200),
                                         reason: "Nâng cấp máy chủ")
        let entry = try book.plan(request, known: Self.known, origin: "10.0.0.7", now: now)
        #expect(entry.id != nil && entry.services == ["portal", "mail"] && entry.createdBy == "lan" && entry.reason == "Nâng cấp máy chủ")
        let all = try book.plan(MaintenanceRequest(services: ["*"], start: now.addingTimeInterval(-60), end: now.addingTimeInterval(600), reason: "Mạng"),
                                known: Self.known, origin: nil, now: now)

        let stored = try book.stored(activeOrAfter: now)
        #expect(stored.count == 2)
        #expect(stored.first { $0.id == entry.id } == MaintenanceWindow(id: entry.id, services: ["portal", "mail"],
                                                                     schedule: .once(start: request.start, end: request.end), reason: "Nâng cấp máy chủ"))
        #expect(try book.entries(from: now, to: now.addingTimeInterval(86_400)) == [all, entry])

        // Ending the running window moves its end to now; ending the coming one cancels it.
        try book.end(id: try #require(all.id), now: now.addingTimeInterval(120))
        try book.end(id: try #require(entry.id), now: now.addingTimeInterval(120))
        let after = try book.entries(from: now.addingTimeInterval(-3600), to: now.addingTimeInterval(86_400))
        #expect(after.map(\.id) == [all.id])
        #expect(after.first?.end == now.addingTimeInterval(120))
        #expect(try book.stored(activeOrAfter: now.addingTimeInterval(121)).isEmpty)
        #expect(throws: HealthBookError.self) { try book.end(id: try #require(all.id), now: now.addingTimeInterval(180)) }

        let events = try directory.healthEvents()
        #expect(events.count == 5)
        #expect(events[0].action == "health.maintenance" && events[0].outcome == "ok")
        for needle in ["\"portal\"", "Nâng cấp máy chủ", "10.0.0.7", "\"id\""] {
            #expect(events[0].details.contains(needle), "the plan event records \(needle): \(events[0].details)")
        }
        #expect(events[3].details.contains("\"cancelled\":true"))
        #expect(events[4].outcome == "failed" && events[4].details.contains("already ended"))
    }

    @Test func badRequestsAreRefusedAsBadInputAndAudited() throws {
        let directory = try BookDirectory()
        let book = MaintenanceBook(session: try directory.session("lan"))
        let now = directory.now
        let bad: [(MaintenanceRequest, String)] = [
            (MaintenanceRequest(services: ["portal", "wiki"], start: now, end: now.addingTimeInterval(600), reason: "x"), "unknown service wiki"),
            (MaintenanceRequest(services: ["portal"], start: now.addingTimeInterval(600), end: now.addingTimeInterval(600), reason: "x"), "at or before it starts"),
            (MaintenanceRequest(services: ["portal"], start: now.addingTimeInterval(-7200), end: now.addingTimeInterval(-3600), reason: "x"), "in the past"),
            (MaintenanceRequest(services: ["portal"], start: now.addingTimeInterval(-3600), end: now.addingTimeInterval(600), reason: "x"), "starts in the past"),
            (MaintenanceRequest(services: ["portal"], start: now, end: now.addingTimeInterval(600), reason: String(repeating: "x", count: 301)), "at most 300"),
            (MaintenanceRequest(services: ["portal"], start: now, end: now.addingTimeInterval(600), reason: "  \n "), "no reason"),
            (MaintenanceRequest(services: [], start: now, end: now.addingTimeInterval(600), reason: "x"), "no service"),
        ]
        for (request, words) in bad {
            #expect {
                _ = try book.plan(request, known: MaintenanceBookTests.known, origin: nil, now: now)
            } throws: { error in
                guard let error = error as? HealthBookError else { return false }
                return error.category == .badInput && error.description.contains(words)
            }
        }
        #expect(try book.entries(from: now.addingTimeInterval(-86_400), to: now.addingTimeInterval(86_400)).isEmpty)
        let events = try directory.healthEvents()
        #expect(events.count == bad.count)
        #expect(events.allSatisfy { $0.outcome == "failed" && $0.action == "health.maintenance" })
        #expect(events[0].details.contains("wiki"))

        // Staff may not plan: refused by the policy (77) and audited as denied.
        let staff = MaintenanceBook(session: try directory.session("an"))
        #expect(throws: AccessDenied.self) {
            _ = try staff.plan(MaintenanceRequest(services: ["portal"], start: now, end: now.addingTimeInterval(600), reason: "x"),
                               known: MaintenanceBookTests.known, origin: nil, now: now)
        }
        #expect(try directory.healthEvents().last?.outcome == "denied")
    }

    @Test func acknowledgingAnOpenIncidentIsAuditedAndStopsNothingElse() throws {
        let directory = try BookDirectory()
        let session = try directory.session("lan")
        let log = IncidentLog(session: session)
        let book = MaintenanceBook(session: session)
        #expect {
            _ = try book.acknowledge(service: "portal", note: "xem", now: directory.now)
        } throws: { error in (error as? HealthBookError)?.category == .badInput }
        let incident = try log.open(service: "portal", severity: .down, startedAt: directory.now.addingTimeInterval(-300), cause: "HTTP 503, expected 200")
        let acked = try book.acknowledge(service: "portal", note: "Đang xử lý, dự kiến 30 phút", now: directory.now)
        #expect(acked.id == incident.id && acked.ackedBy == "lan" && acked.ackedAt == directory.now && acked.ackNote == "Đang xử lý, dự kiến 30 phút")
        #expect(try log.openIncidents() == [acked])
        let events = try directory.healthEvents()
        #expect(events.map(\.outcome) == ["failed", "ok"])
        #expect(events.map(\.action) == ["health.ack", "health.ack"])
        #expect(events[1].target == "health:portal" && events[1].details.contains("Đang xử lý"))
    }
}
