import Foundation
import GRDB
import ICalendar
import MailAdmin
import Scheduling
import SwitchboardBase
import SwitchboardCore

/// Meetings: the conflict check of one booking against many stored ones.
enum MeetConflictBenchmarks {
    /// 100,000 stored bookings (10% weekly series over a year, the rest single meetings) of 2,000
    /// people in 200 rooms; then the conflict check of a single booking and of a weekly series,
    /// each with five attendees and a room, the median of 50 runs.
    static func conflicts(bookings: Int = 100_000) throws {
        let session = try SwitchboardBench.adminSession()
        let database = session.database
        // 100,000 bookings make a 130 MB file: removed when done.
        defer { try? FileManager.default.removeItem(atPath: (database.path as NSString).deletingLastPathComponent) }
        let zone = try CalendarZone("Asia/Ho_Chi_Minh")
        let now = zone.date(of: LocalDateTime(year: 2027, month: 1, day: 4, hour: 7))
        let peopleCount = 2_000, roomCount = 200
        let setup = try SwitchboardBench.time {
            try session.bookkeeping(.meetImport, target: "bench") { db in
                let stamp = Timestamp.format(now)
                for index in 0..<peopleCount {
                    try db.execute(sql: """
                        INSERT INTO person (login, display_name, given_name, family_name, search_key, email, email_key, language, role, status,
                                            status_changed_at, created_at, updated_at)
                        VALUES (?, ?, '', '', ?, ?, ?, 'vi', 'staff', 'active', ?, ?, ?)
                        """, arguments: ["p\(index)", "Person \(index)", "person \(index)", "p\(index)@bo.gov.vn", "p\(index)@bo.gov.vn", stamp, stamp, stamp])
                }
                for index in 0..<roomCount {
                    try db.execute(sql: "INSERT INTO room (name, kind, capacity, created_at) VALUES (?, 'physical', 30, ?)", arguments: ["R\(index)", stamp])
                }
                var random = SystemRandomNumberGenerator()
                let base = Int64(now.timeIntervalSince1970)
                for index in 0..<bookings {
                    let weekly = index % 10 == 0
                    // Working-hour starts on one of the year's days, on the half hour.
                    let day = Int64.random(in: 0..<(weekly ? 7 : 365), using: &random)
                    let start = base + day * 86_400 + Int64.random(in: 0..<18, using: &random) * 1_800 + 3_600
                    let count = weekly ? 52 : 1
                    let occurrences = (0..<count).map { week in
                        MeetingDraft.Occurrence(recurrenceID: "O\(week)", start: start + Int64(week) * 7 * 86_400, end: start + Int64(week) * 7 * 86_400 + 3_600)
                    }
                    let people = (0..<4).map { _ in Int64.random(in: 1...Int64(peopleCount), using: &random) + 1 }
                    let attendees = Set(people).map { MeetingDraft.Attendee(address: "p\($0 - 2)@bo.gov.vn", personID: $0, name: "") }
                    let draft = MeetingDraft(uid: "bench-\(index)", title: "Meeting \(index)", agenda: "", organizerID: people[0], sentByID: nil,
                                             roomID: Int64.random(in: 1...Int64(roomCount), using: &random), joinURL: "", timeZone: zone.identifier,
                                             startLocal: "2027-01-04T08:00:00", durationSeconds: 3_600, rrule: weekly ? "FREQ=WEEKLY;COUNT=52" : "",
                                             attendees: attendees, occurrences: occurrences)
                    var stored = draft
                    stored.materializedTo = base + 600 * 86_400
                    _ = try MeetingWriter.insert(stored, in: db, now: now)
                }
            }
        }
        SwitchboardBench.report("meet: store \(bookings) bookings (setup)", setup, "s")
        let scheduler = Scheduler(database: database, session: session, settings: MeetSettings(), mail: MailSettings(), locale: .init(),
                                  clock: FixedWallClock(now))
        for (label, rule) in [("single", nil), ("weekly for a year", try RecurrenceRule("FREQ=WEEKLY;COUNT=52"))] {
            var request = BookingRequest(title: "Check", start: LocalDateTime(year: 2027, month: 3, day: 2, hour: 9), zone: zone, durationSeconds: 3_600)
            request.rule = rule
            request.attendees = ["p10", "p20", "p30", "p40", "p50"]
            request.room = "R7"
            var times: [Double] = []
            var found = 0
            for _ in 0..<50 {
                times.append(try SwitchboardBench.time { found = try scheduler.conflicts(request).count })
            }
            times.sort()
            var parts: [Double] = []
            for _ in 0..<20 {
                parts.append(try SwitchboardBench.time {
                    _ = try database.read { db in
                        try BusyTime.busy(personIDs: [12, 22, 32, 42, 52], roomIDs: [8], from: Int64(now.timeIntervalSince1970) + 50 * 86_400,
                                          to: Int64(now.timeIntervalSince1970) + (rule == nil ? 50 : 400) * 86_400, in: db)
                    }
                })
            }
            parts.sort()
            SwitchboardBench.report("meet: busy-time query of it, \(label)", parts[parts.count / 2] * 1000, "ms")
            SwitchboardBench.report("meet: conflict check, \(label)", times[times.count / 2] * 1000, "ms", goal: "< 10 ms",
                                    note: "\(found) conflicts found, 100,000 bookings stored")
        }
    }
}
