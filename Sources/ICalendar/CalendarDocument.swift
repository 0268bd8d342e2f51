internal import CICal

/// An error reading or building an iCalendar object.
public struct CalendarError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in words an operator can act on.
    public let description: String
}

/// A parsed iCalendar object (RFC 5545), owned by this value and freed with it.
public final class CalendarDocument {
    private let root: OpaquePointer

    /// Parses iCalendar text; fails on garbage and on properties libical could not read.
    public init(parsing text: String) throws {
        CICal_clear_errno()
        guard let component = icalparser_parse_string(text) else {
            throw CalendarError(description: "not an iCalendar object: the text has no BEGIN:VCALENDAR ... END:VCALENDAR block")
        }
        let errors = icalcomponent_count_errors(component)
        if errors > 0 {
            icalcomponent_free(component)
            throw CalendarError(description: "the iCalendar object has \(errors) malformed propert\(errors == 1 ? "y" : "ies")")
        }
        root = component
    }

    deinit {
        icalcomponent_free(root)
    }

    /// The summaries of the VEVENT components, in document order.
    public var eventSummaries: [String] {
        var result: [String] = []
        let calendar = icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT ? root : nil
        guard let calendar else {
            if icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT, let summary = icalcomponent_get_summary(root) {
                return [String(cString: summary)]
            }
            return []
        }
        var event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT)
        while let current = event {
            result.append(icalcomponent_get_summary(current).map { String(cString: $0) } ?? "")
            event = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)
        }
        return result
    }
}
