public import Foundation

/// When an event starts or ends, in the form the calendar gave it.
public enum EventTime: Hashable, Sendable {
    /// An all-day date (VALUE=DATE).
    case date(year: Int, month: Int, day: Int)
    /// A wall-clock time in a named zone (TZID=...).
    case zoned(LocalDateTime, CalendarZone)
    /// An instant (a time ending in "Z", or one defined by a VTIMEZONE with no Olson name).
    case utc(Date)
    /// A wall-clock time with no zone: the same clock time wherever the reader is.
    case floating(LocalDateTime)

    /// The instant, reading floating times and dates in `zone` (a date is its midnight there).
    public func instant(floatingIn zone: CalendarZone) -> Date {
        switch self {
        case let .date(year, month, day): return zone.date(of: LocalDateTime(year: year, month: month, day: day))
        case let .zoned(local, own): return own.date(of: local)
        case let .utc(date): return date
        case let .floating(local): return zone.date(of: local)
        }
    }
}

extension EventTime: CustomStringConvertible {
    /// "2026-12-08", "2026-12-08T09:00:00 Asia/Ho_Chi_Minh", "2026-12-08T02:00:00Z", "2026-12-08T09:00:00 (floating)".
    public var description: String {
        switch self {
        case let .date(year, month, day): return String(LocalDateTime(year: year, month: month, day: day).description.prefix(10))
        case let .zoned(local, zone): return "\(local) \(zone.identifier)"
        case let .utc(date): return "\(CalendarZone.utc.local(of: date))Z"
        case let .floating(local): return "\(local) (floating)"
        }
    }
}

/// An iTIP method (RFC 5546): what a calendar object asks its reader to do.
public enum ITIPMethod: String, Sendable {
    /// A calendar to show, with nothing to answer.
    case publish = "PUBLISH"
    /// An invitation, or its update: answer with a REPLY.
    case request = "REQUEST"
    /// An attendee's answer.
    case reply = "REPLY"
    /// More occurrences for an existing series.
    case add = "ADD"
    /// A cancelled meeting, or one cancelled occurrence (with RECURRENCE-ID).
    case cancel = "CANCEL"
    /// An attendee asks for the latest version.
    case refresh = "REFRESH"
    /// An attendee proposes a change.
    case counter = "COUNTER"
    /// The organizer turns a proposed change down.
    case declineCounter = "DECLINECOUNTER"
}

/// An attendee's answer (PARTSTAT).
public enum ParticipationStatus: String, Sendable, Codable {
    /// Not answered yet.
    case needsAction = "NEEDS-ACTION"
    /// Coming.
    case accepted = "ACCEPTED"
    /// Not coming.
    case declined = "DECLINED"
    /// Maybe.
    case tentative = "TENTATIVE"
    /// Passed to someone else.
    case delegated = "DELEGATED"
}

/// Reads "mailto:An.Nguyen@Bo.gov.vn" as "an.nguyen@bo.gov.vn" (on the bytes: this runs for every
/// attendee of every event a parser reads).
func calendarAddress(_ value: String) -> String {
    var bytes = Array(value.utf8)
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    var start = 0, end = bytes.count
    while start < end, isSpace(bytes[start]) { start += 1 }
    while end > start, isSpace(bytes[end - 1]) { end -= 1 }
    let scheme = Array("mailto:".utf8)
    if end - start >= scheme.count, zip(bytes[start..<start + scheme.count], scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
        start += scheme.count
        while start < end, isSpace(bytes[start]) { start += 1 }
    }
    var ascii = true
    for index in start..<end {
        let byte = bytes[index]
        if byte >= 0x80 { ascii = false } else if byte >= 0x41, byte <= 0x5A { bytes[index] = byte | 0x20 }
    }
    let text = String(decoding: bytes[start..<end], as: UTF8.self)
    return ascii ? text : text.lowercased()
}

/// Who organizes an event (ORGANIZER), and who sent it for them (SENT-BY).
public struct CalendarOrganizer: Hashable, Sendable {
    /// The address, lower-cased, without "mailto:".
    public var address: String
    /// The display name (CN).
    public var name: String?
    /// The address of whoever acts for the organizer (SENT-BY), lower-cased, without "mailto:".
    public var sentBy: String?

    /// An organizer; the addresses are normalized (lower-cased, "mailto:" removed).
    public init(address: String, name: String? = nil, sentBy: String? = nil) {
        self.address = calendarAddress(address)
        self.name = name
        self.sentBy = sentBy.map(calendarAddress)
    }
}

/// One ATTENDEE of an event: a person, a group, or a room.
public struct CalendarAttendee: Hashable, Sendable {
    /// The address, lower-cased, without "mailto:".
    public var address: String
    /// The display name (CN).
    public var name: String?
    /// ROLE: CHAIR, REQ-PARTICIPANT, OPT-PARTICIPANT or NON-PARTICIPANT.
    public var role: String = "REQ-PARTICIPANT"
    /// PARTSTAT.
    public var status: ParticipationStatus = .needsAction
    /// RSVP=TRUE: an answer is asked for.
    public var rsvp: Bool = false
    /// CUTYPE: INDIVIDUAL, GROUP, RESOURCE or ROOM.
    public var kind: String = "INDIVIDUAL"

    /// An attendee; the address is normalized (lower-cased, "mailto:" removed).
    public init(address: String, name: String? = nil, role: String = "REQ-PARTICIPANT", status: ParticipationStatus = .needsAction,
                rsvp: Bool = false, kind: String = "INDIVIDUAL") {
        self.address = calendarAddress(address)
        self.name = name
        self.role = role
        self.status = status
        self.rsvp = rsvp
        self.kind = kind
    }
}

/// One VEVENT: a single meeting, a series (with ``recurrenceRule``), or one changed occurrence of
/// a series (with ``recurrenceID``).
public struct CalendarEvent: Sendable {
    /// UID: the same for every version and occurrence of a meeting.
    public var uid: String
    /// SEQUENCE: the organizer's revision number.
    public var sequence: Int = 0
    /// DTSTAMP: when this version was made.
    public var stamp: Date?
    /// DTSTART.
    public var start: EventTime
    /// DTEND, or nil.
    public var end: EventTime?
    /// DURATION in seconds, or nil.
    public var duration: Int?
    /// SUMMARY: the title.
    public var summary: String?
    /// DESCRIPTION.
    public var description: String?
    /// LOCATION.
    public var location: String?
    /// URL.
    public var url: String?
    /// CONFERENCE (RFC 7986): the join link.
    public var conference: String?
    /// ORGANIZER.
    public var organizer: CalendarOrganizer?
    /// ATTENDEE, in order.
    public var attendees: [CalendarAttendee] = []
    /// The RRULE value as written, e.g. "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270331T165959Z".
    public var recurrenceRule: String?
    /// EXDATE values.
    public var exceptionDates: [EventTime] = []
    /// How many RDATE properties the event has. Their dates are not read (meetings repeat by
    /// RRULE; Outlook cannot show RDATE either): an importer refuses such an event rather than
    /// lose its extra dates silently.
    public var additionalDateCount = 0
    /// RECURRENCE-ID: which occurrence of the series this VEVENT is.
    public var recurrenceID: EventTime?
    /// STATUS: CONFIRMED, TENTATIVE or CANCELLED.
    public var status: String?
    /// X-MICROSOFT-CDO-APPT-SEQUENCE (Outlook's own sequence).
    public var microsoftSequence: Int?

    /// False when the VEVENT had no DTSTART (allowed in iTIP REPLY, CANCEL, REFRESH and
    /// DECLINECOUNTER): ``start`` is then its RECURRENCE-ID, or its DTSTAMP, and means nothing more.
    public var startGiven = true

    /// The sequence that orders versions: the larger of SEQUENCE and Outlook's own.
    public var effectiveSequence: Int { max(sequence, microsoftSequence ?? 0) }

    /// An event with only its UID and start.
    public init(uid: String, start: EventTime) {
        self.uid = uid
        self.start = start
    }
}

/// A VCALENDAR: its METHOD and its events.
public struct CalendarObject: Sendable {
    /// METHOD, or nil (a plain calendar file).
    public var method: ITIPMethod?
    /// The VEVENTs, in order.
    public var events: [CalendarEvent]

    /// A calendar object.
    public init(method: ITIPMethod?, events: [CalendarEvent]) {
        self.method = method
        self.events = events
    }
}

/// How much a parser accepts before refusing a file.
public struct CalendarLimits: Sendable {
    /// The largest text, in bytes (UTF-8), read at all.
    public var maxBytes = 20 << 20
    /// The most VEVENTs in one object.
    public var maxEvents = 200_000
    /// The defaults: 20 MiB and 200,000 events.
    public static let standard = CalendarLimits()

    /// Limits; the defaults are ``standard``'s.
    public init(maxBytes: Int = 20 << 20, maxEvents: Int = 200_000) {
        self.maxBytes = maxBytes
        self.maxEvents = maxEvents
    }
}
