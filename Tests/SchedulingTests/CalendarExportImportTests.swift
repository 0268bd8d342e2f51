import Foundation
import ICalendar
import Scheduling
import SwitchboardCore
import Testing

@Suite struct CalendarExportImportTests {
    /// an's calendar: a weekly series in Phòng lớn (one occurrence cancelled, one moved), a
    /// videoconference an organizes, one an declined, and binh's own.
    private func calendar() throws -> (ViewsFixture, series: Int64) {
        let fixture = try ViewsFixture()
        let series = try fixture.meeting("Giao ban tuần", by: "chi", with: ["an", "binh"], room: "Phòng lớn", day: 7, hour: 8,
                                         rrule: "FREQ=WEEKLY;COUNT=4", cancelled: [fixture.at(14, 8)])
        try fixture.move(series, occurrence: fixture.at(21, 8), to: fixture.at(22, 15))
        try fixture.meeting("Trao đổi, \"nhanh\"; dòng 1", by: "an", with: ["binh", "ngoai@khac.vn"], day: 9, hour: 14, minutes: 30,
                            joinURL: "https://meet.example.vn/an")
        try fixture.meeting("Không đi", by: "binh", declined: ["an"], day: 10, hour: 9)
        try fixture.meeting("Của Bình", by: "binh", day: 11, hour: 9)
        return (fixture, series)
    }

    private func events(_ text: String) throws -> [CalendarEvent] {
        let object = try CalendarParser.parse(text, source: "export.ics")
        #expect(object.method == .publish)
        return object.events
    }

    @Test func anExportHoldsEachSeriesOnceWithItsRuleExceptionsAndMovedOccurrence() throws {
        let (fixture, _) = try calendar()
        let export = try fixture.scheduler("an").exportCalendar(of: nil, from: nil, to: nil)
        #expect(export.meetings == 2 && export.events == 3)
        #expect(export.text.hasPrefix("BEGIN:VCALENDAR\r\n") && export.text.contains("METHOD:PUBLISH\r\n"))
        let events = try events(export.text)
        let master = try #require(events.first { $0.recurrenceRule != nil })
        #expect(master.summary == "Giao ban tuần" && master.recurrenceRule?.contains("FREQ=WEEKLY") == true)
        #expect(master.start == .zoned(LocalDateTime(year: 2026, month: 12, day: 7, hour: 8), fixture.zone))
        #expect(master.exceptionDates.map { $0.instant(floatingIn: fixture.zone) } == [fixture.at(14, 8)])
        #expect(master.location?.hasPrefix("Phòng lớn") == true)
        let moved = try #require(events.first { $0.recurrenceID != nil })
        #expect(moved.uid == master.uid && moved.recurrenceID?.instant(floatingIn: fixture.zone) == fixture.at(21, 8))
        #expect(moved.start.instant(floatingIn: fixture.zone) == fixture.at(22, 15))
        let single = try #require(events.first { $0.summary?.hasPrefix("Trao đổi") == true })
        #expect(single.summary == "Trao đổi, \"nhanh\"; dòng 1")
        #expect(Set(single.attendees.map(\.address)) == ["an@bo.gov.vn", "binh@bo.gov.vn", "ngoai@khac.vn"])
        #expect(!events.contains { $0.summary == "Không đi" || $0.summary == "Của Bình" })
    }

    @Test func theDaysNarrowTheExportAndAnotherPersonsCalendarIsTheHelpdesks() throws {
        let (fixture, _) = try calendar()
        let narrow = try fixture.scheduler("an").exportCalendar(of: nil, from: fixture.at(9, 0), to: fixture.at(10, 0))
        let narrowEvents = try events(narrow.text)
        #expect(narrow.meetings == 1 && narrowEvents.first?.summary?.hasPrefix("Trao đổi") == true)
        #expect(throws: AccessDenied.self) { try fixture.scheduler("binh").exportCalendar(of: "an", from: nil, to: nil) }
        #expect(try fixture.count("SELECT count(*) FROM audit_event WHERE action = 'meet.export' AND outcome = 'denied'") == 1)
        #expect(try fixture.scheduler("hd").exportCalendar(of: "an", from: nil, to: nil).meetings == 2)
        let empty = try fixture.scheduler("hd").exportCalendar(of: "hd", from: nil, to: nil)
        let emptyEvents = try events(empty.text)
        #expect(empty.meetings == 0 && emptyEvents.isEmpty)
    }

    @Test func anExportImportsIntoAnotherDirectoryAsTheSameMeetings() throws {
        let (source, _) = try calendar()
        let text = try source.scheduler("an").exportCalendar(of: nil, from: nil, to: nil).text
        let target = try ViewsFixture()
        var steps: [String] = []
        let report = try target.scheduler("hd").importCalendar(text: text, source: "an.ics") { steps.append("\($0) \($1)/\($2)") }
        #expect(report.imported.count == 2 && report.events == 3 && report.unchanged.isEmpty && report.attendeeConflicts.isEmpty)
        #expect(steps == ["checking 0/2", "checking 2/2", "storing 0/2", "storing 2/2"])
        // The helpdesk keeps the file's organizers; the agendas of both directories agree.
        let before = try source.scheduler("hd").agenda(of: .person("an"), from: source.at(1, 0), to: source.at(31, 0))
        let after = try target.scheduler("hd").agenda(of: .person("an"), from: target.at(1, 0), to: target.at(31, 0))
        #expect(after.entries.map { [$0.title, $0.room ?? "", $0.organizer ?? "", String($0.start), String($0.end)] }
            == before.entries.map { [$0.title, $0.room ?? "", $0.organizer ?? "", String($0.start), String($0.end)] })
        #expect(after.entries.count == 4)   // three weekly (one cancelled, one moved) and the videoconference
        #expect(try target.count("SELECT count(*) FROM meeting WHERE origin = 'imported'") == 2)
        #expect(try target.count("SELECT count(*) FROM meeting_attendee WHERE person_id IS NULL AND address = 'ngoai@khac.vn'") == 1)
        #expect(try target.count("SELECT count(*) FROM audit_event WHERE action = 'meet.import'") == 3)
        // Again: the same UIDs, unchanged, are left alone.
        let again = try target.scheduler("hd").importCalendar(text: text, source: "an.ics")
        #expect(again.imported.isEmpty && again.unchanged.count == 2)
        // Staff import as their own organizer.
        let staff = try ViewsFixture()
        _ = try staff.scheduler("binh").importCalendar(text: text, source: "an.ics")
        #expect(try staff.count("SELECT count(*) FROM meeting m JOIN person p ON p.id = m.organizer_id WHERE p.login = 'binh'") == 2)
    }

    /// A calendar with the given VEVENT bodies (CRLF lines).
    private func ics(_ events: [String]) -> String {
        var lines: [String] = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
        for event in events {
            lines.append("BEGIN:VEVENT")
            lines += event.split(separator: "\n").map(String.init)
            lines.append("END:VEVENT")
        }
        lines += ["END:VCALENDAR", ""]
        return lines.joined(separator: "\r\n")
    }

    private func event(_ uid: String, _ title: String, day: Int, hour: Int, location: String = "", attendees: [String] = []) -> String {
        var lines = ["UID:\(uid)", "DTSTAMP:20261201T000000Z", "DTSTART;TZID=Asia/Ho_Chi_Minh:202612\(String(format: "%02d", day))T\(String(format: "%02d", hour))0000",
                     "DTEND;TZID=Asia/Ho_Chi_Minh:202612\(String(format: "%02d", day))T\(String(format: "%02d", hour + 1))0000", "SUMMARY:\(title)"]
        if !location.isEmpty { lines.append("LOCATION:\(location)") }
        lines += attendees.map { "ATTENDEE;PARTSTAT=ACCEPTED:mailto:\($0)" }
        return lines.joined(separator: "\n")
    }

    @Test func aDoubleBookedRoomRefusesTheWholeFileAndBusyAttendeesAreListed() throws {
        let fixture = try ViewsFixture()
        try fixture.meeting("Đã đặt", by: "chi", with: ["binh"], room: "Phòng lớn", day: 7, hour: 9)
        let stored = try fixture.count("SELECT count(*) FROM meeting")
        let clash = ics([event("a@x", "Một", day: 8, hour: 9), event("b@x", "Hai", day: 7, hour: 9, location: "Phòng lớn, Tầng 3")])
        do {
            _ = try fixture.scheduler("an").importCalendar(text: clash, source: "clash.ics")
            Issue.record("a double-booked room was imported")
        } catch let refusal as CalendarImportRefusal {
            #expect(refusal.problems.count == 1)
            #expect(refusal.problems.first?.line == 12, "\(refusal.problems)")
            #expect(refusal.description.contains("Phòng lớn is taken Mon 2026-12-07 09:00-10:00 by meeting") && refusal.description.contains("Đã đặt"),
                    "\(refusal.description)")
        }
        // Two events of the file in one room at once: refused too.
        let twice = ics([event("c@x", "Ba", day: 8, hour: 9, location: "Phòng nhỏ"), event("d@x", "Bốn", day: 8, hour: 9, location: "Phòng nhỏ")])
        #expect(throws: CalendarImportRefusal.self) { try fixture.scheduler("an").importCalendar(text: twice, source: "twice.ics") }
        #expect(try fixture.count("SELECT count(*) FROM meeting") == stored)
        #expect(try fixture.count("SELECT count(*) FROM audit_event WHERE action = 'meet.import'") == 0)
        // binh is busy at the stored meeting's time: imported, and listed.
        let busy = ics([event("e@x", "Năm", day: 7, hour: 9, attendees: ["binh@bo.gov.vn", "ngoai@khac.vn"])])
        let report = try fixture.scheduler("an").importCalendar(text: busy, source: "busy.ics")
        #expect(report.imported.count == 1)
        #expect(report.attendeeConflicts.map(\.who) == ["binh"] && report.attendeeConflicts.first?.otherTitle == "Đã đặt")
    }

    @Test func aUIDAlreadyHereForAnotherMeetingIsRefusedWithItsRowAndADryRunKeepsNothing() throws {
        let fixture = try ViewsFixture()
        let file = ics([event("same@x", "Gốc", day: 8, hour: 9)])
        let dry = try fixture.scheduler("an").importCalendar(text: file, source: "f.ics", dryRun: true)
        #expect(dry.dryRun && dry.imported.count == 1 && dry.imported.first?.meetingID == nil)
        #expect(try fixture.count("SELECT count(*) FROM meeting") == 0)
        _ = try fixture.scheduler("an").importCalendar(text: file, source: "f.ics")
        let changed = ics([event("same@x", "Đổi tên", day: 8, hour: 9)])
        do {
            _ = try fixture.scheduler("an").importCalendar(text: changed, source: "f.ics")
            Issue.record("a different meeting under a known UID was imported")
        } catch let refusal as CalendarImportRefusal {
            #expect(refusal.description.contains("is already meeting 1 (\"Gốc\"") && refusal.problems.first?.line == 5, "\(refusal.description)")
        }
    }

    @Test func staffCannotImportColleaguesAsHavingAccepted() throws {
        let fixture = try ViewsFixture()
        let text = ics([event("said-yes@x", "Họp", day: 8, hour: 9, attendees: ["binh@bo.gov.vn", "chi@bo.gov.vn"])])
        _ = try fixture.scheduler("an").importCalendar(text: text, source: "mine.ics")
        #expect(try fixture.count("SELECT count(*) FROM meeting_attendee WHERE role <> 'CHAIR' AND partstat = 'NEEDS-ACTION'") == 2)
        // The helpdesk moving a calendar over keeps the answers the file holds.
        _ = try fixture.scheduler("hd").importCalendar(text: text.replacingOccurrences(of: "said-yes@x", with: "moved@x"), source: "theirs.ics")
        #expect(try fixture.count("SELECT count(*) FROM meeting m JOIN meeting_attendee a ON a.meeting_id = m.id WHERE m.uid = 'moved@x' AND a.partstat = 'ACCEPTED' AND a.role <> 'CHAIR'") == 2)
    }

    @Test func badFilesAreOneClearErrorAndNothingIsStored() throws {
        let fixture = try ViewsFixture()
        let good = ics([event("ok@x", "Tốt", day: 8, hour: 9)])
        let noEnd = ics(["UID:n@x\nDTSTART:20261208T020000Z\nSUMMARY:Không hết"])
        for (text, words) in [
            (String(good.dropLast(15)), "END:VCALENDAR"),
            ("hello\r\n", "not an iCalendar"),
            (good.replacingOccurrences(of: "DTSTART;TZID=Asia/Ho_Chi_Minh:20261208T090000", with: "DTSTART:INVALID-DATE"), "line"),
            (good.replacingOccurrences(of: "DTEND;TZID=Asia/Ho_Chi_Minh:20261208T100000", with: "RRULE:FREQ=DAILY;COUNT=1000000000\r\nDTEND;TZID=Asia/Ho_Chi_Minh:20261208T100000"), "COUNT"),
            (noEnd, "no end"),
            (good.replacingOccurrences(of: "DTEND;TZID=Asia/Ho_Chi_Minh:20261208T100000", with: "RDATE:20261209T020000Z\r\nDTEND;TZID=Asia/Ho_Chi_Minh:20261208T100000"), "RDATE"),
        ] {
            do {
                _ = try fixture.scheduler("an").importCalendar(text: text, source: "bad.ics")
                Issue.record("imported (expected \(words)): \(text.suffix(300))")
            } catch {
                let line = "\(error)"
                #expect(line.contains(words) && !line.contains("\n"), "\(line)")
            }
        }
        #expect(try fixture.count("SELECT count(*) FROM meeting") == 0)
    }
}
