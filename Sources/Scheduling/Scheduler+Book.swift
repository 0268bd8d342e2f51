import Foundation
import GRDB
public import ICalendar
import Outbox
import SwitchboardBase
import SwitchboardCore

/// What `meetctl book` asks for.
public struct BookingRequest: Sendable {
    /// The title (SUMMARY): one line.
    public var title: String
    /// The agenda (DESCRIPTION): may span lines.
    public var agenda: String = ""
    /// The first start, wall clock in ``zone``.
    public var start: LocalDateTime
    /// The zone the series is defined in.
    public var zone: CalendarZone
    /// Length of each occurrence.
    public var durationSeconds: Int
    /// The recurrence, or nil for a single meeting.
    public var rule: RecurrenceRule?
    /// `--with` values: logins, addresses, `group:NAME`, `unit:CODE`.
    public var attendees: [String] = []
    /// The room's name, or nil.
    public var room: String?
    /// A videoconference of its own (a join link) when no virtual room is named.
    public var virtual = false
    /// The organizer's login when booking for someone else (helpdesk), or nil for the actor.
    public var organizer: String?
    /// Book even when attendees are busy (never when the room is taken).
    public var allowConflicts = false
    /// Check everything and store nothing.
    public var dryRun = false

    /// A request.
    public init(title: String, start: LocalDateTime, zone: CalendarZone, durationSeconds: Int) {
        self.title = title
        self.start = start
        self.zone = zone
        self.durationSeconds = durationSeconds
    }
}

/// An attendee or room busy when a booking wants them.
public struct BookingConflict: Sendable, Codable, Hashable {
    /// The person's login (or address), or the room's name.
    public var who: String
    /// True for the room.
    public var isRoom: Bool
    /// The meeting in the way, its title and the occurrence's interval (Unix seconds).
    public var meetingID: Int64, title: String, start: Int64, end: Int64

    enum CodingKeys: String, CodingKey {
        case who, isRoom = "is_room", meetingID = "meeting_id", title, start, end
    }

    /// `meeting 42 ("Giao ban")`, or `another meeting` for one the actor may not see (its number
    /// and title left out: 0 and empty).
    public var meetingName: String { Scheduler.name(of: self) }
}

/// What a booking did.
public struct BookingResult: Sendable {
    /// The meeting as stored (for a dry run: as it would be).
    public var meeting: Meeting
    /// Its attendees, the organizer first.
    public var attendees: [MeetingAttendee]
    /// How many occurrences were written.
    public var occurrenceCount: Int
    /// Attendee conflicts booked over with `allowConflicts`.
    public var conflicts: [BookingConflict]
    /// The outbox rows of its invites, to send after the commit.
    public var notices: [Int64]
}

extension Scheduler {
    /// The longest title, in characters.
    static let titleLimit = 200
    /// The longest agenda, in bytes.
    static let agendaLimit = 16_384
    /// The most occurrences one series may have inside the booking window.
    static let occurrenceLimit = 1000

    /// Books a meeting: checks the room and the attendees are free in every occurrence, stores it
    /// with its occurrences, queues the invites, and writes the audit event, in one transaction.
    /// Two bookings racing for one room are serialized by the write lock: the second sees the
    /// first's occurrences and is refused.
    public func book(_ request: BookingRequest) throws -> BookingResult {
        let now = clock.now()
        let title = try Self.checkedTitle(request.title)
        let agenda = try Self.checkedAgenda(request.agenda)
        guard request.durationSeconds > 0 else {
            throw SchedulingError(.invalidInput, "the meeting must end after it starts")
        }
        guard request.durationSeconds <= settings.maxDurationHours * 3600 else {
            throw SchedulingError(.invalidInput, "a meeting lasts at most \(settings.maxDurationHours) hours (meet.max_duration_hours); this one lasts \(Self.describe(seconds: request.durationSeconds))")
        }
        let firstStart = request.zone.date(of: request.start)
        guard firstStart.timeIntervalSince(now) > -300 else {
            throw SchedulingError(.invalidInput, "the start \(request.start) (\(request.zone.identifier)) is in the past")
        }
        let windowEnd = now.addingTimeInterval(Double(settings.bookingWindowDays) * 86_400)
        guard firstStart < windowEnd else {
            throw SchedulingError(.invalidInput, "the start \(request.start) is more than \(settings.bookingWindowDays) days ahead (meet.booking_window_days)")
        }
        let starts = try RecurrenceExpander.occurrences(start: request.start, zone: request.zone, rule: request.rule, exceptions: [],
                                                        from: firstStart, to: windowEnd, limit: Self.occurrenceLimit + 1)
        guard !starts.isEmpty else {
            throw SchedulingError(.invalidInput, "the recurrence \(request.rule?.text ?? "") gives no occurrence from \(request.start) on")
        }
        guard starts.count <= Self.occurrenceLimit else {
            throw SchedulingError(.invalidInput, "the series has more than \(Self.occurrenceLimit) occurrences in the next \(settings.bookingWindowDays) days: give it an end (until or count)")
        }
        let occurrences = starts.map { start in
            MeetingDraft.Occurrence(recurrenceID: MeetingOccurrence.recurrenceID(of: start), start: Int64(start.timeIntervalSince1970),
                                    end: Int64(start.timeIntervalSince1970) + Int64(request.durationSeconds))
        }
        let uid = "\(UUID().uuidString.lowercased())@\(settings.roomDomain)"
        let target = Self.target(uid)
        guard let actorID = session.personID else {
            throw SchedulingError(.refused, "\(session.login) is not a person in the directory: run as one (`--as LOGIN` as root)")
        }
        if let organizer = request.organizer, organizer != session.login, !(session.role == .admin || session.role == .helpdesk) {
            try session.authorize(.meetBook, target: target)
            try session.deny(.meetBook, target: target, reason: "only the helpdesk books for someone else (\(organizer))")
        }
        return try session.perform(.meetBook, target: target, dryRun: request.dryRun) { db, details in
            try MeetingWriter.extendSeries(to: Int64(windowEnd.timeIntervalSince1970), in: db)
            let organizerID: Int64
            var sentByID: Int64?
            if let login = request.organizer, login != session.login {
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM person WHERE login = ? AND status = 'active'", arguments: [login]) else {
                    throw SchedulingError(.notFound, "no active person with login \(Quoting.quoted(login)) to organize the meeting")
                }
                organizerID = id
                sentByID = actorID
            } else {
                organizerID = actorID
            }
            let organizer = try AttendeeResolver.person(id: organizerID, in: db, defaultLanguage: locale.language)
            let invited = try AttendeeResolver.resolve(request.attendees, in: db, defaultLanguage: locale.language)
                .filter { $0.address != organizer.address }
            let room = try request.room.map { try Self.room(named: $0, in: db) }
            let joinURL = Self.joinURL(room: room, virtual: request.virtual, title: title, base: settings.joinBaseURL)
            let headcount = invited.count + 1
            if let room, headcount > room.capacity {
                throw SchedulingError(.conflict, "\(room.name) holds \(room.capacity) and the meeting has \(headcount) people: choose a larger room (`dirctl room list`)")
            }
            let conflicts = try checkConflicts(occurrences, people: [organizer] + invited, roomID: room?.id, roomName: room?.name,
                                               meetingID: nil, allow: request.allowConflicts, zone: request.zone, in: db)
            var attendees = [MeetingDraft.Attendee(address: organizer.address, personID: organizerID, name: organizer.name, role: "CHAIR", partstat: "ACCEPTED")]
            attendees += invited.map { MeetingDraft.Attendee(address: $0.address, personID: $0.personID, name: $0.name) }
            var draft = MeetingDraft(uid: uid, title: title, agenda: agenda, organizerID: organizerID, sentByID: sentByID, roomID: room?.id,
                                     joinURL: joinURL, timeZone: request.zone.identifier, startLocal: request.start.description,
                                     durationSeconds: request.durationSeconds, rrule: request.rule?.text ?? "", attendees: attendees,
                                     occurrences: occurrences)
            draft.materializedTo = Int64(windowEnd.timeIntervalSince1970)
            let id = try MeetingWriter.insert(draft, in: db, now: now)
            let meeting = try Self.meeting(String(id), in: db)
            let stored = try Self.attendees(of: id, in: db)
            let languages = Dictionary(invited.map { ($0.address, $0.language) }, uniquingKeysWith: { first, _ in first })
                .merging([organizer.address: organizer.language]) { first, _ in first }
            let notices = try InviteComposer(scheduler: self).queue(.request, meeting: meeting, attendees: stored, to: stored,
                                                                   languages: languages, in: db, now: now)
            details["title"] = title
            details["start"] = "\(request.start) \(request.zone.identifier)"
            details["duration"] = Self.describe(seconds: request.durationSeconds)
            if let rule = request.rule { details["rrule"] = rule.text }
            if let room { details["room"] = room.name }
            details["attendees"] = String(invited.count)
            details["occurrences"] = String(occurrences.count)
            if sentByID != nil { details["organizer"] = meeting.organizerLogin }
            if !conflicts.isEmpty { details["conflicts_allowed"] = String(conflicts.count) }
            return BookingResult(meeting: meeting, attendees: stored, occurrenceCount: occurrences.count, conflicts: conflicts, notices: notices)
        }
    }

    /// The conflicts a booking would meet, without booking: the room and every attendee, over
    /// every occurrence (what `book` checks inside its transaction).
    public func conflicts(_ request: BookingRequest) throws -> [BookingConflict] {
        try session.authorize(.meetRead, target: "meetings")
        let now = clock.now()
        let windowEnd = now.addingTimeInterval(Double(settings.bookingWindowDays) * 86_400)
        let first = request.zone.date(of: request.start)
        let starts = try RecurrenceExpander.occurrences(start: request.start, zone: request.zone, rule: request.rule, exceptions: [],
                                                        from: first, to: windowEnd, limit: Self.occurrenceLimit)
        let occurrences = starts.map { start in
            MeetingDraft.Occurrence(recurrenceID: "", start: Int64(start.timeIntervalSince1970),
                                    end: Int64(start.timeIntervalSince1970) + Int64(request.durationSeconds))
        }
        return try database.read { db in
            var people = try AttendeeResolver.resolve(request.attendees, in: db, defaultLanguage: locale.language)
            if let id = session.personID {
                people.append(ResolvedAttendee(personID: id, login: session.login, address: "", name: "", language: locale.language))
            }
            let room = try request.room.map { try Self.room(named: $0, in: db) }
            return try redacted(try Self.conflicts(of: occurrences, people: people, roomID: room?.id, roomName: room?.name, excluding: nil, in: db), in: db)
        }
    }

    /// True when the actor may see a meeting's details: the helpdesk and admins, its organizer,
    /// who booked it for them, and its attendees. Others learn only that someone is busy.
    func maySee(_ meetingID: Int64, in db: Database) throws -> Bool {
        if let role = session.role, role == .admin || role == .helpdesk { return true }
        guard let me = session.personID else { return false }
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM meeting WHERE id = ? AND (organizer_id = ? OR sent_by_id = ?))
                OR EXISTS (SELECT 1 FROM meeting_attendee WHERE meeting_id = ? AND person_id = ?)
            """, arguments: [meetingID, me, me, meetingID, me]) ?? false
    }

    /// Conflicts with the meetings the actor may not see reduced to "another meeting" (number
    /// and title left out).
    func redacted(_ conflicts: [BookingConflict], in db: Database) throws -> [BookingConflict] {
        var seen: [Int64: Bool] = [:]
        return try conflicts.map { conflict in
            let visible = try seen[conflict.meetingID] ?? maySee(conflict.meetingID, in: db)
            seen[conflict.meetingID] = visible
            guard !visible else { return conflict }
            var hidden = conflict
            hidden.meetingID = 0
            hidden.title = ""
            return hidden
        }
    }

    /// `meeting 42 ("Giao ban")`, or `another meeting` when hidden.
    static func name(of conflict: BookingConflict) -> String {
        conflict.meetingID == 0 ? "another meeting" : "meeting \(conflict.meetingID) (\(Quoting.quoted(conflict.title)))"
    }

    /// Every person and room busy in one of `occurrences`.
    static func conflicts(of occurrences: [MeetingDraft.Occurrence], people: [ResolvedAttendee], roomID: Int64?, roomName: String?,
                          excluding: Int64?, in db: Database) throws -> [BookingConflict] {
        let wanted = occurrences.filter { !$0.cancelled }.sorted { $0.start < $1.start }
        guard let first = wanted.first, let last = wanted.max(by: { $0.end < $1.end }) else { return [] }
        let ids = people.compactMap(\.personID)
        let names = Dictionary(people.compactMap { person in person.personID.map { ($0, person.login ?? person.address) } },
                               uniquingKeysWith: { first, _ in first })
        let busy = try BusyTime.busy(personIDs: ids, roomIDs: roomID.map { [$0] } ?? [], from: first.start, to: last.end,
                                     excluding: excluding, in: db)
        var result: [BookingConflict] = []
        for interval in busy {
            // The last wanted occurrence starting before the interval ends overlaps it if it ends after it starts.
            var low = 0, high = wanted.count
            while low < high {
                let middle = (low + high) / 2
                if wanted[middle].start < interval.end { low = middle + 1 } else { high = middle }
            }
            guard low > 0, wanted[low - 1].end > interval.start else { continue }
            let who = interval.roomID != nil ? (roomName ?? "the room") : (interval.personID.flatMap { names[$0] } ?? "someone")
            result.append(BookingConflict(who: who, isRoom: interval.roomID != nil, meetingID: interval.meetingID, title: interval.title,
                                          start: interval.start, end: interval.end))
        }
        return result
    }

    /// A room by name.
    static func room(named name: String, in db: Database) throws -> Room {
        guard let room = try Room.fetchOne(db, sql: "SELECT * FROM room WHERE name = ?", arguments: [name]) else {
            throw SchedulingError(.notFound, "no room named \(Quoting.quoted(name)) (see `dirctl room list`)")
        }
        return room
    }

    /// The join link: a virtual room's own, or a new one for `--virtual`.
    static func joinURL(room: Room?, virtual: Bool, title: String, base: String) -> String {
        if let room, room.kind == "virtual" { return "\(base)/\(slug(room.name))" }
        guard virtual else { return "" }
        let suffix = UUID().uuidString.lowercased().prefix(8)
        let words = slug(title)
        return "\(base)/\(words.isEmpty ? "" : String(words.prefix(40)) + "-")\(suffix)"
    }

    /// Lower-case ASCII letters, digits and dashes (Vietnamese letters lose their marks).
    static func slug(_ text: String) -> String {
        let plain = text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
        var result = ""
        for scalar in plain.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else if !result.isEmpty, !result.hasSuffix("-") {
                result += "-"
            }
        }
        while result.hasSuffix("-") { result.removeLast() }
        return result
    }

    static func checkedTitle(_ raw: String) throws -> String {
        let title = raw.trimmingCharacters(in: .whitespaces)
        guard !title.isEmpty else { throw SchedulingError(.invalidInput, "the title is empty") }
        guard !title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SchedulingError(.invalidInput, "the title \(Quoting.quoted(String(title.prefix(60)))) contains a line break or control character: a title is one line (put details in --agenda)")
        }
        guard title.count <= titleLimit else { throw SchedulingError(.invalidInput, "the title is longer than \(titleLimit) characters") }
        return title
    }

    static func checkedAgenda(_ raw: String) throws -> String {
        let agenda = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard agenda.utf8.count <= agendaLimit else { throw SchedulingError(.invalidInput, "the agenda is longer than \(agendaLimit) bytes") }
        guard !agenda.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) else {
            throw SchedulingError(.invalidInput, "the agenda contains a control character other than line breaks and tabs")
        }
        return agenda
    }

    static func more(_ count: Int) -> String { count > 1 ? " and \(count - 1) more" : "" }

    /// A length as meetings show it: `1h30`, `1h`, `45 min`.
    public static func describe(seconds: Int) -> String {
        let hours = seconds / 3600, minutes = (seconds % 3600) / 60
        switch (hours, minutes) {
        case (0, let m): return "\(m) min"
        case (let h, 0): return "\(h)h"
        default: return "\(hours)h\(String(format: "%02d", minutes))"
        }
    }

    /// `2026-12-08 09:00-10:00` in `zone`.
    func describe(_ start: Int64, _ end: Int64, zone: CalendarZone) -> String {
        let from = zone.local(of: Date(timeIntervalSince1970: TimeInterval(start)))
        let to = zone.local(of: Date(timeIntervalSince1970: TimeInterval(end)))
        let day = String(format: "%04d-%02d-%02d", from.year, from.month, from.day)
        let sameDay = (from.year, from.month, from.day) == (to.year, to.month, to.day)
        let endText = sameDay ? String(format: "%02d:%02d", to.hour, to.minute)
            : String(format: "%04d-%02d-%02d %02d:%02d", to.year, to.month, to.day, to.hour, to.minute)
        return String(format: "%@ %02d:%02d-%@", day, from.hour, from.minute, endText)
    }
}
