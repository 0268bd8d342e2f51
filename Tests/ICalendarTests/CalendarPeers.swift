import Foundation
import ICalendar
import SwitchboardTestSupport

extension CalendarPeers {
    /// An instant as the peers print it: "2026-12-08T02:00:00Z".
    static func utcText(_ time: EventTime?) -> String? {
        guard let time else { return nil }
        if case let .date(year, month, day) = time { return String(LocalDateTime(year: year, month: month, day: day).description.prefix(10)) }
        return CalendarZone.utc.local(of: time.instant(floatingIn: .utc)).description + "Z"
    }
}
