import Foundation
internal import CICal

/// Reads iCalendar text (RFC 5545) into ``CalendarObject`` values through libical, refusing what a
/// meeting system must not guess about.
public enum CalendarParser {
    /// Validates: not iCalendar, X-LIC-ERROR, an unknown TZID with no VTIMEZONE (not silently floating),
    /// DTEND before DTSTART, an RRULE RecurrenceRule refuses, too big. `source` names the file in errors.
    ///
    /// Several VCALENDARs in one text are read as one object (the first METHOD wins).
    public static func parse(_ text: String, source: String, limits: CalendarLimits = .standard) throws(CalendarError) -> CalendarObject {
        do {
            return try Reader(text: text, limits: limits).read()
        } catch {
            throw error.located(source: source)
        }
    }
}

/// One parse: the text, its libical tree, and the time zones met so far.
private struct Reader {
    let text: String
    let limits: CalendarLimits

    /// What a TZID stands for in one VCALENDAR.
    enum ZoneChoice {
        case zone(CalendarZone)
        /// A VTIMEZONE with no Olson name: times in it become instants through libical.
        case defined(OpaquePointer)
    }

    func read() throws(CalendarError) -> CalendarObject {
        let size = text.utf8.count
        guard size <= limits.maxBytes else {
            throw CalendarError(.tooBig, "the file is \(megabytes(size)), more than the \(megabytes(limits.maxBytes)) allowed; split it into smaller files")
        }
        guard text.utf8.starts(with: "BEGIN:VCALENDAR".utf8) || text.range(of: "BEGIN:VCALENDAR", options: .caseInsensitive) != nil else {
            if let component = firstComponentName() {
                throw CalendarError(.notICalendar, "a bare \(component) with no VCALENDAR around it, not a calendar file; export the whole calendar as .ics")
            }
            throw CalendarError(.notICalendar, "not an iCalendar file: it has no BEGIN:VCALENDAR line; export the calendar again as .ics")
        }
        if let nul = firstNUL() {
            let line = text.utf8.prefix(nul).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            throw CalendarError(.notICalendar, "a NUL byte in the text: not a text calendar file; export the calendar again as .ics", line: line)
        }
        let (lastLine, lastNumber) = lastNonBlankLine()
        guard lastLine.uppercased() == "END:VCALENDAR" else {
            throw CalendarError(.truncated, "the file ends before END:VCALENDAR (the last line is '\(CalendarError.quote(lastLine, limit: 40))'): it was cut short; get the whole file again", line: lastNumber())
        }

        LibICal.prepare()
        CICal_clear_errno()
        guard let root = icalparser_parse_string(text) else {
            let detail = LibICal.lastError().map { " (libical: \($0))" } ?? ""
            CICal_clear_errno()
            throw CalendarError(.notICalendar, "libical cannot read this as iCalendar\(detail); check that it is a whole .ics file")
        }
        CICal_clear_errno()
        let tree = ICalTree(root)
        let calendars: [OpaquePointer]
        switch icalcomponent_isa(root) {
        case ICAL_VCALENDAR_COMPONENT: calendars = [root]
        case ICAL_XROOT_COMPONENT: calendars = ICalTree.children(of: root, ICAL_VCALENDAR_COMPONENT)
        default: calendars = []
        }
        guard !calendars.isEmpty else {
            let kind = icalcomponent_kind_to_string(icalcomponent_isa(root)).map { String(cString: $0) } ?? "unknown"
            throw CalendarError(.notICalendar, "the file's top component is \(kind), not VCALENDAR; export the calendar again as .ics")
        }
        if icalcomponent_count_errors(root) > 0 {
            throw firstLibicalError(tree.root)
        }

        var method: ITIPMethod?
        var events: [CalendarEvent] = []
        for calendar in calendars {
            if method == nil, let property = icalcomponent_get_first_property(calendar, ICAL_METHOD_PROPERTY) {
                method = LibICal.take(icalproperty_get_value_as_string_r(property)).flatMap { ITIPMethod(rawValue: $0.uppercased()) }
            }
            var zones: [String: ZoneChoice] = [:]
            for component in ICalTree.children(of: calendar, ICAL_VEVENT_COMPONENT) {
                guard events.count < limits.maxEvents else {
                    throw CalendarError(.tooBig, "more than \(limits.maxEvents) events in one file; split it into smaller files")
                }
                events.append(try event(component, calendar: calendar, method: method, zones: &zones))
            }
        }
        withExtendedLifetime(tree) {}
        return CalendarObject(method: method, events: events)
    }

    func event(_ component: OpaquePointer, calendar: OpaquePointer, method: ITIPMethod?, zones: inout [String: ZoneChoice]) throws(CalendarError) -> CalendarEvent {
        var uid: String?
        var start: EventTime?, end: EventTime?, recurrenceID: EventTime?, stamp: Date?
        var event = CalendarEvent(uid: "", start: .floating(LocalDateTime(year: 1970, month: 1, day: 1)))
        var rules: [(text: String, property: OpaquePointer)] = []
        for property in ICalTree.properties(of: component, ICAL_ANY_PROPERTY) {
            switch icalproperty_isa(property) {
            case ICAL_UID_PROPERTY:
                uid = string(icalproperty_get_uid(property))
            case ICAL_DTSTART_PROPERTY:
                start = try time(icalproperty_get_dtstart(property), property, "DTSTART", uid: uid, calendar: calendar, zones: &zones)
            case ICAL_DTEND_PROPERTY:
                end = try time(icalproperty_get_dtend(property), property, "DTEND", uid: uid, calendar: calendar, zones: &zones)
            case ICAL_RECURRENCEID_PROPERTY:
                recurrenceID = try time(icalproperty_get_recurrenceid(property), property, "RECURRENCE-ID", uid: uid, calendar: calendar, zones: &zones)
            case ICAL_RDATE_PROPERTY:
                event.additionalDateCount += 1
            case ICAL_EXDATE_PROPERTY:
                event.exceptionDates.append(try time(icalproperty_get_exdate(property), property, "EXDATE", uid: uid, calendar: calendar, zones: &zones))
            case ICAL_DTSTAMP_PROPERTY:
                let value = icalproperty_get_dtstamp(property)
                stamp = CalendarZone.utc.date(of: LocalDateTime(year: Int(value.year), month: Int(value.month), day: Int(value.day),
                                                               hour: Int(value.hour), minute: Int(value.minute), second: Int(value.second)))
            case ICAL_DURATION_PROPERTY:
                event.duration = Int(icaldurationtype_as_int(icalproperty_get_duration(property)))
            case ICAL_SEQUENCE_PROPERTY:
                event.sequence = Int(icalproperty_get_sequence(property))
            case ICAL_SUMMARY_PROPERTY:
                event.summary = string(icalproperty_get_summary(property))
            case ICAL_DESCRIPTION_PROPERTY:
                event.description = string(icalproperty_get_description(property))
            case ICAL_LOCATION_PROPERTY:
                event.location = string(icalproperty_get_location(property))
            case ICAL_URL_PROPERTY:
                event.url = string(icalproperty_get_url(property))
            case ICAL_CONFERENCE_PROPERTY:
                if event.conference == nil { event.conference = string(icalproperty_get_conference(property)) }
            case ICAL_STATUS_PROPERTY:
                event.status = string(icalproperty_status_to_string(icalproperty_get_status(property)))
            case ICAL_ORGANIZER_PROPERTY:
                if let address = string(icalproperty_get_organizer(property)) {
                    let parameters = ICalTree.parameters(property)
                    event.organizer = CalendarOrganizer(address: address, name: parameters[ICAL_CN_PARAMETER],
                                                        sentBy: parameters[ICAL_SENTBY_PARAMETER])
                }
            case ICAL_ATTENDEE_PROPERTY:
                if let address = string(icalproperty_get_attendee(property)) {
                    event.attendees.append(attendee(address, property))
                }
            case ICAL_RRULE_PROPERTY:
                if let text = LibICal.take(icalproperty_get_value_as_string_r(property)) { rules.append((text, property)) }
            case ICAL_X_PROPERTY:
                if let name = string(icalproperty_get_x_name(property)), name.uppercased() == "X-MICROSOFT-CDO-APPT-SEQUENCE",
                    let value = string(icalproperty_get_x(property)).flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                    event.microsoftSequence = value
                }
            default:
                break
            }
        }
        guard let uid, !uid.isEmpty else {
            let summary = event.summary.map { " ('\(CalendarError.quote($0, limit: 40))')" } ?? ""
            throw CalendarError(.malformed, "an event\(summary) has no UID; every event needs one (RFC 5545): export the calendar again",
                                line: event.summary.flatMap { line(containing: $0) })
        }
        event.uid = uid
        event.stamp = stamp
        event.recurrenceID = recurrenceID
        if let start {
            event.start = start
        } else if let method, [.reply, .cancel, .refresh, .declineCounter].contains(method) {
            event.start = recurrenceID ?? stamp.map(EventTime.utc) ?? .utc(Date(timeIntervalSince1970: 0))
            event.startGiven = false
        } else {
            throw CalendarError(.malformed, "event '\(CalendarError.quote(uid))' has no DTSTART; an event needs its start time", line: line(containing: uid))
        }
        event.end = end
        if let rule = rules.first {
            do {
                event.recurrenceRule = try RecurrenceRule(rule.text).text
            } catch {
                throw CalendarError(.badRecurrence, "event '\(CalendarError.quote(uid))': \(error.message)", line: line(containing: "RRULE:" + rule.text))
            }
        }
        if let end, start != nil, end.instant(floatingIn: .utc) < event.start.instant(floatingIn: .utc) {
            throw CalendarError(.badTime, "event '\(CalendarError.quote(uid))' ends (DTEND \(end)) before it starts (DTSTART \(event.start)); correct DTEND or DTSTART",
                                line: line(containing: uid))
        }
        if let duration = event.duration, duration < 0 {
            throw CalendarError(.badTime, "event '\(CalendarError.quote(uid))' has a negative DURATION; give its length as a positive duration such as PT1H",
                                line: line(containing: uid))
        }
        return event
    }

    func attendee(_ address: String, _ property: OpaquePointer) -> CalendarAttendee {
        let parameters = ICalTree.parameters(property)
        var attendee = CalendarAttendee(address: address, name: parameters[ICAL_CN_PARAMETER])
        if let role = parameters[ICAL_ROLE_PARAMETER] { attendee.role = role.uppercased() }
        if let status = parameters[ICAL_PARTSTAT_PARAMETER] { attendee.status = ParticipationStatus(rawValue: status.uppercased()) ?? .needsAction }
        if let rsvp = parameters[ICAL_RSVP_PARAMETER] { attendee.rsvp = rsvp.uppercased() == "TRUE" }
        if let kind = parameters[ICAL_CUTYPE_PARAMETER] { attendee.kind = kind.uppercased() }
        return attendee
    }

    /// A DATE or DATE-TIME value with its TZID read: never silently floating when the TZID is unknown.
    func time(_ value: icaltimetype, _ property: OpaquePointer, _ name: String, uid: String?, calendar: OpaquePointer,
              zones: inout [String: ZoneChoice]) throws(CalendarError) -> EventTime {
        let local = LocalDateTime(year: Int(value.year), month: Int(value.month), day: Int(value.day),
                                  hour: Int(value.hour), minute: Int(value.minute), second: Int(value.second))
        var owner: String { uid.map { " of event '\(CalendarError.quote($0))'" } ?? "" }
        guard local.isValid else {
            throw CalendarError(.badTime, "\(name)\(owner) is not a real date and time (\(local)); correct it", line: line(containing: name))
        }
        if value.is_date != 0 { return .date(year: local.year, month: local.month, day: local.day) }
        if CICal_time_is_utc(value) != 0 { return .utc(CalendarZone.utc.date(of: local)) }
        guard let parameter = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER),
            let tzid = string(icalparameter_get_tzid(parameter))
        else { return .floating(local) }
        let choice: ZoneChoice
        if let known = zones[tzid] {
            choice = known
        } else if let zone = CalendarZone.resolve(tzid) {
            choice = .zone(zone)
        } else if let defined = icalcomponent_get_timezone(calendar, tzid) {
            choice = .defined(defined)
        } else {
            throw CalendarError(.unknownTimeZone, "\(name)\(owner) uses time zone '\(CalendarError.quote(tzid))', which is not an IANA name and has no VTIMEZONE in the file; add its VTIMEZONE or use an IANA name such as Asia/Ho_Chi_Minh",
                                line: line(containing: tzid))
        }
        zones[tzid] = choice
        switch choice {
        case let .zone(zone):
            return .zoned(local, zone)
        case let .defined(zone):
            let floating = CICal_time(value.year, value.month, value.day, value.hour, value.minute, value.second, 0)
            return .utc(Date(timeIntervalSince1970: TimeInterval(icaltime_as_timet_with_zone(floating, zone))))
        }
    }

    /// The first X-LIC-ERROR libical left in the tree, as an error on its line where it can be found.
    func firstLibicalError(_ root: OpaquePointer) -> CalendarError {
        var pending = [root]
        while let component = pending.popLast() {
            if let property = icalcomponent_get_first_property(component, ICAL_XLICERROR_PROPERTY) {
                let detail = string(icalproperty_get_xlicerror(property)) ?? "a property libical cannot read"
                // libical ends its messages with the offending text: "...: 2026garbage".
                let quoted = detail.components(separatedBy: ": ").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                return CalendarError(.malformed, "libical cannot read a property: \(CalendarError.quote(detail, limit: 120)); correct or remove that line",
                                     line: quoted.isEmpty ? nil : line(containing: quoted))
            }
            pending.append(contentsOf: ICalTree.children(of: component, ICAL_ANY_COMPONENT).reversed())
        }
        return CalendarError(.malformed, "libical found properties it cannot read; check the file with a calendar validator")
    }

    func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / Double(1 << 20))
    }

    /// The last line with something on it, and its 1-based number (counted only when asked: a scan).
    func lastNonBlankLine() -> (String, () -> Int) {
        let bytes = text.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[bytes.index(before: end)]) {
            end = bytes.index(before: end)
        }
        var start = end
        while start > bytes.startIndex, ![0x0A, 0x0D].contains(bytes[bytes.index(before: start)]) {
            start = bytes.index(before: start)
        }
        let last = String(text[start..<end]).trimmingCharacters(in: .whitespaces)
        return (last, { bytes[..<start].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 } })
    }

    /// The offset of the first NUL byte (libical would stop reading there), by memchr.
    func firstNUL() -> Int? {
        var copy = text
        return copy.withUTF8 { buffer -> Int? in
            guard let base = buffer.baseAddress, let found = memchr(base, 0, buffer.count) else { return nil }
            return UnsafeRawPointer(found) - UnsafeRawPointer(base)
        }
    }

    /// The component a text without VCALENDAR starts with ("VEVENT"), from its first 200 lines.
    func firstComponentName() -> String? {
        for line in text.split(whereSeparator: \.isNewline).prefix(200) {
            let upper = line.uppercased()
            if upper.hasPrefix("BEGIN:") {
                let name = upper.dropFirst(6).trimmingCharacters(in: .whitespaces)
                return name.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || $0 == "-" }) && !name.isEmpty && name.count <= 30 ? name : nil
            }
        }
        return nil
    }

    /// The 1-based line where `needle` first appears (for errors only: a scan of the text).
    func line(containing needle: String) -> Int? {
        guard !needle.isEmpty, let range = text.range(of: needle) else { return nil }
        return text[..<range.lowerBound].utf8.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }
}
