import Foundation
import MailTestSupport
import Scheduling
import SwitchboardBase
import SwitchboardCore
import SwitchboardTestSupport
import Testing
import Transport

/// `meetctl replies sync` and `meetctl show` on the real mail stack: replies composed as mail
/// clients compose them arrive in the organizer's mailbox and are recorded once.
@Suite struct RepliesSyncTests {
    /// A weekly meeting (three Tuesdays at 09:00 Asia/Ho_Chi_Minh) organized by a staff member
    /// with a mailbox, and four invited colleagues.
    struct Fixture {
        let meet: MeetWorkspace
        var mail: MailWorkspace { meet.mail }
        let organizer: String
        let mailbox: String
        /// The password `MeetWorkspace.person` gives every mailbox.
        let password = "Gi0-mua-thu-Ha-Noi"
        /// The attendees' addresses by first name: binh, chi, dung, em.
        let address: [String: String]
        let uid: String
        let meetingID: Int64

        /// Books the meeting through `meetctl book` and waits for the organizer's copy of the
        /// invite, so that every later message in the mailbox is one the test sends.
        init() throws {
            meet = try MeetWorkspace()
            organizer = meet.login("org")
            mailbox = try meet.person(organizer, "Trần Tổ Chức")
            var address: [String: String] = [:]
            for (name, full) in [("binh", "Lê Bình"), ("chi", "Phạm Chi"), ("dung", "Võ Dũng"), ("em", "Hồ Em")] {
                address[name] = try meet.person(meet.login(name), full)
            }
            self.address = address
            let meet = self.meet
            let invited = ["binh", "chi", "dung", "em"].map { meet.login($0) }.joined(separator: ",")
            let booked = try meet.meetctl(["book", "Giao ban tuần", "--start", "2027-03-02T09:00", "--duration", "1h", "--with", invited,
                                           "--rrule", "FREQ=WEEKLY;BYDAY=TU;COUNT=3", "--json"], as: organizer)
            guard booked.status == 0, let output = try JSONSerialization.jsonObject(with: Data(booked.stdout.utf8)) as? [String: Any],
                  let uid = output["uid"] as? String, let id = output["id"] as? Int else {
                throw TestSetupError("meetctl book failed (\(booked.status)): \(booked.stderr) \(booked.stdout)")
            }
            self.uid = uid
            meetingID = Int64(id)
            for messageID in try SQLite.run(meet.mail.database, "SELECT message_id FROM outbox WHERE recipients = '\(mailbox)'").split(separator: "\n") {
                guard try meet.mail.delivered(String(messageID), to: mailbox) else {
                    throw TestSetupError("the organizer's copy \(messageID) did not arrive in \(mailbox)")
                }
            }
        }

        func meetctl(_ arguments: [String], stdin: String? = nil) throws -> CommandRun {
            try meet.meetctl(arguments, stdin: stdin)
        }

        /// An attendee's address: `f["binh"]`.
        subscript(_ name: String) -> String { address[name] ?? "\(name)@\(mail.domain)" }

        /// `replies sync` of the organizer's mailbox, as the organizer.
        func sync() throws -> ReplySyncReport {
            let run = try meetctl(["replies", "sync", "--mailbox", mailbox, "--password-stdin", "--as", organizer, "--json"], stdin: password + "\n")
            guard run.status == 0 else { throw TestSetupError("replies sync exited \(run.status): \(run.stderr)") }
            return try JSONDecoder().decode(ReplySyncReport.self, from: Data(run.stdout.utf8))
        }

        /// Sends a raw message through the relay to the organizer and waits until it is in the mailbox.
        func deliver(from sender: String, _ headersAndBody: String) throws {
            let id = "<\(UUID().uuidString)@\(mail.domain)>"
            let message = "Message-ID: \(id)\r\nTo: <\(mailbox)>\r\nDate: Sat, 05 Dec 2026 09:00:00 +0700\r\n"
                + headersAndBody.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
            let smtp = try SMTPSession(server: mail.relayServer, credentials: nil, heloName: mail.domain)
            defer { smtp.close() }
            _ = try smtp.send(from: sender, to: [mailbox], message: message)
            guard try mail.delivered(id, to: mailbox) else { throw TestSetupError("the reply from \(sender) did not arrive in \(mailbox)") }
        }

        func event(_ lines: [String], method: String? = "REPLY") -> String {
            (["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Replies//EN"] + (method.map { ["METHOD:\($0)"] } ?? []) + ["BEGIN:VEVENT", "UID:\(uid)"]
                + lines + ["END:VEVENT", "END:VCALENDAR", ""]).joined(separator: "\r\n")
        }

        func partstat(_ name: String) throws -> String {
            try mail.scalar("SELECT partstat FROM meeting_attendee WHERE meeting_id = \(meetingID) AND address = '\(self[name])'")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func replyEvents(_ outcome: String) throws -> Int {
            try mail.events("action = 'meet.reply' AND outcome = '\(outcome)' AND target = 'meeting:\(uid)'")
        }
    }

    /// Thunderbird: the calendar inline in multipart/alternative and again as invite.ics, 8-bit.
    func thunderbirdAccept(_ f: Fixture) throws {
        let ics = f.event(["DTSTAMP:20261205T020000Z", "SEQUENCE:0", "DTSTART;TZID=Asia/Ho_Chi_Minh:20270302T090000",
                           "DTEND;TZID=Asia/Ho_Chi_Minh:20270302T100000", "SUMMARY:Accepted: Giao ban tuần",
                           "ORGANIZER;CN=Trần Tổ Chức:mailto:\(f.mailbox)",
                           "ATTENDEE;CN=Lê Bình;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:\(f["binh"])"])
        try f.deliver(from: "\(f["binh"])", """
            From: Lê Bình <\(f["binh"])>
            Subject: Accepted: Giao ban tuần
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="------------tb1"

            --------------tb1
            Content-Type: multipart/alternative; boundary="------------tb2"

            --------------tb2
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: 8bit

            Lê Bình has accepted your event invitation.
            --------------tb2
            Content-Type: text/calendar; method=REPLY; charset=UTF-8
            Content-Transfer-Encoding: 8bit

            \(ics)
            --------------tb2--
            --------------tb1
            Content-Type: application/ics; name="invite.ics"
            Content-Disposition: attachment; filename="invite.ics"
            Content-Transfer-Encoding: base64

            \(Data(ics.utf8).base64EncodedString(options: .lineLength76Characters))
            --------------tb1--
            """)
    }

    /// Outlook: base64, a Windows zone name without VTIMEZONE, MAILTO in capitals, its own sequence.
    func outlookDecline(_ f: Fixture) throws {
        let ics = f.event(["ATTENDEE;PARTSTAT=DECLINED;CN=Phạm Chi:MAILTO:\(f["chi"].uppercased())", "COMMENT;LANGUAGE=vi-VN:Tôi bận.",
                           "SUMMARY;LANGUAGE=vi-VN:Từ chối: Giao ban tuần", "DTSTART;TZID=SE Asia Standard Time:20270302T090000",
                           "DTEND;TZID=SE Asia Standard Time:20270302T100000", "ORGANIZER;CN=Trần Tổ Chức:MAILTO:\(f.mailbox)",
                           "DTSTAMP:20261205T030000Z", "SEQUENCE:0", "X-MICROSOFT-CDO-APPT-SEQUENCE:1", "X-MICROSOFT-CDO-OWNERAPPTID:-1"])
        try f.deliver(from: "\(f["chi"])", """
            From: =?utf-8?B?UGjhuqFtIENoaQ==?= <\(f["chi"])>
            Subject: =?utf-8?B?VOG7qyBjaOG7kWk=?=
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="_000_OUTLOOK_"

            --_000_OUTLOOK_
            Content-Type: text/plain; charset="utf-8"
            Content-Transfer-Encoding: base64

            VMO0aSBi4bqtbi4=
            --_000_OUTLOOK_
            Content-Type: text/calendar; charset="utf-8"; method=REPLY
            Content-Transfer-Encoding: base64

            \(Data(ics.utf8).base64EncodedString(options: .lineLength76Characters))
            --_000_OUTLOOK_--
            """)
    }

    @Test func repliesOfRealClientsAreRecordedOnceAndShown() throws {
        let f = try Fixture()
        // Not a reply: a plain message (the organizer's copy of the invite is there too).
        try f.deliver(from: "sender@\(f.mail.domain)", "From: <sender@\(f.mail.domain)>\nSubject: hi\n\nXin chào.\n")
        try thunderbirdAccept(f)
        try outlookDecline(f)
        // Without ORGANIZER, quoted-printable.
        try f.deliver(from: "\(f["dung"])", "From: <\(f["dung"])>\nSubject: Re\nContent-Type: text/calendar; charset=UTF-8; method=REPLY\n"
                      + "Content-Transfer-Encoding: quoted-printable\n\n"
                      + f.event(["DTSTAMP:20261205T040000Z", "DTSTART:20270302T020000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:\(f["dung"])"])
                        .replacingOccurrences(of: "=", with: "=3D"))
        // The MIME method= stripped, and no METHOD in the calendar either.
        try f.deliver(from: "\(f["em"])", "From: <\(f["em"])>\nSubject: Re\nContent-Type: text/calendar; charset=UTF-8\n\n"
                      + f.event(["DTSTAMP:20261205T050000Z", "DTSTART:20270302T020000Z", "ORGANIZER:mailto:\(f.mailbox)",
                                 "ATTENDEE;PARTSTAT=ACCEPTED:mailto:\(f["em"])"], method: nil))
        // Tentative for the second Tuesday only.
        try f.deliver(from: "\(f["binh"])", "From: <\(f["binh"])>\nSubject: Re\nContent-Type: application/ics; name=reply.ics\n\n"
                      + f.event(["DTSTAMP:20261205T060000Z", "SEQUENCE:0", "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20270309T090000",
                                 "DTSTART;TZID=Asia/Ho_Chi_Minh:20270309T090000", "ATTENDEE;PARTSTAT=TENTATIVE:mailto:\(f["binh"])"]))
        // A forged attendee.
        try f.deliver(from: "mallory@\(f.mail.domain)", "From: <mallory@\(f.mail.domain)>\nSubject: Re\nContent-Type: text/calendar; method=REPLY\n\n"
                      + f.event(["DTSTAMP:20261205T070000Z", "DTSTART:20270302T020000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mallory@\(f.mail.domain)"]))

        // A reply to a meeting booked elsewhere.
        try f.deliver(from: f["dung"], "From: <\(f["dung"])>\nSubject: Re\nContent-Type: text/calendar; method=REPLY\n\n"
                      + f.event(["DTSTAMP:20261205T080000Z", "DTSTART:20270302T020000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:\(f["dung"])"])
                        .replacingOccurrences(of: "UID:\(f.uid)", with: "UID:elsewhere-\(f.uid)"))

        let first = try f.sync()
        #expect(first.messagesRead == 9)
        let outcomes = first.replies.map { "\($0.attendee) \($0.answer) \($0.outcome.rawValue)" }
        let d = f.mail.domain
        #expect(outcomes == ["\(f["binh"]) ACCEPTED applied", "\(f["chi"]) DECLINED applied", "\(f["dung"]) ACCEPTED applied",
                             "\(f["em"]) ACCEPTED applied", "\(f["binh"]) TENTATIVE applied", "mallory@\(d) ACCEPTED refused",
                             "\(f["dung"]) ACCEPTED skipped"], "\(first.replies)")
        #expect(first.replies.last?.reason == "no meeting with this UID here (booked elsewhere, or deleted)")
        #expect(first.replies.first { $0.answer == "TENTATIVE" }?.occurrence == "20270309T020000Z")
        #expect(first.replies.first { $0.answer == "DECLINED" }?.sequence == 1)
        #expect(try f.partstat("binh") == "ACCEPTED" && f.partstat("chi") == "DECLINED" && f.partstat("dung") == "ACCEPTED" && f.partstat("em") == "ACCEPTED")
        #expect(try f.replyEvents("ok") == 5)
        #expect(try f.replyEvents("denied") == 1)
        #expect(try f.mail.scalar("SELECT count(*) FROM meeting_attendee WHERE address LIKE 'mallory@%' AND meeting_id = \(f.meetingID)")
                    .trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // A second sync reads nothing and changes nothing.
        let second = try f.sync()
        #expect(second.messagesRead == 0 && second.replies.isEmpty)
        #expect(try f.replyEvents("ok") == 5 && f.replyEvents("denied") == 1)

        // The same decline delivered again: read, and ignored.
        try outlookDecline(f)
        let third = try f.sync()
        #expect(third.replies.map(\.outcome) == [.ignored], "\(third.replies)")
        #expect(try f.replyEvents("ok") == 5)

        // A new UIDVALIDITY: everything is read again, and nothing applied twice.
        _ = try f.mail.scalar("UPDATE meeting_reply_mailbox SET uid_validity = uid_validity + 1 WHERE mailbox = '\(f.mailbox)'")
        let again = try f.sync()
        #expect(again.restarted && again.messagesRead == 10)
        #expect(again.replies.filter { $0.outcome == .applied }.isEmpty, "\(again.replies)")
        #expect(try f.replyEvents("ok") == 5)

        // `show` groups the answers and lists the occurrence's under it.
        let show = try f.meetctl(["show", String(f.meetingID), "--as", f.organizer])
        #expect(show.status == 0, "\(show.stderr)")
        let text = show.stdout
        #expect(text.contains("Accepted (4):\n  Trần Tổ Chức <\(f.mailbox)> (organizer)\n  Hồ Em <\(f["em"])>\n  Lê Bình <\(f["binh"])>\n  Võ Dũng <\(f["dung"])>\n"), "\(text)")
        #expect(text.contains("Declined (1):\n  Phạm Chi <\(f["chi"])>\n"), "\(text)")
        #expect(text.contains("Tentative (0):\nNot yet answered (0):\n"), "\(text)")
        #expect(text.contains("Answers for single occurrences:\n  Tue 2027-03-09 09:00:\n    Lê Bình <\(f["binh"])>: tentative"), "\(text)")
        #expect(text.contains("When: Tue 2027-03-02 09:00, 1 h, weekly on Tue, 3 times"), "\(text)")
        let json = try f.meetctl(["show", f.uid, "--as", f.organizer, "--json"])
        #expect(json.status == 0 && json.stdout.contains("\"occurrence_answers\""), "\(json.stderr)")
    }

    @Test func staffReadOnlyTheirOwnMailboxAndTheServiceMailboxNeedsAPrivateFile() throws {
        let f = try Fixture()
        let other = f.meet.login("other")
        try f.mail.dirctlOK("person", "add", other, "--name", "Người Khác")
        let refused = try f.meetctl(["replies", "sync", "--mailbox", f.mailbox, "--password-stdin", "--as", other], stdin: f.password + "\n")
        #expect(refused.status == 77 && refused.stderr.contains("not \(other)'s mailbox"), "\(refused.stderr)")
        #expect(try f.mail.events("action = 'meet.reply' AND outcome = 'denied' AND actor = '\(other)'") == 1)
        // Staff cannot use the configured service mailbox; the helpdesk can, with a private password file.
        let passwordFile = f.mail.folder + "/replies.pw"
        try (f.password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try f.mail.writeConfig(sections: "meet:\n  replies_mailbox: \(f.mailbox)\n  replies_password_file: \(passwordFile)\n")
        let staff = try f.meetctl(["replies", "sync", "--as", other])
        #expect(staff.status == 77, "\(staff.stderr)")
        let desk = f.meet.login("desk")
        try f.mail.dirctlOK("person", "add", desk, "--name", "Hỗ Trợ", "--role", "helpdesk")
        chmod(passwordFile, 0o644)
        let open = try f.meetctl(["replies", "sync", "--as", desk])
        #expect(open.status != 0 && open.stderr.contains("readable by everyone"), "\(open.stderr)")
        chmod(passwordFile, 0o600)
        try thunderbirdAccept(f)
        let synced = try f.meetctl(["replies", "sync", "--as", desk])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stdout.contains("\(f["binh"]) ACCEPTED \"Giao ban tuần\" (#\(f.meetingID)): applied"), "\(synced.stdout)")
        #expect(try f.partstat("binh") == "ACCEPTED")
    }
}
