import Foundation
import ICalendar
import Testing

@Suite struct CalendarWriterTests {
    static let product = "-//Switchboard//meetctl 1.0//VI"

    /// Every line: CRLF, at most 75 octets, whole UTF-8 on each physical line; no blank line at the end.
    static func expectWellFormedLines(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = Array(text.utf8)
        #expect(text.hasSuffix("END:VCALENDAR\r\n"), sourceLocation: sourceLocation)
        #expect(!text.hasSuffix("\r\n\r\n"), sourceLocation: sourceLocation)
        var lineStart = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            #expect(index > 0 && bytes[index - 1] == 0x0D, "a bare LF at byte \(index)", sourceLocation: sourceLocation)
            let line = Array(bytes[lineStart..<max(lineStart, index - 1)])
            #expect(line.count <= 75, "a line of \(line.count) octets: \(String(decoding: line, as: UTF8.self))", sourceLocation: sourceLocation)
            #expect(String(validating: line, as: UTF8.self) != nil, "a line cut inside a UTF-8 sequence", sourceLocation: sourceLocation)
            lineStart = index + 1
        }
        #expect(!bytes.enumerated().contains { $0.element == 0x0D && ($0.offset + 1 == bytes.count || bytes[$0.offset + 1] != 0x0A) },
                "a CR without LF", sourceLocation: sourceLocation)
    }

    /// Physical lines with continuations joined.
    static func unfolded(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test func aRequestHasTheHeaderTheZoneAndEveryAttendee() throws {
        let text = try CalendarWriter.serialize(InviteSamples.request, productID: Self.product)
        Self.expectWellFormedLines(text)
        let lines = Self.unfolded(text)
        #expect(Array(lines.prefix(3)) == ["BEGIN:VCALENDAR", "METHOD:REQUEST", "PRODID:\(Self.product)"])
        #expect(!text.contains("freeassociation"))
        #expect(lines.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20261208T090000"))
        #expect(lines.contains("DTEND;TZID=Asia/Ho_Chi_Minh:20261208T103000"))
        #expect(lines.contains("RRULE:FREQ=WEEKLY;UNTIL=20270330T165959Z;BYDAY=TU"))
        #expect(lines.contains("CONFERENCE;VALUE=URI:https://meet.bo.gov.vn/giao-ban-7f3a"))
        #expect(lines.contains { $0.hasPrefix("ATTENDEE;") && $0.contains("CUTYPE=ROOM") && $0.contains("ROLE=NON-PARTICIPANT") && $0.hasSuffix(":mailto:phong301@bo.gov.vn") })
        #expect(lines.contains { $0.hasPrefix("ORGANIZER;") && $0.contains("SENT-BY=\"mailto:thu.ky@bo.gov.vn\"") && $0.hasSuffix(":mailto:an.nguyen@bo.gov.vn") })
        #expect(lines.contains("SUMMARY:Họp giao ban Trung tâm Công nghệ thông tin\\, tuần đầu"))
        // Asia/Ho_Chi_Minh: one VTIMEZONE, one STANDARD block at +0700 and nothing else.
        let zone = Array(lines.drop { $0 != "BEGIN:VTIMEZONE" }.prefix { $0 != "END:VTIMEZONE" })
        #expect(zone.first == "BEGIN:VTIMEZONE")
        #expect(zone.contains("TZID:Asia/Ho_Chi_Minh"))
        #expect(zone.filter { $0 == "BEGIN:STANDARD" }.count == 1)
        #expect(!zone.contains("BEGIN:DAYLIGHT"))
        #expect(zone.filter { $0.hasPrefix("TZOFFSET") } == ["TZOFFSETFROM:+0700", "TZOFFSETTO:+0700"])
        #expect(lines.filter { $0 == "BEGIN:VTIMEZONE" }.count == 1)
    }

    @Test(arguments: InviteSamples.all.map(\.name))
    func everyMessageKindRoundTrips(_ name: String) throws {
        let object = try #require(InviteSamples.all.first { $0.name == name }?.object)
        let text = try CalendarWriter.serialize(object, productID: Self.product)
        Self.expectWellFormedLines(text)
        let back = try CalendarParser.parse(text, source: "\(name).ics")
        #expect(back.method == object.method)
        try #require(back.events.count == 1)
        let (sent, read) = (object.events[0], back.events[0])
        #expect(read.uid == sent.uid)
        #expect(read.sequence == sent.sequence)
        #expect(read.stamp == sent.stamp)
        #expect(read.start == sent.start)
        #expect(read.end == sent.end)
        #expect(read.summary == sent.summary)
        #expect(read.description == sent.description)
        #expect(read.location == sent.location)
        #expect(read.url == sent.url)
        #expect(read.conference == sent.conference)
        #expect(read.organizer == sent.organizer)
        #expect(read.attendees == sent.attendees)
        #expect(read.recurrenceRule == (try sent.recurrenceRule.map { try RecurrenceRule($0).text }))
        #expect(read.exceptionDates == sent.exceptionDates)
        #expect(read.recurrenceID == sent.recurrenceID)
        #expect(read.status == sent.status)
    }

    @Test func aLineBreakInATitleStaysOneEscapedValue() throws {
        var event = InviteSamples.series()
        event.summary = "Họp\r\nATTENDEE:mailto:ke.gian@example.com\r\nEND:VEVENT"
        event.location = "Phòng 301;\nnhà B, tầng 3\\"
        let text = try CalendarWriter.serialize(CalendarObject(method: .request, events: [event]), productID: Self.product)
        Self.expectWellFormedLines(text)
        #expect(!Self.unfolded(text).contains { $0.hasPrefix("ATTENDEE:mailto:ke.gian") })
        #expect(Self.unfolded(text).contains("SUMMARY:Họp\\nATTENDEE:mailto:ke.gian@example.com\\nEND:VEVENT"))
        let back = try CalendarParser.parse(text, source: "injection.ics")
        #expect(back.events.count == 1)
        #expect(back.events[0].summary == "Họp\nATTENDEE:mailto:ke.gian@example.com\nEND:VEVENT")
        #expect(back.events[0].location == "Phòng 301;\nnhà B, tầng 3\\")
        #expect(back.events[0].attendees.map(\.address) == event.attendees.map(\.address))
    }

    @Test func longVietnameseTextIsFoldedBetweenCharacters() throws {
        var event = InviteSamples.series()
        event.summary = String(repeating: "Nguyễn Thị Hồng Nhung — Phòng Tổ chức cán bộ, ", count: 8) + "hết"
        let text = try CalendarWriter.serialize(CalendarObject(method: .request, events: [event]), productID: Self.product)
        Self.expectWellFormedLines(text)
        #expect(text.components(separatedBy: "\r\n ").count > 5)
        let back = try CalendarParser.parse(text, source: "long.ics")
        #expect(back.events[0].summary == event.summary)
    }

    @Test func berlinGetsItsTwoRulesTrimmedAndThePlainName() throws {
        let berlin = try CalendarZone("Europe/Berlin")
        var event = CalendarEvent(uid: "berlin-1@switchboard", start: .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 9), berlin))
        event.end = .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 10), berlin)
        event.recurrenceRule = "FREQ=WEEKLY;COUNT=30"
        let text = try CalendarWriter.serialize(CalendarObject(method: .request, events: [event]), productID: Self.product)
        let lines = Self.unfolded(text)
        #expect(lines.contains("TZID:Europe/Berlin"))
        #expect(lines.filter { $0 == "BEGIN:DAYLIGHT" }.count == 1)
        #expect(lines.filter { $0 == "BEGIN:STANDARD" }.count == 1)
        #expect(!lines.contains { $0.contains("2037") || $0.contains("2038") })
        let back = try CalendarParser.parse(text, source: "berlin.ics")
        #expect(back.events[0].start == event.start)
    }

    @Test func aReplyCarriesOneAttendee() throws {
        var event = CalendarEvent(uid: InviteSamples.uid, start: InviteSamples.series().start)
        event.sequence = 1
        event.organizer = CalendarOrganizer(address: "an.nguyen@bo.gov.vn")
        event.attendees = [CalendarAttendee(address: "binh.tran@bo.gov.vn", status: .declined)]
        event.microsoftSequence = 3
        let text = try CalendarWriter.serialize(CalendarObject(method: .reply, events: [event]), productID: Self.product)
        #expect(Self.unfolded(text).contains("X-MICROSOFT-CDO-APPT-SEQUENCE:3"))
        let back = try CalendarParser.parse(text, source: "reply.ics")
        #expect(back.method == .reply)
        #expect(back.events[0].attendees.map(\.status) == [.declined])
        #expect(back.events[0].effectiveSequence == 3)
    }

    @Test func badEventsAreRefusedOnOneLine() throws {
        var noUID = InviteSamples.series()
        noUID.uid = " \r\n"
        var badAddress = InviteSamples.series()
        badAddress.attendees.append(CalendarAttendee(address: "mailto:a@b>\r\nX-EVIL:1"))
        var backwards = InviteSamples.series()
        backwards.end = .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 8), InviteSamples.saigon)
        var badRule = InviteSamples.series()
        badRule.recurrenceRule = "FREQ=MINUTELY"
        var badStatus = InviteSamples.series()
        badStatus.status = "MAYBE"
        var badRole = InviteSamples.series()
        badRole.attendees[1].role = "BOSS\"; X=Y"
        for (event, words) in [(noUID, "empty UID"), (badAddress, "not an e-mail address"), (backwards, "before it starts"),
                               (badRule, "more often than daily"), (badStatus, "STATUS 'MAYBE'"), (badRole, "not an iCalendar word")] {
            let error = #expect(throws: CalendarError.self, "\(words)") {
                try CalendarWriter.serialize(CalendarObject(method: .request, events: [event]), productID: Self.product)
            }
            #expect(error?.description.contains(words) == true, "\(String(describing: error))")
            #expect(error?.description.contains("\n") == false)
        }
    }
}
