import Foundation
import ICalendar

/// The iTIP messages meetctl sends, built the way the scheduling core builds them: a weekly series
/// in Ho Chi Minh City with people and a room, its update, its cancellation, one occurrence's.
enum InviteSamples {
    static let uid = "20261208-giao-ban-7f3a@switchboard.bo.gov.vn"
    static let saigon = (try? CalendarZone("Asia/Ho_Chi_Minh")) ?? .utc

    static func series(sequence: Int = 0) -> CalendarEvent {
        var event = CalendarEvent(uid: uid, start: .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 9), saigon))
        event.end = .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 10, minute: 30), saigon)
        event.sequence = sequence
        event.stamp = utc("2026-12-01T03:04:05")
        event.summary = "Họp giao ban Trung tâm Công nghệ thông tin, tuần \(sequence == 0 ? "đầu" : "mới")"
        event.description = "Nội dung: báo cáo tuần; kế hoạch, ngân sách.\nTham gia: https://meet.bo.gov.vn/giao-ban-7f3a"
        event.location = "Phòng 301, nhà B"
        event.url = "https://meet.bo.gov.vn/giao-ban-7f3a"
        event.conference = "https://meet.bo.gov.vn/giao-ban-7f3a"
        event.organizer = CalendarOrganizer(address: "mailto:An.Nguyen@bo.gov.vn", name: "Nguyễn Văn An", sentBy: "thu.ky@bo.gov.vn")
        event.attendees = [
            CalendarAttendee(address: "an.nguyen@bo.gov.vn", name: "Nguyễn Văn An", role: "CHAIR", status: .accepted),
            CalendarAttendee(address: "binh.tran@bo.gov.vn", name: "Trần Thị Bình", rsvp: true),
            CalendarAttendee(address: "cuong.le@bo.gov.vn", name: "Lê Văn Cường", role: "OPT-PARTICIPANT", rsvp: true),
            CalendarAttendee(address: "phong301@bo.gov.vn", name: "Phòng 301", role: "NON-PARTICIPANT", kind: "ROOM"),
        ]
        event.recurrenceRule = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270330T165959Z"
        event.status = "CONFIRMED"
        return event
    }

    static var request: CalendarObject { CalendarObject(method: .request, events: [series()]) }

    static var update: CalendarObject {
        var event = series(sequence: 1)
        event.start = .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 14), saigon)
        event.end = .zoned(LocalDateTime(year: 2026, month: 12, day: 8, hour: 15, minute: 30), saigon)
        event.stamp = utc("2026-12-02T01:00:00")
        event.exceptionDates = [.zoned(LocalDateTime(year: 2026, month: 12, day: 29, hour: 14), saigon)]
        return CalendarObject(method: .request, events: [event])
    }

    static var cancelSeries: CalendarObject {
        var event = series(sequence: 2)
        event.status = "CANCELLED"
        event.stamp = utc("2026-12-03T01:00:00")
        return CalendarObject(method: .cancel, events: [event])
    }

    static var cancelOccurrence: CalendarObject {
        var event = series(sequence: 2)
        event.recurrenceRule = nil
        event.recurrenceID = .zoned(LocalDateTime(year: 2026, month: 12, day: 15, hour: 9), saigon)
        event.start = .zoned(LocalDateTime(year: 2026, month: 12, day: 15, hour: 9), saigon)
        event.end = .zoned(LocalDateTime(year: 2026, month: 12, day: 15, hour: 10, minute: 30), saigon)
        event.status = "CANCELLED"
        event.stamp = utc("2026-12-03T02:00:00")
        return CalendarObject(method: .cancel, events: [event])
    }

    static let all: [(name: String, object: CalendarObject)] = [
        ("request", request), ("update", update), ("cancel-series", cancelSeries), ("cancel-occurrence", cancelOccurrence),
    ]
}
