import Foundation
internal import CICal

/// Writes ``CalendarObject`` values as iCalendar text for real calendar clients (iMIP invites,
/// replies, exports).
public enum CalendarWriter {
    /// Serializes through libical: CRLF, folded at 75 octets never inside a UTF-8 sequence, TEXT escaped,
    /// one VTIMEZONE per zone used with the plain Olson TZID, trimmed to the years the events need
    /// (Asia/Ho_Chi_Minh: one STANDARD block +0700); METHOD and PRODID at the top.
    public static func serialize(_ object: CalendarObject, productID: String) throws(CalendarError) -> String {
        LibICal.prepare()
        CICal_clear_errno()
        guard let root = icalcomponent_new(ICAL_VCALENDAR_COMPONENT) else {
            throw CalendarError(.cannotWrite, "libical could not make a VCALENDAR (out of memory?); try again")
        }
        let tree = ICalTree(root)
        let product = clean(productID, keepNewlines: false)
        guard !product.isEmpty else { throw CalendarError(.cannotWrite, "empty product identifier; give PRODID text such as -//Switchboard//meetctl//EN") }
        if let method = object.method {
            icalcomponent_add_property(root, icalproperty_new_method(icalproperty_string_to_method(method.rawValue)))
        }
        icalcomponent_add_property(root, icalproperty_new_prodid(product))
        icalcomponent_add_property(root, icalproperty_new_version("2.0"))
        icalcomponent_add_property(root, icalproperty_new_calscale("GREGORIAN"))
        try LibICal.check("the calendar header")

        for zone in try zonesUsed(object.events) {
            try addTimeZone(zone.zone, from: zone.from, to: zone.to, to: root)
        }
        for event in object.events {
            try addEvent(event, to: root)
        }
        guard let text = LibICal.take(icalcomponent_as_ical_string_r(tree.root)) else {
            throw CalendarError(.cannotWrite, "libical could not write the calendar out; check the events' values")
        }
        return refold(text)
    }

    // MARK: Events

    static func addEvent(_ event: CalendarEvent, to root: OpaquePointer) throws(CalendarError) {
        let uid = clean(event.uid, keepNewlines: false).trimmingCharacters(in: .whitespaces)
        guard !uid.isEmpty else { throw CalendarError(.cannotWrite, "an event has an empty UID; every event needs a stable UID") }
        let what = "event '\(CalendarError.quote(uid))'"
        guard let component = icalcomponent_new(ICAL_VEVENT_COMPONENT) else {
            throw CalendarError(.cannotWrite, "libical could not make a VEVENT for \(what); try again")
        }
        icalcomponent_add_component(root, component)
        func add(_ property: OpaquePointer?, _ name: String) throws(CalendarError) {
            guard let property else { throw CalendarError(.cannotWrite, "libical refused the \(name) of \(what); check that value") }
            icalcomponent_add_property(component, property)
            try LibICal.check("the \(name) of \(what)")
        }
        try add(icalproperty_new_uid(uid), "UID")
        try add(icalproperty_new_dtstamp(utcTime(event.stamp ?? Date())), "DTSTAMP")
        try add(icalproperty_new_sequence(Int32(clamping: event.sequence)), "SEQUENCE")
        try add(timeProperty(event.start, what: "DTSTART of \(what)", make: icalproperty_new_dtstart), "DTSTART")
        if let end = event.end {
            guard end.instant(floatingIn: .utc) >= event.start.instant(floatingIn: .utc) else {
                throw CalendarError(.badTime, "\(what) ends (\(end)) before it starts (\(event.start)); correct the end")
            }
            try add(timeProperty(end, what: "DTEND of \(what)", make: icalproperty_new_dtend), "DTEND")
        } else if let duration = event.duration {
            guard duration >= 0 else { throw CalendarError(.badTime, "\(what) has a negative duration; give its length in seconds") }
            try add(icalproperty_new_duration(icaldurationtype_from_int(Int32(clamping: duration))), "DURATION")
        }
        if let text = event.recurrenceRule {
            let rule: icalrecurrencetype
            do {
                rule = try RecurrenceRule.parse(RecurrenceRule(text).text)
            } catch {
                throw CalendarError(.badRecurrence, "\(what): \(error.message)")
            }
            try add(icalproperty_new_rrule(rule), "RRULE")
        }
        for exception in event.exceptionDates {
            try add(timeProperty(exception, what: "EXDATE of \(what)", make: icalproperty_new_exdate), "EXDATE")
        }
        if let recurrenceID = event.recurrenceID {
            try add(timeProperty(recurrenceID, what: "RECURRENCE-ID of \(what)", make: icalproperty_new_recurrenceid), "RECURRENCE-ID")
        }
        if let summary = event.summary { try add(icalproperty_new_summary(clean(summary)), "SUMMARY") }
        if let description = event.description { try add(icalproperty_new_description(clean(description)), "DESCRIPTION") }
        if let location = event.location { try add(icalproperty_new_location(clean(location)), "LOCATION") }
        if let url = event.url { try add(icalproperty_new_url(clean(url, keepNewlines: false)), "URL") }
        if let conference = event.conference { try add(icalproperty_new_conference(clean(conference, keepNewlines: false)), "CONFERENCE") }
        if let organizer = event.organizer {
            let property = try addressProperty(organizer.address, what: "ORGANIZER of \(what)", make: { icalproperty_new_organizer($0) })
            if let name = organizer.name { try setParameter(property, "CN", clean(name, keepNewlines: false), what: what) }
            if let sentBy = organizer.sentBy { try setParameter(property, "SENT-BY", "mailto:" + clean(sentBy, keepNewlines: false), what: what) }
            try add(property, "ORGANIZER")
        }
        for attendee in event.attendees {
            let property = try addressProperty(attendee.address, what: "ATTENDEE of \(what)", make: { icalproperty_new_attendee($0) })
            if attendee.kind.uppercased() != "INDIVIDUAL" { try setParameter(property, "CUTYPE", try token(attendee.kind, what: what), what: what) }
            try setParameter(property, "ROLE", try token(attendee.role, what: what), what: what)
            try setParameter(property, "PARTSTAT", attendee.status.rawValue, what: what)
            if attendee.rsvp { try setParameter(property, "RSVP", "TRUE", what: what) }
            if let name = attendee.name { try setParameter(property, "CN", clean(name, keepNewlines: false), what: what) }
            try add(property, "ATTENDEE")
        }
        if let status = event.status {
            let value = icalproperty_string_to_status(status.uppercased())
            guard value != ICAL_STATUS_X, value != ICAL_STATUS_NONE else {
                throw CalendarError(.cannotWrite, "\(what) has STATUS '\(CalendarError.quote(status))'; use CONFIRMED, TENTATIVE or CANCELLED")
            }
            try add(icalproperty_new_status(value), "STATUS")
        }
        if let sequence = event.microsoftSequence {
            let property = icalproperty_new_x(String(sequence))
            icalproperty_set_x_name(property, "X-MICROSOFT-CDO-APPT-SEQUENCE")
            try add(property, "X-MICROSOFT-CDO-APPT-SEQUENCE")
        }
    }

    static func timeProperty(_ time: EventTime, what: String, make: (icaltimetype) -> OpaquePointer?) throws(CalendarError) -> OpaquePointer? {
        switch time {
        case let .date(year, month, day):
            let local = LocalDateTime(year: year, month: month, day: day)
            guard local.isValid else { throw CalendarError(.badTime, "\(what) is not a real date (\(time))") }
            return make(CICal_time(Int32(year), Int32(month), Int32(day), 0, 0, 0, 1))
        case let .utc(date):
            return make(utcTime(date))
        case let .floating(local):
            guard local.isValid else { throw CalendarError(.badTime, "\(what) is not a real date and time (\(local))") }
            return make(localTime(local))
        case let .zoned(local, zone):
            guard local.isValid else { throw CalendarError(.badTime, "\(what) is not a real date and time (\(local))") }
            if zone == .utc { return make(utcTime(zone.date(of: local))) }
            let property = make(localTime(local))
            if let property { icalproperty_add_parameter(property, icalparameter_new_tzid(zone.identifier)) }
            return property
        }
    }

    static func addressProperty(_ address: String, what: String, make: (String) -> OpaquePointer?) throws(CalendarError) -> OpaquePointer {
        let plain = calendarAddress(address)
        guard !plain.isEmpty, plain.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !"\"<>;,".unicodeScalars.contains($0) }),
            let property = make("mailto:" + plain)
        else {
            throw CalendarError(.cannotWrite, "\(what) has the address '\(CalendarError.quote(address))', which is not an e-mail address; correct it")
        }
        return property
    }

    static func setParameter(_ property: OpaquePointer, _ name: String, _ value: String, what: String) throws(CalendarError) {
        icalproperty_set_parameter_from_string(property, name, value)
        try LibICal.check("the \(name) parameter of \(what)")
    }

    /// ROLE and CUTYPE values: a word of letters and hyphens (REQ-PARTICIPANT, X-...).
    static func token(_ value: String, what: String) throws(CalendarError) -> String {
        let upper = value.uppercased()
        guard !upper.isEmpty, upper.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || $0 == "-" }) else {
            throw CalendarError(.cannotWrite, "\(what) has an attendee value '\(CalendarError.quote(value))' that is not an iCalendar word such as REQ-PARTICIPANT or ROOM")
        }
        return upper
    }

    static func utcTime(_ date: Date) -> icaltimetype {
        let local = CalendarZone.utc.local(of: date)
        return CICal_utc_time(Int32(local.year), Int32(local.month), Int32(local.day), Int32(local.hour), Int32(local.minute), Int32(local.second))
    }

    static func localTime(_ local: LocalDateTime) -> icaltimetype {
        CICal_time(Int32(local.year), Int32(local.month), Int32(local.day), Int32(local.hour), Int32(local.minute), Int32(local.second), 0)
    }

    /// Text for libical: line breaks as "\n" (written escaped, never a new property line), other
    /// control characters as spaces.
    static func clean(_ text: String, keepNewlines: Bool = true) -> String {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return String(String.UnicodeScalarView(unified.unicodeScalars.map { scalar in
            if scalar == "\n" { return keepNewlines ? scalar : " " }
            if scalar == "\t" { return scalar }
            return scalar.properties.generalCategory == .control ? " " : scalar
        }))
    }

    // MARK: Time zones

    /// Each zone the events use, with the span of time (UTC) they need it for; `to` nil: open-ended.
    static func zonesUsed(_ events: [CalendarEvent]) throws(CalendarError) -> [(zone: CalendarZone, from: Date, to: Date?)] {
        var spans: [CalendarZone: (from: Date, to: Date?)] = [:]
        var order: [CalendarZone] = []
        func note(_ time: EventTime?, until: Date?, openEnded: Bool) {
            guard case let .zoned(local, zone)? = time, zone != .utc else { return }
            let instant = zone.date(of: local)
            let last = openEnded ? nil : max(until ?? instant, instant)
            if let known = spans[zone] {
                let to: Date? = known.to.flatMap { current in last.map { max(current, $0) } }
                spans[zone] = (min(known.from, instant), to)
            } else {
                order.append(zone)
                spans[zone] = (instant, last)
            }
        }
        for event in events {
            var seriesEnd: Date?
            var openEnded = false
            if let text = event.recurrenceRule, case let .zoned(local, zone) = event.start {
                let rule: RecurrenceRule
                do { rule = try RecurrenceRule(text) } catch { throw CalendarError(.badRecurrence, "event '\(CalendarError.quote(event.uid))': \(error.message)") }
                if rule.isBounded {
                    let starts = try RecurrenceExpander.occurrences(start: local, zone: zone, rule: rule, exceptions: [],
                                                                    from: zone.date(of: local), to: Date.distantFuture, limit: 100_000)
                    seriesEnd = starts.last.map { $0.addingTimeInterval(TimeInterval(event.duration ?? 0) + 86_400) }
                    openEnded = starts.count >= 100_000
                } else {
                    openEnded = true
                }
            }
            note(event.start, until: seriesEnd, openEnded: openEnded)
            note(event.end, until: seriesEnd, openEnded: openEnded)
            note(event.recurrenceID, until: nil, openEnded: false)
            for exception in event.exceptionDates { note(exception, until: nil, openEnded: false) }
        }
        return order.compactMap { zone in spans[zone].map { (zone, $0.from, $0.to) } }
    }

    /// The zone's VTIMEZONE from libical's tzdata, trimmed to [from, to] (Outlook's one-yearly-rule
    /// form), under the plain Olson TZID.
    static func addTimeZone(_ zone: CalendarZone, from: Date, to: Date?, to root: OpaquePointer) throws(CalendarError) {
        guard let builtin = icaltimezone_get_builtin_timezone(zone.identifier), let source = icaltimezone_get_component(builtin),
            let component = icalcomponent_new_clone(source)
        else {
            CICal_clear_errno()
            throw CalendarError(.cannotWrite, "libical has no time zone data for '\(zone.identifier)'; check that the tzdata package is installed")
        }
        icalcomponent_add_component(root, component)
        let start = utcTime(from.addingTimeInterval(-86_400))
        icaltimezone_truncate_vtimezone(component, start, to.map(utcTime) ?? icaltime_null_time(), 1)
        for property in ICalTree.properties(of: component, ICAL_TZID_PROPERTY) { icalproperty_set_tzid(property, zone.identifier) }
        for property in ICalTree.properties(of: component, ICAL_X_PROPERTY) { icalcomponent_remove_property(component, property); icalproperty_free(property) }
        // Left open-ended, libical's tzdata reader ends a zone without DST with a marker at the end of
        // 32-bit time (20380119T031407 UTC): a block that changes nothing, dropped.
        let blocks = ICalTree.children(of: component, ICAL_XSTANDARD_COMPONENT) + ICalTree.children(of: component, ICAL_XDAYLIGHT_COMPONENT)
        if blocks.count > 1 {
            for block in blocks where isEmptyMarker(block) {
                icalcomponent_remove_component(component, block)
                icalcomponent_free(block)
            }
        }
        try LibICal.check("the time zone \(zone.identifier)")
    }

    static func isEmptyMarker(_ block: OpaquePointer) -> Bool {
        guard icalcomponent_get_first_property(block, ICAL_RRULE_PROPERTY) == nil,
            let start = icalcomponent_get_first_property(block, ICAL_DTSTART_PROPERTY),
            let offsetFrom = icalcomponent_get_first_property(block, ICAL_TZOFFSETFROM_PROPERTY),
            let offsetTo = icalcomponent_get_first_property(block, ICAL_TZOFFSETTO_PROPERTY)
        else { return false }
        return icalproperty_get_dtstart(start).year >= 2037 && icalproperty_get_tzoffsetfrom(offsetFrom) == icalproperty_get_tzoffsetto(offsetTo)
    }

    // MARK: Lines

    /// libical's text with its own folding undone and done again: CRLF endings, at most 75 octets a
    /// line, never inside a UTF-8 sequence, no trailing blank line.
    static func refold(_ text: String) -> String {
        var logical: [[UInt8]] = []
        var current: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                var next = index + 1
                if byte == 0x0D, next < bytes.count, bytes[next] == 0x0A { next += 1 }
                if next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 {
                    index = next + 1  // a continuation: the line goes on
                    continue
                }
                if !current.isEmpty { logical.append(current) }
                current = []
                index = next
                continue
            }
            current.append(byte)
            index += 1
        }
        if !current.isEmpty { logical.append(current) }

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 20)
        for line in logical {
            var start = 0
            var limit = 75
            while line.count - start > limit {
                var cut = start + limit
                while cut > start, line[cut] & 0xC0 == 0x80 { cut -= 1 }  // not inside a UTF-8 sequence
                output.append(contentsOf: line[start..<cut])
                output.append(contentsOf: [0x0D, 0x0A, 0x20])
                start = cut
                limit = 74  // the leading space counts
            }
            output.append(contentsOf: line[start...])
            output.append(contentsOf: [0x0D, 0x0A])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
