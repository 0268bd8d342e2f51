import Foundation
import GRDB
import ICalendar
@testable import Scheduling
import SwitchboardCore
import SwitchboardTestSupport
import Testing

/// The matching and ordering rules of replies, against a real SQLite file: a weekly meeting in
/// Asia/Ho_Chi_Minh (Tue 09:00 = 02:00Z) organized by `an`, with `binh` and `chi` invited.
@Suite final class RepliesRulesTests {
    let folder: String
    let database: SwitchboardDatabase
    let session: Session
    let meeting: Meeting

    init() throws {
        folder = try ScratchFolder.make("replies-rules")
        database = try SwitchboardDatabase(path: folder + "/switchboard.db", create: true)
        session = Session.bootstrap(database: database, osUser: "root", tool: "test", host: "test", audit: AuditLog())
        meeting = try session.perform(.meetBook, target: "meeting:weekly-1@bo.test") { db, _ in
            let now = "2026-12-01T00:00:00.000Z"
            for login in ["an", "binh", "chi"] {
                try db.execute(sql: """
                    INSERT INTO person (login, display_name, status_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [login, login.capitalized, now, now, now])
            }
            let an = try Int64.fetchOne(db, sql: "SELECT id FROM person WHERE login = 'an'") ?? 0
            let occurrences = ["20261208T020000Z", "20261215T020000Z", "20261222T020000Z"].enumerated().map { index, id in
                MeetingDraft.Occurrence(recurrenceID: id, start: 1_796_695_200 + Int64(index) * 604_800, end: 1_796_698_800 + Int64(index) * 604_800)
            }
            let draft = MeetingDraft(uid: "weekly-1@bo.test", title: "Giao ban", agenda: "", organizerID: an, sentByID: nil, roomID: nil,
                                     joinURL: "", timeZone: "Asia/Ho_Chi_Minh", startLocal: "2026-12-08T09:00:00", durationSeconds: 3600,
                                     rrule: "FREQ=WEEKLY;COUNT=3", attendees: [
                                        .init(address: "an@bo.test", personID: an, name: "An", role: "CHAIR", partstat: "ACCEPTED"),
                                        .init(address: "binh@bo.test", personID: nil, name: "Bình"),
                                        .init(address: "chi@bo.test", personID: nil, name: "Chi"),
                                     ], occurrences: occurrences)
            let id = try MeetingWriter.insert(draft, in: db, now: Date(timeIntervalSince1970: 1_796_000_000))
            guard let meeting = try Meeting.fetchOne(db, sql: Meeting.selection + " WHERE m.id = ?", arguments: [id]) else {
                throw TestSetupError("the meeting just inserted is not there")
            }
            return meeting
        }
    }

    /// A reply as a client writes it; `extra` lines go inside the VEVENT.
    func reply(_ attendee: String, _ partstat: String, sequence: Int = 0, stamp: String = "20261202T010000Z", method: String? = "REPLY",
               extra: [String] = []) -> String {
        (["BEGIN:VCALENDAR", "PRODID:-//Test//EN", "VERSION:2.0"] + (method.map { ["METHOD:\($0)"] } ?? []) + [
            "BEGIN:VEVENT", "UID:weekly-1@bo.test", "DTSTAMP:\(stamp)", "SEQUENCE:\(sequence)",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20261208T090000", "DTEND;TZID=Asia/Ho_Chi_Minh:20261208T100000",
            "SUMMARY:Giao ban", "ATTENDEE;PARTSTAT=\(partstat):\(attendee)",
        ] + extra + ["END:VEVENT", "END:VCALENDAR", ""]).joined(separator: "\r\n")
    }

    func answer(_ text: String, from: String = "") throws -> ReplyAnswer {
        let object = try CalendarParser.parse(text, source: "test reply")
        #expect(ReplyRules.isReply(object))
        guard case .answer(let answer)? = ReplyRules.answers(in: object, from: from).first else {
            throw TestSetupError("no answer in \(text)")
        }
        return answer
    }

    func decide(_ answer: ReplyAnswer) throws -> ReplyDecision {
        try database.read { db in try ReplyRules.decide(answer, meeting: meeting, in: db) }
    }

    /// Decides and, when it says so, applies.
    @discardableResult
    func take(_ text: String) throws -> ReplyDecision {
        let answer = try answer(text)
        let decision = try decide(answer)
        if case .apply(let occurrence) = decision {
            try session.perform(.meetReply, target: Scheduler.target(meeting.uid)) { db, _ in
                try ReplyRules.apply(answer, meeting: meeting, occurrence: occurrence, in: db)
            }
        }
        return decision
    }

    func partstat(_ address: String) throws -> String? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT partstat FROM meeting_attendee WHERE meeting_id = ? AND address = ?", arguments: [meeting.id, address])
        }
    }

    deinit {
        if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func anOutlookDeclineCountsItsMicrosoftSequenceAndAnyCaseMailto() throws {
        let text = reply("MAILTO:Binh@BO.test", "DECLINED", extra: ["X-MICROSOFT-CDO-APPT-SEQUENCE:2"])
            .replacingOccurrences(of: "TZID=Asia/Ho_Chi_Minh", with: "TZID=SE Asia Standard Time")
        let answer = try answer(text)
        #expect(answer.attendee == "binh@bo.test" && answer.sequence == 2 && answer.partstat == .declined)
        #expect(try take(text) == .apply(occurrence: nil))
        #expect(try partstat("binh@bo.test") == "DECLINED")
        // A reply to the first invite (SEQUENCE 0), written later, is older: ignored.
        #expect(try take(reply("mailto:binh@bo.test", "ACCEPTED", sequence: 1, stamp: "20261203T010000Z")) == .ignore("older than the answer recorded (SEQUENCE 1 < 2)"))
        #expect(try partstat("binh@bo.test") == "DECLINED")
    }

    @Test func theSameReplyTwiceChangesNothingAndAnEarlierStampLoses() throws {
        let accepted = reply("mailto:chi@bo.test", "ACCEPTED", stamp: "20261202T080000Z")
        #expect(try take(accepted) == .apply(occurrence: nil))
        #expect(try take(accepted) == .ignore("already recorded"))
        #expect(try take(reply("mailto:chi@bo.test", "DECLINED", stamp: "20261202T070000Z"))
                == .ignore("older than the answer recorded (same SEQUENCE, earlier DTSTAMP)"))
        #expect(try partstat("chi@bo.test") == "ACCEPTED")
        // The same SEQUENCE with a later DTSTAMP: she changed her mind.
        #expect(try take(reply("mailto:chi@bo.test", "TENTATIVE", stamp: "20261202T090000Z")) == .apply(occurrence: nil))
        #expect(try partstat("chi@bo.test") == "TENTATIVE")
    }

    @Test func anOccurrenceAnswerIsKeptApartFromTheSeries() throws {
        let text = reply("mailto:binh@bo.test", "TENTATIVE", extra: ["RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20261215T090000"])
        #expect(try take(text) == .apply(occurrence: "20261215T020000Z"))
        #expect(try partstat("binh@bo.test") == "NEEDS-ACTION")
        let stored = try database.read { db in
            try Row.fetchOne(db, sql: "SELECT recurrence_id, partstat FROM meeting_occurrence_reply WHERE meeting_id = ?", arguments: [meeting.id])
        }
        #expect(stored?["recurrence_id"] == "20261215T020000Z" && stored?["partstat"] == "TENTATIVE")
        #expect(try take(text) == .ignore("already recorded"))
        // In UTC, the same occurrence; a day the series does not meet on is skipped.
        #expect(try take(reply("mailto:binh@bo.test", "DECLINED", stamp: "20261203T000000Z", extra: ["RECURRENCE-ID:20261215T020000Z"]))
                == .apply(occurrence: "20261215T020000Z"))
        #expect(try take(reply("mailto:binh@bo.test", "DECLINED", extra: ["RECURRENCE-ID:20261216T020000Z"]))
                == .skip("meeting \(meeting.id) has no occurrence at 20261216T020000Z"))
    }

    /// What only the mail tells: who sent it, and which version of the meeting it answers.
    func screen(_ text: String, from: String, envelope: String = "") throws -> ReplyDecision? {
        var answer = try answer(text)
        return try database.read { db in try Scheduler.screen(&answer, meeting: meeting, from: from, envelope: envelope, in: db) }
    }

    @Test func anAnswerForSomeoneElseOrForAnotherVersionIsNotTaken() throws {
        let declined = reply("mailto:binh@bo.test", "DECLINED")
        #expect(try screen(declined, from: "binh@bo.test", envelope: "binh@bo.test") == nil)
        #expect(try screen(declined, from: "mallory@evil.test") == .refuse("the answer for binh@bo.test came from mallory@evil.test"))
        #expect(try screen(declined, from: "binh@bo.test", envelope: "mallory@evil.test")
                == .refuse("the answer for binh@bo.test was sent by mallory@evil.test (Return-Path)"))
        #expect(try screen(declined, from: "") == .refuse("the answer for binh@bo.test came from no sender"))
        // A made-up SEQUENCE counts as the meeting's: it cannot make later real answers older.
        var high = try answer(reply("mailto:binh@bo.test", "DECLINED", sequence: 99_999))
        let bounded = try database.read { db in try Scheduler.screen(&high, meeting: meeting, from: "binh@bo.test", envelope: "", in: db) }
        #expect(bounded == nil && high.sequence == meeting.sequence)
        // After a reschedule (SEQUENCE 1), an answer to the old time is stale.
        try session.perform(.meetUpdate, target: Scheduler.target(meeting.uid)) { db, _ in
            try db.execute(sql: "UPDATE meeting SET sequence = 1 WHERE id = ?", arguments: [meeting.id])
        }
        let moved = try database.read { db in try Meeting.fetchOne(db, sql: Meeting.selection + " WHERE m.id = ?", arguments: [meeting.id]) }
        var stale = try answer(declined)
        let decision = try database.read { db in
            try Scheduler.screen(&stale, meeting: try #require(moved), from: "binh@bo.test", envelope: "", in: db)
        }
        #expect(decision == .ignore("answers an earlier version of the meeting (SEQUENCE 0 < 1); the attendee was asked again"))
    }

    @Test func someoneWhoIsNotInvitedIsRefused() throws {
        #expect(try take(reply("mailto:mallory@evil.test", "ACCEPTED")) == .refuse("mallory@evil.test is not an attendee of meeting \(meeting.id)"))
        #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM meeting_attendee WHERE address LIKE 'mallory%'") } == 0)
    }

    @Test func onlyRepliesAreAnswers() throws {
        // No METHOD and one attendee: a reply whose client dropped the METHOD.
        #expect(ReplyRules.isReply(try CalendarParser.parse(reply("mailto:chi@bo.test", "ACCEPTED", method: nil), source: "t")))
        #expect(!ReplyRules.isReply(try CalendarParser.parse(reply("mailto:chi@bo.test", "ACCEPTED", method: "REQUEST"), source: "t")))
        // The whole list sent back: the sender's line is the answer.
        let listed = reply("mailto:an@bo.test", "ACCEPTED", extra: ["ATTENDEE;PARTSTAT=DECLINED:mailto:chi@bo.test"])
        let object = try CalendarParser.parse(listed, source: "t")
        guard case .answer(let answer)? = ReplyRules.answers(in: object, from: "chi@bo.test").first else {
            Issue.record("no answer picked from a full attendee list")
            return
        }
        #expect(answer.attendee == "chi@bo.test" && answer.partstat == .declined)
    }

    @Test func calendarPartsAreFoundWhateverTheirTypeAndEncoding() {
        let ics = reply("mailto:chi@bo.test", "ACCEPTED")
        let base64 = Data(ics.utf8).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\r\n", with: "\n")
        let raw = """
            From: "Chi" <Chi@BO.test>
            Message-ID: <r1@bo.test>
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain; charset=utf-8

            Chi has accepted.
            --inner
            Content-Type: text/calendar; charset="UTF-8"
            Content-Transfer-Encoding: base64

            \(base64)
            --inner--
            --outer
            Content-Type: application/ics; name=invite.ics
            Content-Transfer-Encoding: quoted-printable

            \(ics.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: "\r\n", with: "=0D=0A=\n"))
            --outer--
            """.replacingOccurrences(of: "\n", with: "\r\n")
        let mail = ReplyMail(raw: raw)
        #expect(mail.from == "chi@bo.test" && mail.messageID == "r1@bo.test")
        // The same calendar inline (base64) and attached (quoted-printable): read once.
        #expect(mail.calendars == [ics])
    }
}
