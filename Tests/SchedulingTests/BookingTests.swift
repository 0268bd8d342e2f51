import Foundation
import GRDB
import ICalendar
import Scheduling
import SwitchboardBase
import SwitchboardCore
import Testing

/// Booking on a real SQLite file: what is stored, what conflicts, what is queued.
@Suite struct BookingTests {
    @Test func aBookingStoresTheMeetingItsPeopleAndOneInvitePerAttendeeAndTheOrganizer() throws {
        let fixture = try SchedulingFixture()
        let result = try fixture.scheduler("an").book(try fixture.request("Họp dự án", "2026-12-08T09:00", with: ["binh", "chi@bo.gov.vn"], room: "Phòng 301"))
        #expect(result.meeting.organizerLogin == "an")
        #expect(result.attendees.map(\.address) == ["an@bo.gov.vn", "chi@bo.gov.vn", "binh@bo.gov.vn"], "the organizer, then by name")
        #expect(result.attendees.first?.role == "CHAIR" && result.attendees.first?.partstat == "ACCEPTED")
        #expect(result.notices.count == 3)
        #expect(try fixture.scalar("SELECT count(*) FROM meeting_occurrence") == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM audit_event WHERE action = 'meet.book'") == 1)
        let message = try fixture.database.read { db in try String.fetchOne(db, sql: "SELECT message FROM outbox WHERE recipients = 'binh@bo.gov.vn'") } ?? ""
        #expect(message.contains("method=REQUEST"))
        #expect(message.contains("To: =?UTF-8?") || message.contains("binh@bo.gov.vn"))
    }

    @Test func touchingMeetingsDoNotConflictButOverlappingOnesDo() throws {
        let fixture = try SchedulingFixture()
        let an = try fixture.scheduler("an")
        _ = try an.book(try fixture.request("A", "2026-12-08T09:00", room: "Phòng 301"))
        // Begins when the first ends: fine.
        _ = try an.book(try fixture.request("B", "2026-12-08T10:00", room: "Phòng 301"))
        // One minute into B: the room is taken.
        #expect(throws: SchedulingError.self) { try an.book(try fixture.request("C", "2026-12-08T10:59", room: "Hội trường", repeat: nil)) }
        let error = #expect(throws: SchedulingError.self) { try fixture.scheduler("binh").book(try fixture.request("D", "2026-12-08T10:30", room: "Phòng 301")) }
        #expect(error?.kind == .conflict)
        #expect(error?.description.contains("Phòng 301 is taken 2026-12-08 10:00-11:00") == true, "\(String(describing: error))")
    }

    @Test func aSeriesConflictsWithASingleMeetingOnOneOfItsDays() throws {
        let fixture = try SchedulingFixture()
        _ = try fixture.scheduler("binh").book(try fixture.request("Single", "2026-12-22T09:30", room: "Phòng 301"))
        let series = try fixture.request("Weekly", "2026-12-08T09:00", room: "Phòng 301", repeat: "weekly on tue until 2027-01-31")
        let error = #expect(throws: SchedulingError.self) { try fixture.scheduler("an").book(series) }
        #expect(error?.description.contains("2026-12-22 09:30-10:30") == true, "\(String(describing: error))")
        #expect(try fixture.scalar("SELECT count(*) FROM meeting") == 1)
        // The single meeting moved away frees the series.
        var move = Scheduler.Reschedule()
        move.start = LocalDateTime(year: 2026, month: 12, day: 22, hour: 14)
        _ = try fixture.scheduler("binh").reschedule("1", move)
        let booked = try fixture.scheduler("an").book(series)
        #expect(booked.occurrenceCount == 8)
    }

    @Test func anOccurrenceMovedIntoAFreeSlotIsCheckedThereAndFreesItsOldSlot() throws {
        let fixture = try SchedulingFixture()
        let an = try fixture.scheduler("an")
        let series = try an.book(try fixture.request("Weekly", "2026-12-08T09:00", room: "Phòng 301", repeat: "weekly count 4"))
        _ = try an.book(try fixture.request("Busy", "2026-12-15T14:00", room: "Phòng 301"))
        var intoBusy = Scheduler.Reschedule()
        intoBusy.occurrence = "2026-12-15"
        intoBusy.start = LocalDateTime(year: 2026, month: 12, day: 15, hour: 14, minute: 30)
        #expect(throws: SchedulingError.self) { try an.reschedule(String(series.meeting.id), intoBusy) }
        var intoFree = intoBusy
        intoFree.start = LocalDateTime(year: 2026, month: 12, day: 16, hour: 9)
        let moved = try an.reschedule(String(series.meeting.id), intoFree)
        #expect(moved.meeting.sequence == 1)
        // The old slot is free now; the new one is taken.
        _ = try fixture.scheduler("binh").book(try fixture.request("Old slot", "2026-12-15T09:00", room: "Phòng 301"))
        #expect(throws: SchedulingError.self) { try fixture.scheduler("binh").book(try fixture.request("New slot", "2026-12-16T09:30", room: "Phòng 301")) }
    }

    @Test func busyAttendeesAreListedAndRefuseUnlessAllowed() throws {
        let fixture = try SchedulingFixture()
        _ = try fixture.scheduler("an").book(try fixture.request("A", "2026-12-08T09:00", with: ["binh"]))
        let clash = try fixture.request("B", "2026-12-08T09:30", with: ["binh", "chi"])
        let error = #expect(throws: SchedulingError.self) { try fixture.scheduler("dung").book(clash) }
        // dung is not in meeting 1: he learns binh is busy, not what with.
        #expect(error?.description.contains("binh 2026-12-08 09:00-10:00 (another meeting)") == true, "\(String(describing: error))")
        let seen = #expect(throws: SchedulingError.self) { try fixture.scheduler("lan").book(clash) }
        #expect(seen?.description.contains("(meeting 1 (\"A\"))") == true, "the helpdesk sees it: \(String(describing: seen))")
        var allowed = clash
        allowed.allowConflicts = true
        let result = try fixture.scheduler("dung").book(allowed)
        #expect(result.conflicts.map(\.who) == ["binh"])
    }

    @Test func aDeclinedOrCancelledMeetingNoLongerMakesAnyoneBusy() throws {
        let fixture = try SchedulingFixture()
        let first = try fixture.scheduler("an").book(try fixture.request("A", "2026-12-08T09:00", with: ["binh"], room: "Phòng 301"))
        _ = try fixture.scheduler("an").cancel(String(first.meeting.id))
        _ = try fixture.scheduler("chi").book(try fixture.request("B", "2026-12-08T09:00", with: ["binh"], room: "Phòng 301"))
    }

    @Test func moreAttendeesThanSeatsIsAnError() throws {
        let fixture = try SchedulingFixture()
        let error = #expect(throws: SchedulingError.self) {
            try fixture.scheduler("an").book(try fixture.request("Big", "2026-12-08T09:00", with: ["unit:VP"], room: "Phòng 301"))
        }
        #expect(error?.description.contains("Phòng 301 holds 4 and the meeting has 5 people") == true, "\(String(describing: error))")
        #expect(try fixture.scalar("SELECT count(*) FROM meeting") == 0)
    }

    @Test func badInputIsRefusedWithNothingStored() throws {
        let fixture = try SchedulingFixture()
        let an = try fixture.scheduler("an")
        var injected = try fixture.request("Họp\r\nATTENDEE:mailto:evil@x.vn", "2026-12-08T09:00")
        #expect(throws: SchedulingError.self) { try an.book(injected) }
        injected.title = "ok"
        injected.durationSeconds = 0
        #expect(throws: SchedulingError.self) { try an.book(injected) }
        #expect(throws: SchedulingError.self) { try an.book(try fixture.request("Past", "2026-12-01T09:00")) }
        #expect(throws: (any Error).self) { try fixture.request("Huge", "2026-12-08T09:00", repeat: "daily count 1000000000") }
        #expect(throws: (any Error).self) { try RecurrenceRule("FREQ=SECONDLY") }
        #expect(throws: (any Error).self) { try CalendarZone("Mars/Olympus") }
        #expect(throws: SchedulingError.self) { try an.book(try fixture.request("Nobody", "2026-12-08T09:00", with: ["ghost"])) }
        #expect(try fixture.scalar("SELECT count(*) FROM meeting") == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM outbox") == 0)
    }

    @Test func staffChangeOnlyTheirOwnMeetingsAndTheRefusalIsAudited() throws {
        let fixture = try SchedulingFixture()
        let booked = try fixture.scheduler("an").book(try fixture.request("A", "2026-12-08T09:00", with: ["binh"]))
        #expect(throws: AccessDenied.self) { try fixture.scheduler("binh").cancel(String(booked.meeting.id)) }
        #expect(try fixture.scalar("SELECT count(*) FROM audit_event WHERE action = 'meet.cancel' AND outcome = 'denied'") == 1)
        // The helpdesk may.
        _ = try fixture.scheduler("lan").cancel(String(booked.meeting.id))
    }

    @Test func theHelpdeskBooksForSomeoneAsSentByAndStaffMayNot() throws {
        let fixture = try SchedulingFixture()
        var request = try fixture.request("For An", "2026-12-08T09:00", with: ["binh"])
        request.organizer = "an"
        let result = try fixture.scheduler("lan").book(request)
        #expect(result.meeting.organizerLogin == "an" && result.meeting.sentByLogin == "lan")
        let invite = try fixture.database.read { db in try String.fetchOne(db, sql: "SELECT message FROM outbox LIMIT 1") } ?? ""
        #expect(!invite.isEmpty)
        #expect(throws: AccessDenied.self) { try fixture.scheduler("binh").book(request) }
    }

    @Test func cancellingOneOccurrenceKeepsTheRestAndTheSeriesGetsAnExdate() throws {
        let fixture = try SchedulingFixture()
        let an = try fixture.scheduler("an")
        let series = try an.book(try fixture.request("Weekly", "2026-12-08T09:00", with: ["binh"], room: "Phòng 301", repeat: "weekly count 3"))
        let change = try an.cancel(String(series.meeting.id), occurrence: "2026-12-15")
        #expect(change.meeting.sequence == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM meeting_occurrence WHERE status = 'confirmed'") == 2)
        // The slot is free for others now.
        _ = try fixture.scheduler("chi").book(try fixture.request("Other", "2026-12-15T09:00", room: "Phòng 301"))
        #expect(throws: SchedulingError.self) { try an.cancel(String(series.meeting.id), occurrence: "2026-12-15") }
    }

    @Test func aSeriesWithoutAnEndStillConflictsWhenTheBookingWindowHasSlidPastWhereItWasWritten() throws {
        let fixture = try SchedulingFixture()
        _ = try fixture.scheduler("an").book(try fixture.request("Forever", "2026-12-08T09:00", room: "Phòng 301", repeat: "weekly"))
        let written = try fixture.scalar("SELECT count(*) FROM meeting_occurrence")
        #expect(written > 70 && written < 80, "540 days of Tuesdays: \(written)")
        // 200 days later the window reaches further; a Tuesday 600 days after the first is taken.
        let later = try fixture.scheduler("binh", minutes: 200 * 1440)
        var request = try fixture.request("Late", "2028-08-01T09:30", room: "Phòng 301")
        request.start = LocalDateTime(year: 2028, month: 8, day: 1, hour: 9, minute: 30)
        let error = #expect(throws: SchedulingError.self) { try later.book(request) }
        #expect(error?.description.contains("Phòng 301 is taken 2028-08-01 09:00-10:00") == true, "\(String(describing: error))")
        // The refused booking wrote nothing; a booking that stands keeps the series written further.
        #expect(try fixture.scalar("SELECT count(*) FROM meeting_occurrence") == written)
        request.room = "Hội trường"
        _ = try later.book(request)
        #expect(try fixture.scalar("SELECT count(*) FROM meeting_occurrence WHERE meeting_id = 1") > written)
    }

    @Test func purgingADepartedPersonRemovesTheirNameAndAddressFromMeetings() throws {
        let fixture = try SchedulingFixture()
        _ = try fixture.scheduler("an").book(try fixture.request("A", "2026-12-08T09:00", with: ["binh", "chi"]))
        let root = Session.bootstrap(database: fixture.database, osUser: "root", tool: "test", host: "h", audit: fixture.audit)
        var settings = SwitchboardConfig.DirectorySettings()
        settings.departedRetentionDays = 0
        try DirectoryService(database: fixture.database, session: root, settings: settings, clock: FixedWallClock(fixture.now)).depart(login: "binh", reason: nil)
        let purged = try DirectoryService(database: fixture.database, session: root, settings: settings,
                                          clock: FixedWallClock(fixture.now.addingTimeInterval(86_400))).purgeDeparted()
        #expect(purged == ["binh"])
        let rows = try fixture.database.read { db in try String.fetchAll(db, sql: "SELECT name || ' ' || address FROM meeting_attendee ORDER BY address") }
        #expect(!rows.contains { $0.contains("binh") || $0.contains("Bình") }, "\(rows)")
        #expect(rows.count == 3)
    }

    @Test func onlyThoseInAMeetingSeeItsDetails() throws {
        let fixture = try SchedulingFixture()
        let booked = try fixture.scheduler("an").book(try fixture.request("Riêng", "2026-12-08T09:00", with: ["binh"]))
        _ = try fixture.scheduler("binh").meeting(String(booked.meeting.id))
        _ = try fixture.scheduler("lan").meeting(String(booked.meeting.id))
        #expect(throws: AccessDenied.self) { try fixture.scheduler("chi").meeting(String(booked.meeting.id)) }
        #expect(throws: AccessDenied.self) { try fixture.scheduler("chi").meeting(booked.meeting.uid) }
        #expect(try fixture.scalar("SELECT count(*) FROM audit_event WHERE action = 'meet.read' AND outcome = 'denied'") == 2)
    }

    @Test func aRoomBelongsToTheWholeSeriesAndAStartedSeriesChangesOnlyWhatIsAhead() throws {
        let fixture = try SchedulingFixture()
        let series = try fixture.scheduler("an").book(try fixture.request("Weekly", "2026-12-08T09:00", room: "VC", repeat: "weekly count 4"))
        #expect(series.meeting.joinURL.hasSuffix("/vc"))
        _ = try fixture.scheduler("binh").book(try fixture.request("Binh", "2026-12-22T09:00", room: "Phòng 301"))
        var one = Scheduler.Reschedule()
        one.occurrence = "2026-12-08"
        one.room = "Phòng 301"
        #expect(throws: SchedulingError.self) { try fixture.scheduler("an").reschedule(String(series.meeting.id), one) }
        // Ten days on, two occurrences are past: a new room applies to the two ahead, checked there.
        let later = try fixture.scheduler("an", minutes: 10 * 1440)
        var room = Scheduler.Reschedule()
        room.room = "Phòng 301"
        #expect(throws: SchedulingError.self) { try later.reschedule(String(series.meeting.id), room) }
        room.room = "Hội trường"
        let moved = try later.reschedule(String(series.meeting.id), room)
        #expect(moved.meeting.joinURL.isEmpty, "the VC room's link went with it")
        let rooms = try fixture.database.read { db in
            try String.fetchAll(db, sql: "SELECT coalesce(r.name, '-') FROM meeting_occurrence o LEFT JOIN room r ON r.id = o.room_id WHERE o.meeting_id = ? ORDER BY o.start_at",
                                arguments: [series.meeting.id])
        }
        #expect(rooms == ["VC", "VC", "Hội trường", "Hội trường"])
        var start = Scheduler.Reschedule()
        start.start = LocalDateTime(year: 2026, month: 12, day: 30, hour: 9)
        let begun = #expect(throws: SchedulingError.self) { try later.reschedule(String(series.meeting.id), start) }
        #expect(begun?.description.contains("has begun") == true)
    }
}
