import Foundation
import GRDB
public import ICalendar
import Messaging
import Outbox
import SwitchboardCore

/// Builds a meeting's iMIP messages (RFC 6047) and queues them in the outbox, inside the
/// change's transaction: one message per recipient, in their language, each carrying the same
/// calendar object built by libical.
///
/// The message is multipart/alternative (text, HTML, then `text/calendar; method=...` with the
/// same method as the calendar's METHOD), plus an `invite.ics` copy in multipart/mixed for
/// clients that only show attachments. From is the organizer; every recipient is in To.
struct InviteComposer {
    /// What is being said.
    enum Kind: String {
        /// A new meeting, or a new attendee's first invite.
        case request = "invite"
        /// A change to a meeting (SEQUENCE raised).
        case update = "update"
        /// The meeting, or one occurrence, is off.
        case cancel = "cancel"

        var method: ITIPMethod { self == .cancel ? .cancel : .request }
        var outboxKind: String { "meeting-\(rawValue)" }
    }

    let scheduler: Scheduler

    /// The PRODID of every calendar object this suite writes.
    static let productID = "-//Switchboard//meetctl//EN"

    /// Queues `kind` for each of `recipients` (the organizer gets a copy when listed); returns the
    /// outbox rows. `occurrence` (a RECURRENCE-ID) narrows a cancel to one occurrence.
    func queue(_ kind: Kind, meeting: Meeting, attendees: [MeetingAttendee], to recipients: [MeetingAttendee],
               languages: [String: String], occurrence: String? = nil, in db: Database, now: Date) throws -> [Int64] {
        guard !recipients.isEmpty else { return [] }
        let occurrences = try MeetingOccurrence.fetchAll(db, sql: "SELECT * FROM meeting_occurrence WHERE meeting_id = ? ORDER BY start_at",
                                                         arguments: [meeting.id])
        let sentBy = try meeting.sentByLogin.map { login in
            try String.fetchOne(db, sql: """
                SELECT coalesce((SELECT address FROM mailbox WHERE person_id = p.id AND status = 'active' ORDER BY id LIMIT 1), lower(p.email))
                FROM person p WHERE p.login = ?
                """, arguments: [login]) ?? nil
        } ?? nil
        let shared = try Self.calendar(kind, meeting: meeting, attendees: attendees, occurrences: occurrences, occurrence: occurrence,
                                       sentBy: sentBy, roomDomain: scheduler.settings.roomDomain, now: now)
        let sharedText = try CalendarWriter.serialize(shared, productID: Self.productID)
        // With Jitsi tokens, each person's copy carries a join link of their own.
        let tokens = try scheduler.settings.jitsiJWT.map {
            try JitsiTokens.load(appID: $0.appID, audience: $0.audience, secretFile: $0.secretFile)
        }
        let lastEnd = occurrences.map(\.end).max() ?? now
        let templates = try MailTemplates(folder: scheduler.settings.templatesDir)
        guard let organizer = attendees.first(where: { $0.role == "CHAIR" }) else {
            throw SchedulingError(.refused, "meeting \(meeting.id) has no organizer row")
        }
        let zone = try CalendarZone(scheduler.locale.timeZone)
        let first = occurrences.first(where: { $0.status == "confirmed" }) ?? occurrences.first
        var ids: [Int64] = []
        for recipient in recipients {
            var personal = meeting
            var calendar = shared
            var text = sharedText
            if let tokens, !meeting.joinURL.isEmpty, kind != .cancel {
                personal.joinURL = tokens.link(meeting.joinURL, name: recipient.name, address: recipient.address,
                                               moderator: recipient.role == "CHAIR", issued: now, expires: lastEnd.addingTimeInterval(86_400))
                calendar = try Self.calendar(kind, meeting: personal, attendees: attendees, occurrences: occurrences, occurrence: occurrence,
                                             sentBy: sentBy, roomDomain: scheduler.settings.roomDomain, now: now)
                text = try CalendarWriter.serialize(calendar, productID: Self.productID)
            }
            let language = languages[recipient.address] ?? scheduler.locale.language
            let values = Self.values(meeting: personal, attendees: attendees, organizer: organizer, first: first, occurrence: occurrence,
                                     zone: zone, language: language)
            let rendered = try templates.render(kind.rawValue, language: language, context: values)
            let from = try Mailbox(displayName: organizer.name, address: organizer.address, role: "organizer")
            let to = try Mailbox(displayName: recipient.name.isEmpty ? nil : recipient.name, address: recipient.address, role: "attendee")
            var message = MailMessage(from: from, to: [to], content: rendered, date: now, timeZone: TimeZone(identifier: zone.identifier) ?? .current)
            message.messageID = MailMessage.makeMessageID(domain: scheduler.settings.roomDomain)
            let method = calendar.method?.rawValue ?? "REQUEST"
            message.alternativeParts = [MIMEPart(contentType: "text/calendar; charset=UTF-8; method=\(method)", text: text,
                                                 transferEncoding: .base64)]
            message.attachments = [MIMEPart(contentType: "application/ics; name=\"invite.ics\"", data: Data(text.utf8),
                                            disposition: .attachment(filename: "invite.ics"))]
            let outgoing = OutboxMessage(kind: kind.outboxKind, target: Scheduler.target(meeting.uid), sender: organizer.address,
                                         recipients: [recipient.address], message: try message.render(), messageID: message.messageID)
            ids.append(try Outbox.enqueue(outgoing, in: db, session: scheduler.session, at: now))
        }
        return ids
    }

    /// The calendar object of a meeting: the series (or single) event with its EXDATEs, and an
    /// overriding event per moved occurrence; for a cancel of one occurrence, that occurrence alone.
    static func calendar(_ kind: Kind, meeting: Meeting, attendees: [MeetingAttendee], occurrences: [MeetingOccurrence],
                         occurrence: String?, sentBy: String?, roomDomain: String, now: Date) throws -> CalendarObject {
        let zone = try CalendarZone(meeting.timeZone)
        guard let start = LocalDateTime(iso: meeting.startLocal) else {
            throw SchedulingError(.refused, "meeting \(meeting.id) has a malformed start \(meeting.startLocal)")
        }
        var base = CalendarEvent(uid: meeting.uid, start: .zoned(start, zone))
        base.sequence = meeting.sequence
        base.stamp = now
        base.end = .zoned(zone.local(of: zone.date(of: start).addingTimeInterval(TimeInterval(meeting.durationSeconds))), zone)
        base.summary = meeting.title
        var description = meeting.agenda
        if !meeting.joinURL.isEmpty {
            description += (description.isEmpty ? "" : "\n\n") + "Join / Tham gia: \(meeting.joinURL)"
            base.url = meeting.joinURL
            base.conference = meeting.joinURL
        }
        base.description = description.isEmpty ? nil : description
        base.location = location(meeting)
        guard let organizer = attendees.first(where: { $0.role == "CHAIR" }) else {
            throw SchedulingError(.refused, "meeting \(meeting.id) has no organizer row")
        }
        base.organizer = CalendarOrganizer(address: organizer.address, name: organizer.name, sentBy: sentBy)
        base.attendees = attendees.map { row in
            var attendee = CalendarAttendee(address: row.address, name: row.name.isEmpty ? nil : row.name)
            attendee.role = row.role
            attendee.status = ParticipationStatus(rawValue: row.partstat) ?? .needsAction
            attendee.rsvp = row.role != "CHAIR"
            return attendee
        }
        if let roomName = meeting.roomName {
            var room = CalendarAttendee(address: "room-\(Scheduler.slug(roomName))@\(roomDomain)", name: roomName)
            room.kind = "ROOM"
            room.role = "NON-PARTICIPANT"
            room.status = .accepted
            base.attendees.append(room)
        }
        base.status = kind == .cancel ? "CANCELLED" : "CONFIRMED"
        if meeting.isRecurring { base.recurrenceRule = meeting.rrule }

        func local(_ recurrenceID: String) -> EventTime? {
            guard let instant = parseRecurrenceID(recurrenceID) else { return nil }
            return .zoned(zone.local(of: instant), zone)
        }
        if let occurrence, meeting.isRecurring {
            // A cancel of one occurrence: that occurrence alone, named by its RECURRENCE-ID.
            guard let recurrenceID = local(occurrence), let row = occurrences.first(where: { $0.recurrenceID == occurrence }) else {
                throw SchedulingError(.notFound, "meeting \(meeting.id) has no occurrence \(occurrence)")
            }
            var single = base
            single.recurrenceRule = nil
            single.recurrenceID = recurrenceID
            single.start = .zoned(zone.local(of: row.start), zone)
            single.end = .zoned(zone.local(of: row.end), zone)
            return CalendarObject(method: .cancel, events: [single])
        }
        var events: [CalendarEvent] = []
        if meeting.isRecurring {
            base.exceptionDates = occurrences.filter { $0.status == "cancelled" }.compactMap { local($0.recurrenceID) }
        }
        events.append(base)
        if meeting.isRecurring, kind != .cancel {
            for moved in occurrences where moved.moved && moved.status == "confirmed" {
                guard let recurrenceID = local(moved.recurrenceID) else { continue }
                var override = base
                override.recurrenceRule = nil
                override.exceptionDates = []
                override.recurrenceID = recurrenceID
                override.start = .zoned(zone.local(of: moved.start), zone)
                override.end = .zoned(zone.local(of: moved.end), zone)
                events.append(override)
            }
        }
        return CalendarObject(method: kind.method, events: events)
    }

    /// Where: the room and its location, else the join link.
    static func location(_ meeting: Meeting) -> String? {
        if let name = meeting.roomName {
            if meeting.roomKind == "virtual", !meeting.joinURL.isEmpty { return "\(name): \(meeting.joinURL)" }
            if let place = meeting.roomLocation, !place.isEmpty { return "\(name), \(place)" }
            return name
        }
        return meeting.joinURL.isEmpty ? nil : meeting.joinURL
    }

    /// `20261208T020000Z` as an instant.
    static func parseRecurrenceID(_ text: String) -> Date? {
        Timestamp.parse(text) ?? {
            let digits = text.filter(\.isNumber)
            guard digits.count == 14, text.hasSuffix("Z") else { return nil }
            let chars = Array(digits)
            func number(_ from: Int, _ count: Int) -> Int { Int(String(chars[from..<from + count])) ?? 0 }
            var parts = tm()
            parts.tm_year = Int32(number(0, 4) - 1900)
            parts.tm_mon = Int32(number(4, 2) - 1)
            parts.tm_mday = Int32(number(6, 2))
            parts.tm_hour = Int32(number(8, 2))
            parts.tm_min = Int32(number(10, 2))
            parts.tm_sec = Int32(number(12, 2))
            return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
        }()
    }

    /// The template values.
    static func values(meeting: Meeting, attendees: [MeetingAttendee], organizer: MeetingAttendee, first: MeetingOccurrence?,
                       occurrence: String?, zone: CalendarZone, language: String) -> [String: Any] {
        var values: [String: Any] = [
            "title": meeting.title, "time_zone": zone.identifier, "organizer_name": organizer.name,
            "organizer_address": organizer.address,
            "attendee_names": attendees.filter { $0.role != "CHAIR" }.map { $0.name.isEmpty ? $0.address : $0.name }.joined(separator: ", "),
        ]
        if let first {
            let from = zone.local(of: first.start), to = zone.local(of: first.end)
            values["when"] = String(format: "%02d:%02d-%02d:%02d %02d/%02d/%04d", from.hour, from.minute, to.hour, to.minute, from.day, from.month, from.year)
        } else {
            values["when"] = meeting.startLocal
        }
        if meeting.isRecurring { values["repeats"] = RecurrenceWords.describe(meeting.rrule, zone: zone, language: language) }
        if let place = location(meeting), meeting.roomName != nil { values["where"] = place }
        if !meeting.joinURL.isEmpty { values["join_url"] = meeting.joinURL }
        if !meeting.agenda.isEmpty { values["agenda"] = meeting.agenda }
        if let occurrence, let instant = parseRecurrenceID(occurrence) {
            let local = zone.local(of: instant)
            values["occurrence"] = String(format: "%02d/%02d/%04d", local.day, local.month, local.year)
        }
        return values
    }
}

/// An RRULE in words, for invites and `meetctl show`.
public enum RecurrenceWords {
    /// `weekly on Tue, Thu until 31/03/2027`, or in Vietnamese.
    public static func describe(_ rrule: String, zone: CalendarZone, language: String) -> String {
        var parts: [String: String] = [:]
        for item in rrule.split(separator: ";") {
            let pair = item.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parts[String(pair[0]).uppercased()] = String(pair[1]) }
        }
        let vi = language == "vi"
        let interval = Int(parts["INTERVAL"] ?? "1") ?? 1
        let frequency: String
        switch (parts["FREQ"] ?? "", vi) {
        case ("DAILY", false): frequency = interval > 1 ? "every \(interval) days" : "daily"
        case ("DAILY", true): frequency = interval > 1 ? "mỗi \(interval) ngày" : "hằng ngày"
        case ("WEEKLY", false): frequency = interval > 1 ? "every \(interval) weeks" : "weekly"
        case ("WEEKLY", true): frequency = interval > 1 ? "mỗi \(interval) tuần" : "hằng tuần"
        case ("MONTHLY", false): frequency = interval > 1 ? "every \(interval) months" : "monthly"
        case ("MONTHLY", true): frequency = interval > 1 ? "mỗi \(interval) tháng" : "hằng tháng"
        case ("YEARLY", false): frequency = "yearly"
        case ("YEARLY", true): frequency = "hằng năm"
        default: return rrule
        }
        var text = frequency
        if let days = parts["BYDAY"] {
            let names = vi ? ["MO": "thứ Hai", "TU": "thứ Ba", "WE": "thứ Tư", "TH": "thứ Năm", "FR": "thứ Sáu", "SA": "thứ Bảy", "SU": "Chủ nhật"]
                : ["MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"]
            let list = days.split(separator: ",").map { day -> String in
                let code = String(day.suffix(2))
                let ordinal = String(day.dropLast(2))
                let name = names[code] ?? code
                switch ordinal {
                case "": return name
                case "-1": return vi ? "\(name) cuối" : "last \(name)"
                default: return vi ? "\(name) thứ \(ordinal)" : "\(name) #\(ordinal)"
                }
            }
            text += (vi ? " vào " : " on ") + list.joined(separator: ", ")
        }
        if let day = parts["BYMONTHDAY"] { text += vi ? " ngày \(day)" : " on day \(day)" }
        if let count = parts["COUNT"] { text += vi ? ", \(count) lần" : ", \(count) times" }
        if let until = parts["UNTIL"], let instant = InviteComposer.parseRecurrenceID(until.count == 8 ? until + "T000000Z" : until) {
            let local = zone.local(of: instant)
            text += (vi ? " đến " : " until ") + String(format: "%02d/%02d/%04d", local.day, local.month, local.year)
        }
        return text
    }
}
