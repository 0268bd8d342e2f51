import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import ICalendar
import Logging
public import SwitchboardBase
public import SwitchboardCore

/// What `meetctl import` did, or would do with `--dry-run`.
public struct CalendarImportReport: Sendable, Codable {
    /// One meeting brought in.
    public struct Imported: Sendable, Codable, Hashable {
        /// Its number (nil in a dry run: nothing was kept).
        public var meetingID: Int64?
        /// The file's UID.
        public var uid: String
        /// The title.
        public var title: String
        /// How many occurrences were stored.
        public var occurrences: Int

        enum CodingKeys: String, CodingKey { case meetingID = "meeting_id", uid, title, occurrences }
    }

    /// An attendee busy in a stored meeting (or another of the file's) when an imported one happens.
    public struct AttendeeConflict: Sendable, Codable, Hashable {
        /// The person's login.
        public var who: String
        /// The imported meeting's UID and title.
        public var uid: String, title: String
        /// What is in the way: a stored meeting's number, or nil for another meeting of the file.
        public var otherMeetingID: Int64?
        /// Its title.
        public var otherTitle: String
        /// When the imported occurrence starts (Unix seconds).
        public var start: Int64

        enum CodingKeys: String, CodingKey { case who, uid, title, otherMeetingID = "other_meeting_id", otherTitle = "other_title", start }
    }

    /// The file as named.
    public var file: String
    /// VEVENTs read (overrides included).
    public var events = 0
    /// Meetings stored.
    public var imported: [Imported] = []
    /// UIDs already here with the same meeting: left as they are.
    public var unchanged: [String] = []
    /// Cancelled events (STATUS:CANCELLED): not imported.
    public var skippedCancelled = 0
    /// Attendees double-booked by the import (listed, not refused).
    public var attendeeConflicts: [AttendeeConflict] = []
    /// True when nothing was kept (`--dry-run`).
    public var dryRun = false

    enum CodingKeys: String, CodingKey {
        case file, events, imported, unchanged, skippedCancelled = "skipped_cancelled", attendeeConflicts = "attendee_conflicts", dryRun = "dry_run"
    }
}

/// An import refused as a whole: every problem found, one per line; nothing was stored.
public struct CalendarImportRefusal: SwitchboardError {
    /// The file as named.
    public var file: String
    /// Each problem (line of the event's UID, field, what).
    public var problems: [ImportProblem]

    /// See ``SwitchboardError``.
    public var category: ErrorCategory { .badInput }
    /// The first problem, and how many more.
    public var description: String {
        let first = problems.first?.describe(file: file) ?? "\(file): refused"
        return problems.count > 1 ? "\(first) (and \(problems.count - 1) more problems)" : first
    }
}

extension Scheduler {
    /// Imports meetings from iCalendar text, all or nothing, in one transaction with an audit event
    /// per meeting and a summary.
    ///
    /// Each master VEVENT becomes a meeting (origin `imported`); its overrides (RECURRENCE-ID) move
    /// or cancel occurrences; occurrences are materialized up to `meet.booking_window_days` ahead.
    /// The organizer is the actor, unless the actor is the helpdesk (or an admin) and ORGANIZER is
    /// an active directory person. Attendees are matched to the directory by address; the room by
    /// LOCATION (or a CUTYPE=ROOM attendee) naming a room. A room double-booked (by stored meetings
    /// or within the file), a UID already here for a different meeting, or an event that cannot be a
    /// meeting refuses the whole file; busy attendees are listed. No invite is sent. `progress`
    /// hears each phase (`checking` events, `storing` meetings) with how far it is.
    public func importCalendar(text: String, source: String, dryRun: Bool = false,
                               progress: (String, Int, Int) -> Void = { _, _, _ in }) throws -> CalendarImportReport {
        // `-v` says where the time goes (ops/bench/meet.py reads these lines).
        // Wall time and this process's CPU time: on a busy machine the first mostly measures waiting.
        let timer = ContinuousClock()
        var mark = timer.now
        var cpuMark = Glibc.clock()
        func lap(_ phase: String) {
            let now = timer.now, cpu = Glibc.clock()
            let wall = String(format: "%.2f ms", mark.duration(to: now).inSeconds * 1000)
            // clock() counts microseconds (POSIX: CLOCKS_PER_SEC is 1,000,000).
            let used = String(format: "%.2f ms", Double(cpu - cpuMark) / 1000)
            session.logger.debug("timing: import \(phase) \(wall) (CPU \(used))")
            (mark, cpuMark) = (now, cpu)
        }
        let calendar: CalendarObject
        do { calendar = try CalendarParser.parse(text, source: source) } catch {
            throw SchedulingError(.invalidInput, error.description)
        }
        lap("parse")
        guard let actorID = session.personID else {
            throw SchedulingError(.refused, "\(session.login) is not a person in the directory: run as one (`--as LOGIN` as root)")
        }
        let now = clock.now()
        let mayImportForOthers = session.role == .admin || session.role == .helpdesk
        let windowEnd = now.addingTimeInterval(Double(settings.bookingWindowDays) * 86_400)
        let history = now.addingTimeInterval(-366 * 86_400)
        let defaultZone: CalendarZone
        do { defaultZone = try CalendarZone(locale.timeZone) } catch {
            throw SchedulingError(.invalidInput, "locale.time_zone in the config: \(error.description)")
        }
        var report = CalendarImportReport(file: source)
        report.events = calendar.events.count
        report.dryRun = dryRun
        let lines = EventLines(text)

        return try session.batch(.meetImport, target: "file:\(source)", dryRun: dryRun) { db, batch in
            try MeetingWriter.extendSeries(to: Int64(windowEnd.timeIntervalSince1970), in: db)
            let directory = try ImportDirectory(db)
            var problems: [ImportProblem] = []
            func problem(_ uid: String, _ field: String?, _ reason: String) {
                problems.append(ImportProblem(line: lines.line(ofUID: uid), field: field, reason: reason))
            }
            // Masters and their overrides, in file order.
            var order: [String] = []
            var masters: [String: CalendarEvent] = [:]
            var overrides: [String: [CalendarEvent]] = [:]
            for event in calendar.events {
                if event.recurrenceID != nil {
                    overrides[event.uid, default: []].append(event)
                } else if masters[event.uid] != nil {
                    problem(event.uid, "UID", "the UID \(Quoting.quoted(event.uid)) is used by two events: each meeting needs its own")
                } else {
                    masters[event.uid] = event
                    order.append(event.uid)
                }
            }
            for uid in overrides.keys where masters[uid] == nil {
                problem(uid, "RECURRENCE-ID", "an occurrence of \(Quoting.quoted(uid)) is in the file without its series: export the whole series")
            }
            var drafts: [(draft: MeetingDraft, event: CalendarEvent)] = []
            for (index, uid) in order.enumerated() {
                if index % 500 == 0 { progress("checking", index, order.count) }
                guard let event = masters[uid] else { continue }
                if event.status?.uppercased() == "CANCELLED" {
                    report.skippedCancelled += 1
                    continue
                }
                do {
                    var draft = try self.draft(event, overrides: overrides[uid] ?? [], actorID: actorID, mayImportForOthers: mayImportForOthers,
                                               directory: directory, defaultZone: defaultZone, history: history, windowEnd: windowEnd)
                    draft.materializedTo = Int64(windowEnd.timeIntervalSince1970)
                    if let existing = try directory.existing(uid: uid, in: db) {
                        if existing.title == draft.title, existing.startLocal == draft.startLocal, existing.timeZone == draft.timeZone,
                           existing.durationSeconds == draft.durationSeconds, existing.rrule == draft.rrule {
                            report.unchanged.append(uid)
                        } else {
                            problem(uid, "UID", "\(Quoting.quoted(uid)) is already meeting \(existing.id) (\(Quoting.quoted(existing.title)), \(existing.startLocal) \(existing.timeZone)) and differs from the file: change it with `meetctl reschedule`, or remove the event from the file")
                        }
                        continue
                    }
                    drafts.append((draft, event))
                } catch let error as SchedulingError {
                    problem(uid, nil, error.description)
                }
            }
            progress("checking", order.count, order.count)
            lap("meetings from events")
            report.attendeeConflicts = try Self.importConflicts(drafts.map(\.draft), directory: directory, problems: &problems,
                                                                 line: { lines.line(ofUID: $0) }, zone: defaultZone, in: db)
            lap("conflict check")
            guard problems.isEmpty else {
                throw CalendarImportRefusal(file: source, problems: problems.sorted { $0.line < $1.line })
            }
            for (index, (draft, _)) in drafts.enumerated() {
                if index % 500 == 0 { progress("storing", index, drafts.count) }
                let id = try MeetingWriter.insert(draft, in: db, now: now)
                var details = AuditDetails()
                details["title"] = draft.title
                details["start"] = "\(draft.startLocal) \(draft.timeZone)"
                details["occurrences"] = String(draft.occurrences.count)
                if !draft.rrule.isEmpty { details["rrule"] = draft.rrule }
                try batch.record(.meetImport, target: Self.target(draft.uid), details: details)
                report.imported.append(.init(meetingID: dryRun ? nil : id, uid: draft.uid, title: draft.title, occurrences: draft.occurrences.count))
            }
            if !drafts.isEmpty { progress("storing", drafts.count, drafts.count) }
            lap("store and audit")
            batch.summary["file"] = source
            batch.summary["events"] = String(report.events)
            batch.summary["imported"] = String(report.imported.count)
            batch.summary["unchanged"] = String(report.unchanged.count)
            batch.summary["attendee_conflicts"] = String(report.attendeeConflicts.count)
            return .commit(report)
        }
    }

    /// One VEVENT (and its overrides) as a meeting to store.
    private func draft(_ event: CalendarEvent, overrides: [CalendarEvent], actorID: Int64, mayImportForOthers: Bool,
                       directory: ImportDirectory, defaultZone: CalendarZone, history: Date, windowEnd: Date) throws -> MeetingDraft {
        let zone: CalendarZone
        let start: LocalDateTime
        switch event.start {
        case let .zoned(local, own): (zone, start) = (own, local)
        case let .utc(date): (zone, start) = (defaultZone, defaultZone.local(of: date))
        case let .floating(local): (zone, start) = (defaultZone, local)
        case let .date(year, month, day): (zone, start) = (defaultZone, LocalDateTime(year: year, month: month, day: day))
        }
        let firstStart = zone.date(of: start)
        guard firstStart < windowEnd else {
            throw SchedulingError(.invalidInput, "it starts \(start) (\(zone.identifier)), after the booking window (meet.booking_window_days: \(settings.bookingWindowDays) days): import it later, or leave it out")
        }
        let seconds: Int
        if let end = event.end {
            seconds = Int(end.instant(floatingIn: zone).timeIntervalSince(firstStart))
        } else if let duration = event.duration {
            seconds = duration
        } else if case .date = event.start {
            seconds = 86_400
        } else {
            throw SchedulingError(.invalidInput, "the event has no end (DTEND or DURATION): add one")
        }
        guard seconds > 0, Int64(seconds) <= BusyTime.longestOccurrence else {
            throw SchedulingError(.invalidInput, "the event lasts \(seconds / 60) minutes: a meeting lasts more than 0 and at most 14 days")
        }
        guard event.additionalDateCount == 0 else {
            throw SchedulingError(.invalidInput, "it has RDATE (extra dates outside its RRULE), which meetings do not keep: import those dates as meetings of their own")
        }
        let rule: RecurrenceRule?
        do { rule = try event.recurrenceRule.map { try RecurrenceRule($0) } } catch {
            throw SchedulingError(.invalidInput, "RRULE: \(error)")
        }
        let exceptions = event.exceptionDates.map { exception -> LocalDateTime in
            switch exception {
            case let .date(year, month, day):
                return LocalDateTime(year: year, month: month, day: day, hour: start.hour, minute: start.minute, second: start.second)
            default:
                return zone.local(of: exception.instant(floatingIn: zone))
            }
        }
        var occurrences: [MeetingDraft.Occurrence]
        if let rule {
            var starts: [Date]
            do {
                starts = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions,
                                                            from: max(firstStart, history), to: windowEnd, limit: Self.occurrenceLimit + 1)
                if starts.isEmpty, firstStart < history {
                    // A series over before last year: its own occurrences, for the record.
                    starts = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions,
                                                                from: firstStart, to: history, limit: Self.occurrenceLimit)
                }
            } catch {
                throw SchedulingError(.invalidInput, "RRULE: \(error)")
            }
            guard starts.count <= Self.occurrenceLimit else {
                throw SchedulingError(.invalidInput, "the series has more than \(Self.occurrenceLimit) occurrences between a year ago and \(settings.bookingWindowDays) days ahead: give it an end (UNTIL or COUNT)")
            }
            occurrences = starts.map { Self.occurrence($0, seconds: seconds) }
            var index: [String: Int] = [:]
            for (position, occurrence) in occurrences.enumerated() { index[occurrence.recurrenceID] = position }
            for override in overrides {
                guard let original = override.recurrenceID?.instant(floatingIn: zone) else { continue }
                let key = MeetingOccurrence.recurrenceID(of: original)
                guard let position = index[key] else { continue }   // outside what is materialized
                if override.status?.uppercased() == "CANCELLED" {
                    occurrences[position].cancelled = true
                    continue
                }
                let moved = override.start.instant(floatingIn: zone)
                let length = override.end.map { Int($0.instant(floatingIn: zone).timeIntervalSince(moved)) } ?? override.duration ?? seconds
                guard length > 0, Int64(length) <= BusyTime.longestOccurrence else {
                    throw SchedulingError(.invalidInput, "the occurrence \(key) lasts \(length / 60) minutes: more than 0 and at most 14 days")
                }
                occurrences[position].start = Int64(moved.timeIntervalSince1970)
                occurrences[position].end = occurrences[position].start + Int64(length)
                occurrences[position].moved = true
            }
        } else {
            occurrences = [Self.occurrence(firstStart, seconds: seconds)]
        }
        guard !occurrences.isEmpty else {
            throw SchedulingError(.invalidInput, "the series has no occurrence: every one is an EXDATE")
        }

        // The organizer: the actor, or (helpdesk, admin) the directory person ORGANIZER names.
        var organizerID = actorID
        if mayImportForOthers, let address = event.organizer?.address, let person = directory.person(address) {
            organizerID = person.id
        }
        guard let organizer = directory.people[organizerID] else {
            throw SchedulingError(.refused, organizerID == actorID
                ? "\(session.login) has no mailbox and no e-mail address to organize the meetings: add one (`mailctl account create` or `dirctl person update --email`)"
                : "the organizer #\(organizerID) is not an active person with an address")
        }
        var attendees = [MeetingDraft.Attendee(address: organizer.address, personID: organizerID, name: organizer.name, role: "CHAIR", partstat: "ACCEPTED")]
        var seen: Set<String> = [organizer.address]
        var roomID = directory.room(location: event.location)
        for attendee in event.attendees {
            if ["ROOM", "RESOURCE"].contains(attendee.kind.uppercased()) {
                if roomID == nil, let name = attendee.name { roomID = directory.rooms[name] }
                continue
            }
            let address = attendee.address
            guard !address.isEmpty, address.contains("@"), seen.insert(address).inserted else { continue }
            let person = directory.person(address)
            if person?.id == organizerID { continue }
            let role = ["CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT"].contains(attendee.role) && attendee.role != "CHAIR"
                ? attendee.role : "REQ-PARTICIPANT"
            attendees.append(MeetingDraft.Attendee(address: address, personID: person?.id, name: Self.oneLine(attendee.name ?? person?.name ?? "", limit: 200),
                                                   role: role, partstat: mayImportForOthers ? attendee.status.rawValue : "NEEDS-ACTION"))
        }
        let join = [event.conference, event.url].compactMap { $0 }.first { $0.lowercased().hasPrefix("https://") || $0.lowercased().hasPrefix("http://") }
        let title = Self.oneLine(event.summary ?? "", limit: Self.titleLimit)
        var draft = MeetingDraft(uid: event.uid, title: title.isEmpty ? "(no title)" : title, agenda: Self.plainAgenda(event.description ?? ""),
                                 organizerID: organizerID, sentByID: nil, roomID: roomID, joinURL: join ?? "", timeZone: zone.identifier,
                                 startLocal: start.description, durationSeconds: seconds, rrule: rule?.text ?? "",
                                 sequence: max(0, event.effectiveSequence), origin: "imported", attendees: attendees, occurrences: occurrences)
        draft.materializedTo = Int64(windowEnd.timeIntervalSince1970)
        return draft
    }

    private static func occurrence(_ start: Date, seconds: Int) -> MeetingDraft.Occurrence {
        let begin = Int64(start.timeIntervalSince1970)
        return MeetingDraft.Occurrence(recurrenceID: MeetingOccurrence.recurrenceID(of: start), start: begin, end: begin + Int64(seconds))
    }

    /// A title: one line (line breaks and controls become spaces), trimmed, at most `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        var result = ""
        var space = false
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar.properties.isWhitespace {
                space = !result.isEmpty
            } else {
                if space { result.unicodeScalars.append(" ") }
                space = false
                result.unicodeScalars.append(scalar)
            }
        }
        return String(result.prefix(limit))
    }

    /// An agenda: line breaks (CRLF, CR or LF: one LF) and tabs kept, other controls dropped, cut
    /// at the agenda limit.
    static func plainAgenda(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var bytes = 0
        var afterCR = false
        for scalar in text.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            var kept = scalar
            if scalar == "\r" {
                kept = "\n"
            } else if scalar == "\n" {
                if afterCR { continue }
            } else if scalar != "\t", scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                continue
            }
            bytes += kept.utf8.count
            if bytes > agendaLimit { break }
            result.append(kept)
        }
        return String(result)
    }

    /// Rooms double-booked (problems) and attendees double-booked (returned), against the stored
    /// meetings and among the file's own, in memory from one read of the busy time involved.
    private static func importConflicts(_ drafts: [MeetingDraft], directory: ImportDirectory, problems: inout [ImportProblem],
                                        line: (String) -> Int, zone: CalendarZone, in db: Database) throws -> [CalendarImportReport.AttendeeConflict] {
        struct Span { var start: Int64, end: Int64, draft: Int?, meetingID: Int64?, title: String }
        var rooms: [Int64: [Span]] = [:]
        var people: [Int64: [Span]] = [:]
        var lower = Int64.max, upper = Int64.min
        for (index, draft) in drafts.enumerated() {
            for occurrence in draft.occurrences where !occurrence.cancelled {
                let span = Span(start: occurrence.start, end: occurrence.end, draft: index, meetingID: nil, title: draft.title)
                if let room = draft.roomID { rooms[room, default: []].append(span) }
                for attendee in draft.attendees where attendee.partstat != "DECLINED" {
                    if let person = attendee.personID { people[person, default: []].append(span) }
                }
                lower = min(lower, occurrence.start)
                upper = max(upper, occurrence.end)
            }
        }
        guard lower < upper else { return [] }
        let stored = try BusyTime.busy(personIDs: Array(people.keys), roomIDs: Array(rooms.keys), from: lower, to: upper, in: db)
        for interval in stored {
            let span = Span(start: interval.start, end: interval.end, draft: nil, meetingID: interval.meetingID, title: interval.title)
            if let room = interval.roomID { rooms[room]?.append(span) }
            if let person = interval.personID { people[person]?.append(span) }
        }
        // Sweep each calendar in start order; an imported span starting before the latest end
        // so far (or a stored one starting before an imported one's end) is a double booking.
        func clashes(_ spans: [Span], _ found: (Span, Span) -> Void) {
            var latest: Span?
            for span in spans.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
                if let previous = latest, span.start < previous.end, span.draft != nil || previous.draft != nil {
                    found(span.draft != nil ? span : previous, span.draft != nil ? previous : span)
                }
                if latest == nil || span.end > (latest?.end ?? .min) { latest = span }
            }
        }
        var reported: Set<Int> = []
        for (roomID, spans) in rooms.sorted(by: { $0.key < $1.key }) {
            clashes(spans) { mine, other in
                guard let index = mine.draft, reported.insert(index).inserted else { return }
                let what = other.meetingID.map { "meeting \($0) (\(Quoting.quoted(other.title)))" } ?? "\(Quoting.quoted(other.title)) in this file"
                problems.append(ImportProblem(line: line(drafts[index].uid), field: "LOCATION",
                                              reason: "\(directory.roomNames[roomID] ?? "the room") is taken \(AgendaFormat.day(AgendaFormat.local(mine.start, zone))) \(AgendaFormat.span(mine.start, mine.end, zone)) by \(what): change the time or room in the file, or cancel the other booking"))
            }
        }
        var conflicts: [CalendarImportReport.AttendeeConflict] = []
        for (personID, spans) in people.sorted(by: { $0.key < $1.key }) {
            clashes(spans) { mine, other in
                guard let index = mine.draft else { return }
                conflicts.append(.init(who: directory.people[personID]?.login ?? "#\(personID)", uid: drafts[index].uid, title: drafts[index].title,
                                       otherMeetingID: other.meetingID, otherTitle: other.title, start: mine.start))
            }
        }
        return conflicts.sorted { ($0.start, $0.who) < ($1.start, $1.who) }
    }
}

/// The directory as an import needs it, read once: active people by address, rooms by name.
private struct ImportDirectory {
    struct Person { var id: Int64, login: String, name: String, address: String }
    var people: [Int64: Person] = [:]
    var byAddress: [String: Int64] = [:]
    var rooms: [String: Int64] = [:]
    var roomNames: [Int64: String] = [:]
    private let existingStatement: Statement

    init(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: """
            SELECT p.id, p.login, p.display_name, lower(p.email) AS email,
                   (SELECT address FROM mailbox WHERE person_id = p.id AND status = 'active' ORDER BY id LIMIT 1) AS mailbox
            FROM person p WHERE p.status = 'active'
            """) {
            let id: Int64 = row["id"]
            let mailbox: String? = row["mailbox"]
            let email: String? = row["email"]
            let address = (mailbox ?? email ?? "").lowercased()
            people[id] = Person(id: id, login: row["login"], name: row["display_name"], address: address)
            if let email, !email.isEmpty { byAddress[email] = id }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT lower(m.address), m.person_id FROM mailbox m JOIN person p ON p.id = m.person_id AND p.status = 'active'
            WHERE m.person_id IS NOT NULL
            """) {
            byAddress[row[0]] = row[1]
        }
        people = people.filter { !$0.value.address.isEmpty }
        for row in try Row.fetchAll(db, sql: "SELECT id, name FROM room") {
            rooms[row[1]] = row[0]
            roomNames[row[0]] = row[1]
        }
        existingStatement = try db.makeStatement(sql: "SELECT id, title, start_local, time_zone, duration_seconds, rrule FROM meeting WHERE uid = ?")
    }

    /// The active person with this address (a mailbox or their e-mail), or nil.
    func person(_ address: String) -> Person? {
        byAddress[address.lowercased()].flatMap { people[$0] }
    }

    /// The room LOCATION names: the whole text, or the name before ", " or ": " (as invites write it).
    func room(location: String?) -> Int64? {
        guard let location, !location.isEmpty, !rooms.isEmpty else { return nil }
        let trimmed = location.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()
        let text = String(trimmed)
        if let id = rooms[text] { return id }
        // Standard-library searches: Foundation's bridge to NSString was a tenth of an import's time.
        for separator in [", ", ": ", " - "] {
            if let range = text.firstRange(of: separator), let id = rooms[String(text[..<range.lowerBound])] { return id }
        }
        return nil
    }

    struct Existing { var id: Int64, title: String, startLocal: String, timeZone: String, durationSeconds: Int, rrule: String }

    func existing(uid: String, in db: Database) throws -> Existing? {
        try Row.fetchOne(existingStatement, arguments: [uid]).map {
            Existing(id: $0[0], title: $0[1], startLocal: $0[2], timeZone: $0[3], durationSeconds: $0[4], rrule: $0[5])
        }
    }
}

/// Where each UID is written in the file, to name the line of a refused event (read once, when
/// the first problem needs it).
private final class EventLines {
    private let text: String
    private lazy var lines: [String: Int] = {
        var found: [String: Int] = [:]
        var number = 0
        // CRLF is one Character, a newline, like LF.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            guard line.hasPrefix("UID"), let colon = line.firstIndex(of: ":") else { continue }
            let uid = String(line[line.index(after: colon)...])
            if found[uid] == nil { found[uid] = number }
        }
        return found
    }()

    init(_ text: String) { self.text = text }

    /// The line of `UID:value`, or 0 when it is not written on one line (folded).
    func line(ofUID uid: String) -> Int { lines[uid] ?? 0 }
}
