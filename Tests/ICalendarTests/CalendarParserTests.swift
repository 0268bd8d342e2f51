import Foundation
import ICalendar
import Testing

/// Lines joined with CRLF, as a calendar file.
func ics(_ lines: [String]) -> String {
    lines.joined(separator: "\r\n") + "\r\n"
}

/// A VCALENDAR around the given VEVENT lines (and any lines before them).
func calendar(_ body: [String], method: String? = nil) -> String {
    ics(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN"] + (method.map { ["METHOD:\($0)"] } ?? []) + body + ["END:VCALENDAR"])
}

@Suite struct CalendarParserTests {
    /// An invite as Outlook sends it: a Windows zone defined by its VTIMEZONE, its own sequence.
    static let outlookInvite = calendar([
        "BEGIN:VTIMEZONE", "TZID:SE Asia Standard Time",
        "BEGIN:STANDARD", "DTSTART:16010101T000000", "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "END:STANDARD",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        "ORGANIZER;CN=\"Nguyễn Văn An\";SENT-BY=\"mailto:Thu.Ky@bo.gov.vn\":MAILTO:An.Nguyen@BO.gov.vn",
        "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE;CN=Trần Thị Bình:mailto:binh.tran@bo.gov.vn",
        "ATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=X-UNKNOWN:mailto:phong301@bo.gov.vn",
        "DESCRIPTION:Dòng một\\nDòng hai\\, có dấu phẩy\\; chấm phẩy",
        "RRULE:FREQ=WEEKLY;UNTIL=20270330T020000Z;INTERVAL=1;BYDAY=TU",
        "EXDATE;TZID=SE Asia Standard Time:20261215T090000,20261222T090000",
        "UID:040000008200E00074C5B7101A82E0080000000010A2B3C4D5E6F7@outlook",
        "SUMMARY;LANGUAGE=vi-VN:Họp giao ban",
        "DTSTART;TZID=SE Asia Standard Time:20261208T090000",
        "DTEND;TZID=SE Asia Standard Time:20261208T103000",
        "CLASS:PUBLIC", "PRIORITY:5",
        "DTSTAMP:20261201T030405Z",
        "SEQUENCE:0",
        "LOCATION;LANGUAGE=vi-VN:Phòng 301",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:2",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ], method: "REQUEST")

    @Test func anOutlookInviteReadsCompletely() throws {
        let object = try CalendarParser.parse(Self.outlookInvite, source: "outlook.ics")
        #expect(object.method == .request)
        try #require(object.events.count == 1)
        let event = object.events[0]
        let saigon = try CalendarZone("Asia/Ho_Chi_Minh")
        #expect(event.uid == "040000008200E00074C5B7101A82E0080000000010A2B3C4D5E6F7@outlook")
        #expect(event.start == .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 9), saigon))
        #expect(event.end == .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 10, minute: 30), saigon))
        #expect(event.exceptionDates == [.zoned(local("2026-12-15T09:00"), saigon), .zoned(local("2026-12-22T09:00"), saigon)])
        #expect(event.stamp == utc("2026-12-01T03:04:05"))
        #expect(event.summary == "Họp giao ban")
        #expect(event.description == "Dòng một\nDòng hai, có dấu phẩy; chấm phẩy")
        #expect(event.location == "Phòng 301")
        #expect(event.organizer == CalendarOrganizer(address: "an.nguyen@bo.gov.vn", name: "Nguyễn Văn An", sentBy: "thu.ky@bo.gov.vn"))
        #expect(event.attendees == [
            CalendarAttendee(address: "binh.tran@bo.gov.vn", name: "Trần Thị Bình", status: .accepted, rsvp: true),
            CalendarAttendee(address: "phong301@bo.gov.vn", role: "NON-PARTICIPANT", kind: "ROOM"),
        ])
        #expect(event.recurrenceRule == "FREQ=WEEKLY;UNTIL=20270330T020000Z;BYDAY=TU")
        #expect(event.status == "CONFIRMED")
        #expect(event.sequence == 0 && event.microsoftSequence == 2 && event.effectiveSequence == 2)
    }

    @Test func aZoneDefinedOnlyByItsVTimezoneBecomesInstants() throws {
        let text = calendar([
            "BEGIN:VTIMEZONE", "TZID:Giờ Hà Nội (tùy chỉnh)",
            "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT", "UID:custom-1", "DTSTAMP:20261201T000000Z",
            "DTSTART;TZID=\"Giờ Hà Nội (tùy chỉnh)\":20261208T090000", "END:VEVENT",
        ])
        let event = try CalendarParser.parse(text, source: "custom.ics").events[0]
        #expect(event.start == .utc(utc("2026-12-08T02:00")))
    }

    @Test func dateFloatingAndUTCTimesKeepTheirForm() throws {
        let text = calendar([
            "BEGIN:VEVENT", "UID:forms", "DTSTAMP:20261201T000000Z", "DTSTART;VALUE=DATE:20261208", "DTEND;VALUE=DATE:20261209", "END:VEVENT",
            "BEGIN:VEVENT", "UID:floating", "DTSTAMP:20261201T000000Z", "DTSTART:20261208T090000", "DURATION:PT1H30M", "END:VEVENT",
            "BEGIN:VEVENT", "UID:utc", "DTSTAMP:20261201T000000Z", "DTSTART:20261208T020000Z", "END:VEVENT",
        ])
        let events = try CalendarParser.parse(text, source: "forms.ics").events
        #expect(events.map(\.start) == [.date(year: 2026, month: 12, day: 8), .floating(local("2026-12-08T09:00")), .utc(utc("2026-12-08T02:00"))])
        #expect(events[1].duration == 5_400)
        #expect(events[0].end == .date(year: 2026, month: 12, day: 9))
    }

    @Test func aReplyWithoutDTSTARTIsRead() throws {
        let text = calendar([
            "BEGIN:VEVENT", "UID:\(InviteSamples.uid)", "DTSTAMP:20261202T080000Z", "SEQUENCE:1",
            "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20261215T090000",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:Binh.Tran@bo.gov.vn", "END:VEVENT",
        ], method: "REPLY")
        let event = try CalendarParser.parse(text, source: "reply.eml").events[0]
        #expect(!event.startGiven)
        #expect(event.recurrenceID == .zoned(local("2026-12-15T09:00"), try CalendarZone("Asia/Ho_Chi_Minh")))
        #expect(event.attendees.map(\.address) == ["binh.tran@bo.gov.vn"])
        #expect(event.attendees.map(\.status) == [.declined])
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let code: CalendarError.Code
        let expected: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "not iCalendar", text: "Xin chào,\r\nđây là một bức thư.\r\n", code: .notICalendar,
                expected: "bad.ics: not an iCalendar file: it has no BEGIN:VCALENDAR line; export the calendar again as .ics"),
        Refusal(name: "a value libical cannot read (X-LIC-ERROR)",
                text: calendar(["BEGIN:VEVENT", "UID:x-lic", "DTSTAMP:20261201T000000Z", "DTSTART:20261208T090000", "DTEND:2026garbage", "END:VEVENT"]),
                code: .malformed,
                expected: "bad.ics: line 8: libical cannot read a property: Can't parse as DATE-TIME value in DTEND property. Removing entire property: 2026garbage; correct or remove that line"),
        Refusal(name: "an unknown TZID with no VTIMEZONE",
                text: calendar(["BEGIN:VEVENT", "UID:tz-1", "DTSTAMP:20261201T000000Z", "DTSTART;TZID=Giờ Sao Hỏa:20261208T090000", "END:VEVENT"]),
                code: .unknownTimeZone,
                expected: "bad.ics: line 7: DTSTART of event 'tz-1' uses time zone 'Giờ Sao Hỏa', which is not an IANA name and has no VTIMEZONE in the file; add its VTIMEZONE or use an IANA name such as Asia/Ho_Chi_Minh"),
        Refusal(name: "DTEND before DTSTART",
                text: calendar(["BEGIN:VEVENT", "UID:backwards", "DTSTAMP:20261201T000000Z", "DTSTART;TZID=Asia/Ho_Chi_Minh:20261208T090000",
                                "DTEND;TZID=Asia/Ho_Chi_Minh:20261208T080000", "END:VEVENT"]),
                code: .badTime,
                expected: "bad.ics: line 5: event 'backwards' ends (DTEND 2026-12-08T08:00:00 Asia/Ho_Chi_Minh) before it starts (DTSTART 2026-12-08T09:00:00 Asia/Ho_Chi_Minh); correct DTEND or DTSTART"),
        Refusal(name: "a truncated file",
                text: ics(["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:cut", "DTSTART:20261208T090000Z", "SUMMARY:Họp"]) + "\r\n\r\n",
                code: .truncated,
                expected: "bad.ics: line 6: the file ends before END:VCALENDAR (the last line is 'SUMMARY:Họp'): it was cut short; get the whole file again"),
        Refusal(name: "an hourly series",
                text: calendar(["BEGIN:VEVENT", "UID:hourly", "DTSTAMP:20261201T000000Z", "DTSTART:20261208T090000Z", "RRULE:FREQ=HOURLY", "END:VEVENT"]),
                code: .badRecurrence,
                expected: "bad.ics: line 8: event 'hourly': recurrence rule 'FREQ=HOURLY' repeats more often than daily; meetings repeat DAILY, WEEKLY, MONTHLY or YEARLY"),
        Refusal(name: "an event without UID",
                text: calendar(["BEGIN:VEVENT", "DTSTAMP:20261201T000000Z", "DTSTART:20261208T090000Z", "SUMMARY:Không mã", "END:VEVENT"]),
                code: .malformed,
                expected: "bad.ics: line 7: an event ('Không mã') has no UID; every event needs one (RFC 5545): export the calendar again"),
        Refusal(name: "a NUL byte", text: calendar(["BEGIN:VEVENT", "UID:nul\u{0}", "END:VEVENT"]), code: .notICalendar,
                expected: "bad.ics: line 5: a NUL byte in the text: not a text calendar file; export the calendar again as .ics"),
        Refusal(name: "a bare VEVENT", text: ics(["BEGIN:VEVENT", "UID:bare", "DTSTART:20261208T090000Z", "END:VEVENT", "END:VCALENDAR"]),
                code: .notICalendar,
                expected: "bad.ics: a bare VEVENT with no VCALENDAR around it, not a calendar file; export the whole calendar as .ics"),
    ]

    @Test(arguments: refusals)
    func badInputIsRefusedWithOneLine(_ refusal: Refusal) {
        let error = #expect(throws: CalendarError.self) { try CalendarParser.parse(refusal.text, source: "bad.ics") }
        #expect(error?.code == refusal.code)
        #expect(error?.description == refusal.expected)
    }

    @Test func aFiftyMegabyteFileIsRefusedBySizeBeforeParsing() {
        let line = "X-FILL:" + String(repeating: "x", count: 90) + "\r\n"
        let text = "BEGIN:VCALENDAR\r\n" + String(repeating: line, count: 50 * 1024 * 1024 / line.utf8.count + 1) + "END:VCALENDAR\r\n"
        let clock = ContinuousClock()
        var error: CalendarError?
        let elapsed = clock.measure {
            error = #expect(throws: CalendarError.self) { try CalendarParser.parse(text, source: "huge.ics") }
        }
        #expect(error?.description == "huge.ics: the file is 50.0 MB, more than the 20.0 MB allowed; split it into smaller files")
        #expect(elapsed < .seconds(1), "refusing took \(elapsed): the size must be checked before parsing")
    }

    @Test func tooManyEventsAreRefused() throws {
        let events = (0..<5).flatMap { ["BEGIN:VEVENT", "UID:e\($0)", "DTSTAMP:20261201T000000Z", "DTSTART:20261208T090000Z", "END:VEVENT"] }
        let error = #expect(throws: CalendarError.self) {
            try CalendarParser.parse(calendar(events), source: "many.ics", limits: CalendarLimits(maxEvents: 4))
        }
        #expect(error?.code == .tooBig)
        #expect(try CalendarParser.parse(calendar(events), source: "many.ics", limits: CalendarLimits(maxEvents: 5)).events.count == 5)
    }
}
