import Foundation
import GRDB
public import ICalendar
import SwitchboardBase
import SwitchboardCore

/// What a change to a booked meeting did.
public struct MeetingChange: Sendable {
    /// The meeting after the change.
    public var meeting: Meeting
    /// What changed, in words.
    public var summary: String
    /// Attendee conflicts booked over with `allowConflicts`.
    public var conflicts: [BookingConflict] = []
    /// The outbox rows of the messages it queued, to send after the commit.
    public var notices: [Int64] = []
}

extension Scheduler {
    /// Cancels the whole meeting (every occurrence): METHOD:CANCEL to everyone, SEQUENCE + 1.
    public func cancel(_ reference: String) throws -> MeetingChange {
        let now = clock.now()
        let meeting = try self.meeting(reference)
        try authorizeOnMeeting(.meetCancel, meeting)
        return try session.perform(.meetCancel, target: Self.target(meeting.uid)) { db, details in
            let current = try Self.meeting(String(meeting.id), in: db)
            guard current.status == "confirmed" else { throw SchedulingError(.refused, "meeting \(meeting.id) is already cancelled") }
            try db.execute(sql: "UPDATE meeting SET status = 'cancelled', sequence = sequence + 1, updated_at = ? WHERE id = ?",
                           arguments: [Timestamp.format(now), meeting.id])
            try db.execute(sql: "UPDATE meeting_occurrence SET status = 'cancelled' WHERE meeting_id = ?", arguments: [meeting.id])
            let updated = try Self.meeting(String(meeting.id), in: db)
            let attendees = try Self.attendees(of: meeting.id, in: db)
            let notices = try InviteComposer(scheduler: self).queue(.cancel, meeting: updated, attendees: attendees, to: attendees,
                                                                   languages: try languages(of: attendees, in: db), in: db, now: now)
            details["title"] = meeting.title
            details["sequence"] = String(updated.sequence)
            return MeetingChange(meeting: updated, summary: "cancelled meeting \(meeting.id) (\(meeting.title)); \(notices.count) cancellations queued",
                                 notices: notices)
        }
    }

    /// Cancels one occurrence of a series (`date`: its day, or day and time, in the meeting's
    /// zone): CANCEL with its RECURRENCE-ID to everyone; the series gets an EXDATE.
    public func cancel(_ reference: String, occurrence date: String) throws -> MeetingChange {
        let now = clock.now()
        let meeting = try self.meeting(reference)
        try authorizeOnMeeting(.meetCancel, meeting)
        return try session.perform(.meetCancel, target: Self.target(meeting.uid)) { db, details in
            let current = try Self.meeting(String(meeting.id), in: db)
            guard current.status == "confirmed" else { throw SchedulingError(.refused, "meeting \(meeting.id) is cancelled") }
            let row = try Self.occurrence(of: current, named: date, in: db)
            guard row.status == "confirmed" else { throw SchedulingError(.refused, "the occurrence \(date) of meeting \(meeting.id) is already cancelled") }
            try db.execute(sql: "UPDATE meeting_occurrence SET status = 'cancelled' WHERE meeting_id = ? AND recurrence_id = ?",
                           arguments: [meeting.id, row.recurrenceID])
            try db.execute(sql: "UPDATE meeting SET sequence = sequence + 1, updated_at = ? WHERE id = ?", arguments: [Timestamp.format(now), meeting.id])
            let updated = try Self.meeting(String(meeting.id), in: db)
            let attendees = try Self.attendees(of: meeting.id, in: db)
            let notices = try InviteComposer(scheduler: self).queue(.cancel, meeting: updated, attendees: attendees, to: attendees,
                                                                   languages: try languages(of: attendees, in: db),
                                                                   occurrence: updated.isRecurring ? row.recurrenceID : nil, in: db, now: now)
            if !updated.isRecurring {
                try db.execute(sql: "UPDATE meeting SET status = 'cancelled' WHERE id = ?", arguments: [meeting.id])
            }
            details["occurrence"] = row.recurrenceID
            details["sequence"] = String(updated.sequence)
            return MeetingChange(meeting: updated, summary: "cancelled the occurrence \(date) of meeting \(meeting.id); \(notices.count) cancellations queued",
                                 notices: notices)
        }
    }

    /// What a reschedule changes; nil keeps the current value.
    public struct Reschedule: Sendable {
        /// The new start (wall clock in the meeting's zone, or `zone`).
        public var start: LocalDateTime?
        /// The new length.
        public var durationSeconds: Int?
        /// A new room (empty string: no room).
        public var room: String?
        /// The zone `start` is read in.
        public var zone: CalendarZone?
        /// Only this occurrence moves (its day, or day and time); nil moves the whole series.
        public var occurrence: String?
        /// Move even when attendees are busy (never over a taken room).
        public var allowConflicts = false

        /// Nothing changed yet.
        public init() {}
    }

    /// Moves a meeting, a whole series or one occurrence, or changes its room or length: rooms and
    /// attendees checked again, SEQUENCE + 1, an updated REQUEST to everyone.
    ///
    /// A series that has begun keeps its past: a new room or length applies to the occurrences
    /// still ahead, and its start cannot move (cancel it and book the rest anew, or move single
    /// occurrences). A room belongs to the whole series: one occurrence moves in time only.
    public func reschedule(_ reference: String, _ change: Reschedule) throws -> MeetingChange {
        let now = clock.now()
        let nowSeconds = Int64(now.timeIntervalSince1970)
        let meeting = try self.meeting(reference)
        try authorizeOnMeeting(.meetUpdate, meeting)
        if change.occurrence != nil, change.room != nil {
            throw SchedulingError(.invalidInput, "a room belongs to the whole series: change it without --occurrence, or move the occurrence in time only")
        }
        return try session.perform(.meetUpdate, target: Self.target(meeting.uid)) { db, details in
            let windowEnd = now.addingTimeInterval(Double(settings.bookingWindowDays) * 86_400)
            try MeetingWriter.extendSeries(to: Int64(windowEnd.timeIntervalSince1970), in: db)
            let current = try Self.meeting(String(meeting.id), in: db)
            guard current.status == "confirmed" else { throw SchedulingError(.refused, "meeting \(meeting.id) is cancelled") }
            let seriesZone = try CalendarZone(current.timeZone)
            let zone = change.zone ?? seriesZone
            let duration = change.durationSeconds ?? current.durationSeconds
            guard duration > 0, duration <= settings.maxDurationHours * 3600 else {
                throw SchedulingError(.invalidInput, "a meeting lasts more than 0 and at most \(settings.maxDurationHours) hours")
            }
            var roomID = current.roomID
            var roomName = current.roomName
            var joinURL = current.joinURL
            if let name = change.room {
                // The old virtual room's link goes with it; a link of the meeting's own stays.
                if current.roomKind == "virtual", let old = current.roomName,
                   joinURL == "\(settings.joinBaseURL)/\(Self.slug(old))" {
                    joinURL = ""
                }
                if name.isEmpty {
                    roomID = nil
                    roomName = nil
                } else {
                    let room = try Self.room(named: name, in: db)
                    roomID = room.id
                    roomName = room.name
                    if room.kind == "virtual" { joinURL = Self.joinURL(room: room, virtual: false, title: current.title, base: settings.joinBaseURL) }
                    let headcount = try Int.fetchOne(db, sql: "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ?", arguments: [meeting.id]) ?? 0
                    if headcount > room.capacity {
                        throw SchedulingError(.conflict, "\(room.name) holds \(room.capacity) and the meeting has \(headcount) people: choose a larger room")
                    }
                }
            }
            let people = try Self.attendees(of: meeting.id, in: db).filter { $0.partstat != "DECLINED" }.map {
                ResolvedAttendee(personID: $0.personID, login: $0.login, address: $0.address, name: $0.name, language: locale.language)
            }
            let old = try MeetingOccurrence.fetchAll(db, sql: "SELECT * FROM meeting_occurrence WHERE meeting_id = ? ORDER BY start_at",
                                                     arguments: [meeting.id])
            var summary: String
            let allowed: [BookingConflict]
            if let occurrence = change.occurrence {
                let row = try Self.occurrence(of: current, named: occurrence, in: db)
                guard row.status == "confirmed" else { throw SchedulingError(.refused, "the occurrence \(occurrence) is cancelled") }
                guard row.endAt > nowSeconds else { throw SchedulingError(.refused, "the occurrence \(occurrence) is over") }
                let newStart = change.start.map { Int64(zone.date(of: $0).timeIntervalSince1970) } ?? row.startAt
                guard newStart > nowSeconds - 300 else { throw SchedulingError(.invalidInput, "the new start is in the past") }
                let moved = MeetingDraft.Occurrence(recurrenceID: row.recurrenceID, start: newStart, end: newStart + Int64(duration), moved: true)
                // Not onto another occurrence of the same series either.
                if let clash = old.first(where: { $0.recurrenceID != row.recurrenceID && $0.status == "confirmed" && $0.startAt < moved.end && moved.start < $0.endAt }) {
                    throw SchedulingError(.conflict, "the meeting itself meets \(describe(clash.startAt, clash.endAt, zone: zone)): choose another time")
                }
                allowed = try checkConflicts([moved], people: people, roomID: roomID, roomName: roomName, meetingID: meeting.id,
                                             allow: change.allowConflicts, zone: zone, in: db)
                try db.execute(sql: """
                    UPDATE meeting_occurrence SET start_at = ?, end_at = ?, moved = 1 WHERE meeting_id = ? AND recurrence_id = ?
                    """, arguments: [moved.start, moved.end, meeting.id, row.recurrenceID])
                // Answers for that occurrence were for its old time.
                try db.execute(sql: "DELETE FROM meeting_occurrence_reply WHERE meeting_id = ? AND recurrence_id = ?",
                               arguments: [meeting.id, row.recurrenceID])
                summary = "moved the occurrence \(occurrence) of meeting \(meeting.id) to \(describe(moved.start, moved.end, zone: zone))"
                details["occurrence"] = row.recurrenceID
            } else if change.start == nil {
                // A new room or length for what is still ahead; the past stays as it was.
                let ahead = old.filter { $0.endAt > nowSeconds }
                guard !ahead.isEmpty else { throw SchedulingError(.refused, "meeting \(meeting.id) is over") }
                let changed = ahead.map {
                    MeetingDraft.Occurrence(recurrenceID: $0.recurrenceID, start: $0.startAt, end: $0.startAt + Int64(duration),
                                            cancelled: $0.status == "cancelled", moved: $0.moved)
                }
                allowed = try checkConflicts(changed, people: people, roomID: roomID, roomName: roomName, meetingID: meeting.id,
                                             allow: change.allowConflicts, zone: zone, in: db)
                for occurrence in changed {
                    try db.execute(sql: "UPDATE meeting_occurrence SET end_at = ?, room_id = ? WHERE meeting_id = ? AND recurrence_id = ?",
                                   arguments: [occurrence.end, roomID, meeting.id, occurrence.recurrenceID])
                }
                try db.execute(sql: "UPDATE meeting SET duration_seconds = ? WHERE id = ?", arguments: [duration, meeting.id])
                summary = change.durationSeconds != nil ? "meeting \(meeting.id) now lasts \(Self.describe(seconds: duration))" : "meeting \(meeting.id)"
                if change.durationSeconds != nil { details["duration"] = Self.describe(seconds: duration) }
            } else {
                if let first = old.first, first.startAt < nowSeconds, current.isRecurring {
                    throw SchedulingError(.refused, "meeting \(meeting.id) has begun: move single occurrences with --occurrence, or cancel it and book the rest anew")
                }
                var start = change.start ?? LocalDateTime(year: 1970, month: 1, day: 1)
                if change.zone != nil, zone != seriesZone {
                    start = seriesZone.local(of: zone.date(of: start))
                }
                let first = seriesZone.date(of: start)
                guard first.timeIntervalSince(now) > -300 else { throw SchedulingError(.invalidInput, "the new start \(start) is in the past") }
                let rule = current.isRecurring ? try RecurrenceRule(current.rrule) : nil
                let starts = try RecurrenceExpander.occurrences(start: start, zone: seriesZone, rule: rule, exceptions: [], from: first,
                                                                to: windowEnd, limit: Self.occurrenceLimit)
                // An occurrence cancelled before stays cancelled when the series keeps its day.
                let cancelledDays = Set(old.filter { $0.status == "cancelled" }.map { Self.day(of: $0.start, in: seriesZone) })
                let occurrences = starts.map { instant in
                    MeetingDraft.Occurrence(recurrenceID: MeetingOccurrence.recurrenceID(of: instant), start: Int64(instant.timeIntervalSince1970),
                                            end: Int64(instant.timeIntervalSince1970) + Int64(duration),
                                            cancelled: cancelledDays.contains(Self.day(of: instant, in: seriesZone)))
                }
                allowed = try checkConflicts(occurrences, people: people, roomID: roomID, roomName: roomName, meetingID: meeting.id,
                                             allow: change.allowConflicts, zone: zone, in: db)
                try db.execute(sql: "DELETE FROM meeting_occurrence WHERE meeting_id = ?", arguments: [meeting.id])
                try db.execute(sql: "DELETE FROM meeting_occurrence_reply WHERE meeting_id = ?", arguments: [meeting.id])
                try MeetingWriter.insertOccurrences(occurrences, meetingID: meeting.id, roomID: roomID, in: db)
                try db.execute(sql: "UPDATE meeting SET start_local = ?, duration_seconds = ?, materialized_to = ? WHERE id = ?",
                               arguments: [start.description, duration, Int64(windowEnd.timeIntervalSince1970), meeting.id])
                summary = "moved meeting \(meeting.id) to \(start.description.replacingOccurrences(of: "T", with: " ").dropLast(3)) \(seriesZone.identifier)"
                details["start"] = "\(start) \(seriesZone.identifier)"
            }
            if change.room != nil {
                try db.execute(sql: "UPDATE meeting SET room_id = ?, join_url = ? WHERE id = ?", arguments: [roomID, joinURL, meeting.id])
                try db.execute(sql: "UPDATE meeting_occurrence SET room_id = ? WHERE meeting_id = ? AND end_at > ?", arguments: [roomID, meeting.id, nowSeconds])
                details["room"] = roomName ?? "(none)"
                summary += roomName.map { " in \($0)" } ?? " without a room"
            }
            // Answers were for the old time: everyone is asked again (the organizer stays accepted).
            try db.execute(sql: """
                UPDATE meeting_attendee SET partstat = 'NEEDS-ACTION', reply_sequence = NULL, reply_stamp = NULL
                WHERE meeting_id = ? AND role <> 'CHAIR'
                """, arguments: [meeting.id])
            try db.execute(sql: "UPDATE meeting SET sequence = sequence + 1, updated_at = ? WHERE id = ?", arguments: [Timestamp.format(now), meeting.id])
            let updated = try Self.meeting(String(meeting.id), in: db)
            let attendees = try Self.attendees(of: meeting.id, in: db)
            let notices = try InviteComposer(scheduler: self).queue(.update, meeting: updated, attendees: attendees, to: attendees,
                                                                   languages: try languages(of: attendees, in: db), in: db, now: now)
            details["sequence"] = String(updated.sequence)
            if !allowed.isEmpty { details["conflicts_allowed"] = String(allowed.count) }
            return MeetingChange(meeting: updated, summary: summary, conflicts: allowed, notices: notices)
        }
    }

    /// Invites more people to a meeting: they get the REQUEST; the others are not mailed.
    public func addAttendees(_ reference: String, _ specs: [String], allowConflicts: Bool = false) throws -> MeetingChange {
        let now = clock.now()
        let meeting = try self.meeting(reference)
        try authorizeOnMeeting(.meetUpdate, meeting)
        return try session.perform(.meetUpdate, target: Self.target(meeting.uid)) { db, details in
            try MeetingWriter.extendSeries(to: Int64(now.addingTimeInterval(Double(settings.bookingWindowDays) * 86_400).timeIntervalSince1970), in: db)
            let current = try Self.meeting(String(meeting.id), in: db)
            guard current.status == "confirmed" else { throw SchedulingError(.refused, "meeting \(meeting.id) is cancelled") }
            let existing = Set(try Self.attendees(of: meeting.id, in: db).map(\.address))
            let added = try AttendeeResolver.resolve(specs, in: db, defaultLanguage: locale.language).filter { !existing.contains($0.address) }
            guard !added.isEmpty else { throw SchedulingError(.refused, "everyone named is already invited to meeting \(meeting.id)") }
            if let roomID = current.roomID, let room = try Room.fetchOne(db, sql: "SELECT * FROM room WHERE id = ?", arguments: [roomID]),
               existing.count + added.count > room.capacity {
                throw SchedulingError(.conflict, "\(room.name) holds \(room.capacity) and the meeting would have \(existing.count + added.count) people")
            }
            let upcoming = try MeetingOccurrence.fetchAll(db, sql: """
                SELECT * FROM meeting_occurrence WHERE meeting_id = ? AND status = 'confirmed' AND end_at > ?
                """, arguments: [meeting.id, Int64(now.timeIntervalSince1970)]).map {
                MeetingDraft.Occurrence(recurrenceID: $0.recurrenceID, start: $0.startAt, end: $0.endAt)
            }
            let zone = try CalendarZone(current.timeZone)
            let allowed = try checkConflicts(upcoming, people: added, roomID: nil, roomName: nil, meetingID: meeting.id,
                                             allow: allowConflicts, zone: zone, in: db)
            for person in added {
                try db.execute(sql: "INSERT INTO meeting_attendee (meeting_id, address, person_id, name) VALUES (?, ?, ?, ?)",
                               arguments: [meeting.id, person.address, person.personID, person.name])
            }
            try db.execute(sql: "UPDATE meeting SET updated_at = ? WHERE id = ?", arguments: [Timestamp.format(now), meeting.id])
            let attendees = try Self.attendees(of: meeting.id, in: db)
            let addresses = Set(added.map(\.address))
            let notices = try InviteComposer(scheduler: self).queue(.request, meeting: current, attendees: attendees,
                                                                   to: attendees.filter { addresses.contains($0.address) },
                                                                   languages: Dictionary(added.map { ($0.address, $0.language) }, uniquingKeysWith: { a, _ in a }),
                                                                   in: db, now: now)
            details["added"] = added.map { $0.login ?? $0.address }.joined(separator: ",")
            return MeetingChange(meeting: current, summary: "invited \(added.map { $0.login ?? $0.address }.joined(separator: ", ")) to meeting \(meeting.id)",
                                 conflicts: allowed, notices: notices)
        }
    }

    /// Takes people off a meeting: each gets a CANCEL; SEQUENCE + 1.
    public func removeAttendees(_ reference: String, _ specs: [String]) throws -> MeetingChange {
        let now = clock.now()
        let meeting = try self.meeting(reference)
        try authorizeOnMeeting(.meetUpdate, meeting)
        return try session.perform(.meetUpdate, target: Self.target(meeting.uid)) { db, details in
            let current = try Self.meeting(String(meeting.id), in: db)
            guard current.status == "confirmed" else { throw SchedulingError(.refused, "meeting \(meeting.id) is cancelled") }
            let attendees = try Self.attendees(of: meeting.id, in: db)
            let named = try AttendeeResolver.resolve(specs, in: db, defaultLanguage: locale.language)
            let addresses = Set(named.map(\.address))
            let removed = attendees.filter { addresses.contains($0.address) }
            guard !removed.isEmpty else { throw SchedulingError(.notFound, "none of them is invited to meeting \(meeting.id)") }
            guard !removed.contains(where: { $0.role == "CHAIR" }) else {
                throw SchedulingError(.refused, "the organizer cannot be removed from their meeting: cancel it instead")
            }
            try db.execute(sql: "UPDATE meeting SET sequence = sequence + 1, updated_at = ? WHERE id = ?", arguments: [Timestamp.format(now), meeting.id])
            let updated = try Self.meeting(String(meeting.id), in: db)
            let notices = try InviteComposer(scheduler: self).queue(.cancel, meeting: updated, attendees: attendees, to: removed,
                                                                   languages: try languages(of: removed, in: db), in: db, now: now)
            for row in removed {
                try db.execute(sql: "DELETE FROM meeting_attendee WHERE meeting_id = ? AND address = ?", arguments: [meeting.id, row.address])
            }
            details["removed"] = removed.map { $0.login ?? $0.address }.joined(separator: ",")
            return MeetingChange(meeting: updated, summary: "removed \(removed.map { $0.login ?? $0.address }.joined(separator: ", ")) from meeting \(meeting.id)",
                                 notices: notices)
        }
    }

    /// Checks occurrences for conflicts, leaving `meetingID` itself out; a taken room always
    /// refuses, busy attendees unless `allow`. Returns the allowed conflicts.
    func checkConflicts(_ occurrences: [MeetingDraft.Occurrence], people: [ResolvedAttendee], roomID: Int64?, roomName: String?,
                        meetingID: Int64?, allow: Bool, zone: CalendarZone, in db: Database) throws -> [BookingConflict] {
        let conflicts = try redacted(try Self.conflicts(of: occurrences, people: people, roomID: roomID, roomName: roomName,
                                                        excluding: meetingID, in: db), in: db)
        if let taken = conflicts.first(where: \.isRoom) {
            throw SchedulingError(.conflict, "\(taken.who) is taken \(describe(taken.start, taken.end, zone: zone)) by \(Self.name(of: taken))\(Self.more(conflicts.filter(\.isRoom).count)): choose another time or room (`meetctl find-time`)")
        }
        if !conflicts.isEmpty, !allow {
            let list = conflicts.prefix(3).map { "\($0.who) \(describe($0.start, $0.end, zone: zone)) (\(Self.name(of: $0)))" }
            throw SchedulingError(.conflict, "busy: \(list.joined(separator: "; "))\(Self.more(conflicts.count - 2)): use --allow-conflicts, or find a time (`meetctl find-time`)")
        }
        return conflicts
    }

    /// The occurrence of a meeting on a day (`2026-12-08`, `08/12/2026`) or at a start
    /// (`2026-12-08T09:00`), in the meeting's zone.
    static func occurrence(of meeting: Meeting, named text: String, in db: Database) throws -> MeetingOccurrence {
        let zone = try CalendarZone(meeting.timeZone)
        let rows = try MeetingOccurrence.fetchAll(db, sql: "SELECT * FROM meeting_occurrence WHERE meeting_id = ? ORDER BY start_at",
                                                  arguments: [meeting.id])
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let matches: [MeetingOccurrence]
        if let exact = LocalDateTime(iso: trimmed) {
            let original = rows.filter { zone.local(of: InviteComposer.parseRecurrenceID($0.recurrenceID) ?? $0.start) == exact }
            matches = original.isEmpty ? rows.filter { zone.local(of: $0.start) == exact } : original
        } else if let day = MeetingTimeParser.isoDate(trimmed) ?? MeetingTimeParser.dayMonthYear(trimmed) {
            let key = String(format: "%04d-%02d-%02d", day.year, day.month, day.day)
            let original = rows.filter { Self.day(of: InviteComposer.parseRecurrenceID($0.recurrenceID) ?? $0.start, in: zone) == key }
            matches = original.isEmpty ? rows.filter { Self.day(of: $0.start, in: zone) == key } : original
        } else {
            throw SchedulingError(.invalidInput, "--occurrence \(Quoting.quoted(text)): expected a day (2026-12-08) or a start (2026-12-08T09:00)")
        }
        guard let first = matches.first else {
            throw SchedulingError(.notFound, "meeting \(meeting.id) has no occurrence on \(trimmed) (\(zone.identifier)); see `meetctl show \(meeting.id)`")
        }
        guard matches.count == 1 else {
            throw SchedulingError(.invalidInput, "meeting \(meeting.id) meets more than once on \(trimmed): give the start too (2026-12-08T09:00)")
        }
        return first
    }

    /// `2026-12-08`: the day of an instant in `zone`.
    static func day(of instant: Date, in zone: CalendarZone) -> String {
        let local = zone.local(of: instant)
        return String(format: "%04d-%02d-%02d", local.year, local.month, local.day)
    }

    static func day(of seconds: Int64, in zone: CalendarZone) -> String {
        day(of: Date(timeIntervalSince1970: TimeInterval(seconds)), in: zone)
    }

    /// The invite language of each attendee: the person's, else the configured default.
    func languages(of attendees: [MeetingAttendee], in db: Database) throws -> [String: String] {
        var result: [String: String] = [:]
        for attendee in attendees {
            let language = try attendee.personID.flatMap { try String.fetchOne(db, sql: "SELECT language FROM person WHERE id = ?", arguments: [$0]) }
            result[attendee.address] = language ?? locale.language
        }
        return result
    }
}
