import Foundation
import ICalendar
import Scheduling
import SwitchboardCore
import Testing

@Suite struct AgendaTests {
    /// Monday 2026-12-07 in Ho Chi Minh City: an organizes one meeting, attends one, declined one,
    /// and has a weekly series whose Monday occurrence is in the morning.
    private func monday() throws -> (ViewsFixture, ids: [String: Int64]) {
        let fixture = try ViewsFixture()
        var ids: [String: Int64] = [:]
        ids["weekly"] = try fixture.meeting("Giao ban tuần", by: "chi", with: ["an"], room: "Phòng lớn", day: 7, hour: 8,
                                            rrule: "FREQ=WEEKLY;COUNT=4")
        ids["own"] = try fixture.meeting("Việc riêng của An", by: "an", with: ["binh"], day: 7, hour: 14, minutes: 30,
                                         joinURL: "https://meet.example.vn/an")
        ids["declined"] = try fixture.meeting("Không đi", by: "binh", declined: ["an"], day: 7, hour: 10)
        ids["binh"] = try fixture.meeting("Của Bình", by: "binh", day: 7, hour: 11)
        ids["private"] = try fixture.meeting("Bí mật", by: "chi", with: ["an"], room: "Phòng nhỏ", day: 7, hour: 16)
        ids["tuesday"] = try fixture.meeting("Thứ ba", by: "an", day: 8, hour: 9)
        return (fixture, ids)
    }

    private func day(_ fixture: ViewsFixture, _ day: Int, days: Int = 1) -> (Date, Date) {
        (fixture.at(day, 0), fixture.at(day + days, 0))
    }

    @Test func myDayListsWhatIAttendOrOrganizeInStartOrderAndNotWhatIDeclined() throws {
        let (fixture, ids) = try monday()
        let (from, to) = day(fixture, 7)
        let agenda = try fixture.scheduler("an").agenda(of: .me, from: from, to: to)
        #expect(agenda.subject == "an" && !agenda.isRoom)
        #expect(agenda.entries.map(\.meetingID) == [ids["weekly"], ids["own"], ids["private"]])
        let weekly = agenda.entries[0]
        #expect(weekly.start == fixture.unix(7, 8) && weekly.end == fixture.unix(7, 9))
        #expect(weekly.title == "Giao ban tuần" && weekly.room == "Phòng lớn" && weekly.organizer == "chi")
        #expect(weekly.answer == "NEEDS-ACTION" && weekly.recurring && !weekly.hidden)
        let own = agenda.entries[1]
        #expect(own.joinURL == "https://meet.example.vn/an" && own.room == nil && own.answer == "ACCEPTED" && !own.recurring)
    }

    @Test func anotherPersonsMeetingsShowOnlyAsBusyUnlessTheViewerAttendsOrIsTheHelpdesk() throws {
        let (fixture, ids) = try monday()
        let (from, to) = day(fixture, 7)
        // binh attends an's own meeting; the weekly and the private one are not binh's.
        let seenByBinh = try fixture.scheduler("binh").agenda(of: .person("an"), from: from, to: to)
        #expect(seenByBinh.entries.count == 3)
        #expect(seenByBinh.entries.map(\.hidden) == [true, false, true])
        #expect(seenByBinh.entries[1].meetingID == ids["own"])
        for hidden in seenByBinh.entries where hidden.hidden {
            #expect(hidden.title == "busy" && hidden.meetingID == nil && hidden.room == nil && hidden.organizer == nil)
        }
        // chi organizes the weekly and the private one.
        let seenByChi = try fixture.scheduler("chi").agenda(of: .person("an"), from: from, to: to)
        #expect(seenByChi.entries.map(\.hidden) == [false, true, false])
        let seenByHelpdesk = try fixture.scheduler("hd").agenda(of: .person("an"), from: from, to: to)
        #expect(seenByHelpdesk.entries.allSatisfy { !$0.hidden } && seenByHelpdesk.entries[2].title == "Bí mật")
    }

    @Test func aRoomsAgendaAndAWeekWithTheSeriesAndACancelledOccurrence() throws {
        let (fixture, ids) = try monday()
        let (from, to) = day(fixture, 7)
        let room = try fixture.scheduler("hd").agenda(of: .room("Phòng lớn"), from: from, to: to)
        #expect(room.isRoom && room.entries.map(\.meetingID) == [ids["weekly"]])
        let week = try fixture.scheduler("an").agenda(of: .me, from: fixture.at(7, 0), to: fixture.at(28, 0))
        #expect(week.entries.filter { $0.meetingID == ids["weekly"] }.map(\.start)
            == [fixture.unix(7, 8), fixture.unix(14, 8), fixture.unix(21, 8)])
        #expect(week.entries.contains { $0.meetingID == ids["tuesday"] })
        let cancelled = try ViewsFixture()
        let series = try cancelled.meeting("Giao ban", by: "an", day: 7, hour: 8, rrule: "FREQ=DAILY;COUNT=3", cancelled: [cancelled.at(8, 8)])
        let shown = try cancelled.scheduler("an").agenda(of: .me, from: cancelled.at(7, 0), to: cancelled.at(10, 0))
        #expect(shown.entries.map(\.start) == [cancelled.unix(7, 8), cancelled.unix(9, 8)])
        #expect(shown.entries.allSatisfy { $0.meetingID == series })
    }

    @Test func unknownPeopleAndRoomsAreNamedAndTimesShowInTheViewersZone() throws {
        let (fixture, _) = try monday()
        let (from, to) = day(fixture, 7)
        #expect(throws: SchedulingError.self) { try fixture.scheduler("an").agenda(of: .person("khong-co"), from: from, to: to) }
        #expect(throws: SchedulingError.self) { try fixture.scheduler("an").agenda(of: .room("Phòng ma"), from: from, to: to) }
        let berlin = try CalendarZone("Europe/Berlin")
        #expect(AgendaFormat.span(fixture.unix(7, 8), fixture.unix(7, 9), berlin) == "02:00-03:00")
        #expect(AgendaFormat.span(fixture.unix(7, 8), fixture.unix(7, 9), fixture.zone) == "08:00-09:00")
        #expect(AgendaFormat.span(fixture.unix(7, 23), fixture.unix(8, 1), fixture.zone) == "23:00-Tue 2026-12-08 01:00")
        #expect(AgendaFormat.iso(fixture.unix(7, 8), fixture.zone) == "2026-12-07T08:00:00+07:00")
        #expect(AgendaFormat.day(AgendaFormat.monday(of: LocalDateTime(year: 2026, month: 12, day: 13))) == "Mon 2026-12-07")
        #expect(AgendaFormat.day(AgendaFormat.monday(of: LocalDateTime(year: 2027, month: 1, day: 2))) == "Mon 2026-12-28")
    }
}
