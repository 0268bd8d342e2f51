import Foundation
import ICalendar
import Scheduling
import SwitchboardCore
import Testing

@Suite struct FindTimeTests {
    /// Next week from the fixture's Friday: Monday 2026-12-07 to Sunday 2026-12-13.
    private func request(_ fixture: ViewsFixture, _ who: [String], minutes: Int = 60, within: String = "next week") throws -> FindTimeRequest {
        let window = try FindTimeWindow.within(within, now: fixture.now, zone: fixture.zone)
        return FindTimeRequest(attendees: who, durationSeconds: minutes * 60, from: window.from, to: window.to, zone: fixture.zone)
    }

    @Test func theFirstSlotIsTheEarliestTimeEveryoneIsFreeAndATouchingMeetingDoesNotBlock() throws {
        let fixture = try ViewsFixture()
        try fixture.meeting("Sớm", by: "an", day: 7, hour: 7, minute: 30, minutes: 90)      // an: 07:30-09:00
        try fixture.meeting("Tiếp", by: "chi", with: ["binh"], day: 7, hour: 9)             // binh: 09:00-10:00
        try fixture.meeting("Từ chối", by: "chi", declined: ["an", "binh"], day: 7, hour: 10) // declined: not busy
        let result = try fixture.scheduler("an").findTime(try request(fixture, ["binh", "ngoai@khac.vn"]))
        #expect(result.slots.first?.start == fixture.unix(7, 10), "\(result.slots)")
        #expect(result.people == ["an", "binh"])
        #expect(result.unchecked == ["ngoai@khac.vn"])
        #expect(result.slots.count == 5)
        for (earlier, later) in zip(result.slots, result.slots.dropFirst()) {
            #expect(later.start >= earlier.end, "proposals overlap: \(result.slots)")
        }
        // Every proposal is inside 07:30-17:00 on a weekday.
        for slot in result.slots {
            let start = AgendaFormat.local(slot.start, fixture.zone), end = AgendaFormat.local(slot.end, fixture.zone)
            #expect(start.hour * 60 + start.minute >= 450 && end.hour * 60 + end.minute <= 1020, "\(start) - \(end)")
        }
    }

    @Test func withoutMeTheActorsOwnMeetingsDoNotCount() throws {
        let fixture = try ViewsFixture()
        try fixture.meeting("Cả ngày", by: "hd", day: 7, hour: 7, minutes: 11 * 60)
        let mine = try fixture.scheduler("hd").findTime(try request(fixture, ["an"]))
        #expect(mine.slots.first?.start == fixture.unix(8, 7, 30))
        var others = try request(fixture, ["an"])
        others.includeActor = false
        #expect(try fixture.scheduler("hd").findTime(others).slots.first?.start == fixture.unix(7, 7, 30))
    }

    @Test func aNamedRoomMustBeFreeAndANeededRoomIsTheSmallestFreeOneWithEnoughSeats() throws {
        let fixture = try ViewsFixture()
        try fixture.meeting("Phòng lớn bận", by: "chi", room: "Phòng lớn", day: 7, hour: 7, minute: 30, minutes: 150)
        var named = try request(fixture, ["binh"])
        named.room = "Phòng lớn"
        let inRoom = try fixture.scheduler("an").findTime(named)
        #expect(inRoom.slots.first == FreeSlot(start: fixture.unix(7, 10), end: fixture.unix(7, 11), room: "Phòng lớn"))

        try fixture.meeting("Phòng nhỏ bận", by: "chi", room: "Phòng nhỏ", day: 7, hour: 7, minute: 30, minutes: 60)
        var seats = try request(fixture, ["binh"])
        seats.seats = 3
        let any = try fixture.scheduler("an").findTime(seats)
        #expect(any.rooms == ["Phòng nhỏ", "Phòng lớn"])
        #expect(any.slots.first == FreeSlot(start: fixture.unix(7, 8, 30), end: fixture.unix(7, 9, 30), room: "Phòng nhỏ"), "\(any.slots)")

        var tooMany = try request(fixture, ["binh", "chi", "hd", "x@khac.vn"])
        tooMany.room = "Phòng nhỏ"
        #expect(throws: SchedulingError.self) { try fixture.scheduler("an").findTime(tooMany) }
    }

    @Test func whenNothingIsFreeItNamesWhoBlocksMost() throws {
        let fixture = try ViewsFixture()
        // an is busy every weekday all day, series included; binh only on Monday morning.
        try fixture.meeting("Trực", by: "an", day: 7, hour: 7, minutes: 11 * 60, rrule: "FREQ=DAILY;COUNT=5")
        try fixture.meeting("Họp", by: "binh", day: 7, hour: 8)
        let result = try fixture.scheduler("chi").findTime(try request(fixture, ["an", "binh"]))
        #expect(result.slots.isEmpty)
        #expect(result.candidates == 5 * 18)   // 07:30 ... 16:00, every half hour, Monday to Friday
        #expect(result.blockers.first == FindTimeBlocker(who: "an", busySlots: result.candidates))
        #expect(result.blockers.dropFirst().first?.who == "binh")
        // A cancelled occurrence (Wednesday) frees that day.
        let freed = try ViewsFixture()
        try freed.meeting("Trực", by: "an", day: 7, hour: 7, minutes: 11 * 60, rrule: "FREQ=DAILY;COUNT=5", cancelled: [freed.at(9, 7)])
        #expect(try freed.scheduler("chi").findTime(try request(freed, ["an"])).slots.first?.start == freed.unix(9, 7, 30))
    }

    @Test func workingHoursAndTheStepComeFromTheConfigAndAWeekendHasNone() throws {
        let fixture = try ViewsFixture()
        var locale = SwitchboardConfig.LocaleSettings()
        locale.workdayStart = "08:10"
        locale.workdayEnd = "12:00"
        locale.workdays = ["tue"]
        var settings = MeetSettings()
        settings.slotMinutes = 15
        let result = try fixture.scheduler("an", locale: locale, settings: settings).findTime(try request(fixture, ["binh"], minutes: 60))
        #expect(result.slots.first?.start == fixture.unix(8, 8, 15))
        #expect(result.candidates == 12)   // 08:15 ... 11:00 every 15 minutes
        let weekend = try fixture.scheduler("an").findTime(try request(fixture, ["binh"], within: "tomorrow"))
        #expect(weekend.candidates == 0 && weekend.slots.isEmpty)
    }

    @Test func windowPhrasesAndDatesAreRead() throws {
        let fixture = try ViewsFixture()
        let zone = fixture.zone
        let nextWeek = try FindTimeWindow.within("next week", now: fixture.now, zone: zone)
        #expect(nextWeek.from == fixture.at(7, 0) && nextWeek.to == fixture.at(14, 0))
        let tuanSau = try FindTimeWindow.within("tuần sau", now: fixture.now, zone: zone)
        #expect(tuanSau.from == nextWeek.from && tuanSau.to == nextWeek.to)
        let thisWeek = try FindTimeWindow.within("this week", now: fixture.now, zone: zone)
        #expect(thisWeek.from == fixture.now && thisWeek.to == fixture.at(7, 0))
        let two = try FindTimeWindow.within("next 2 weeks", now: fixture.now, zone: zone)
        #expect(two.from == fixture.now && two.to == fixture.at(18, 0))
        let day = try FindTimeWindow.within("08/12/2026", now: fixture.now, zone: zone)
        #expect(day.from == fixture.at(8, 0) && day.to == fixture.at(9, 0))
        let between = try FindTimeWindow.between("2026-12-08", "2026-12-10", now: fixture.now, zone: zone)
        #expect(between.from == fixture.at(8, 0) && between.to == fixture.at(11, 0))
        for bad in ["someday", "next 0 weeks", "next 40 weeks", "2026-02-30"] {
            #expect(throws: SchedulingError.self, "\(bad)") { try FindTimeWindow.within(bad, now: fixture.now, zone: zone) }
        }
        #expect(throws: SchedulingError.self) { try FindTimeWindow.between("2026-12-10", "2026-12-08", now: fixture.now, zone: zone) }
    }
}
