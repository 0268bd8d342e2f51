import Foundation
import ICalendar
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// Invites on the real mail stack: booked with meetctl, delivered by Postfix, read from the
/// attendees' mailboxes as their mail clients would.
@Suite(.serialized) struct InviteDeliveryTests {
    /// A Tuesday well ahead, so "now" never passes it during the test run.
    static let day = "2027-03-02"

    @Test func threeAttendeesFindTheInviteThenTheUpdateThenTheOccurrenceCancel() throws {
        let meet = try MeetWorkspace()
        let an = meet.login("an"), binh = meet.login("binh"), chi = meet.login("chi"), dung = meet.login("dung")
        try meet.person(an, "Nguyễn Văn An")
        let addresses = [try meet.person(binh, "Trần Bình"), try meet.person(chi, "Lê Chi", language: "en"), try meet.person(dung, "Võ Dũng")]
        let room = "VC \(meet.mail.domain)"
        try meet.mail.dirctlOK("room", "add", room, "--kind", "virtual", "--capacity", "50", "--location", "Jitsi")

        let booked = try meet.meetOK(["book", "Giao ban tuần", "--start", "\(Self.day)T09:00", "--duration", "1h",
                                      "--with", "\(binh),\(chi)", "--with", dung, "--room", room, "--repeat", "weekly count 4", "--json"], as: an)
        let output = try #require(try JSONSerialization.jsonObject(with: Data(booked.stdout.utf8)) as? [String: Any], "\(booked.stdout)")
        let uid = try #require(output["uid"] as? String)
        let id = try #require(output["id"] as? Int)
        #expect(output["occurrences"] as? Int == 4)
        #expect(booked.stderr.contains("Sent the meeting-invite mail to \(addresses[0])"), "\(booked.stderr)")

        for address in addresses {
            let messageID = try #require(try meet.messageIDs(to: address, kind: "meeting-invite").first)
            let raw = try #require(try meet.mail.deliveredMessage(messageID, to: address), "no invite in \(address)'s mailbox")
            let invite = try DeliveredInvite(raw)
            #expect(invite.mimeMethod == "REQUEST")
            #expect(invite.value("METHOD") == "REQUEST")
            #expect(invite.value("UID") == uid)
            #expect(invite.value("SEQUENCE") == "0")
            #expect(invite.calendar.contains("RRULE:FREQ=WEEKLY;COUNT=4"))
            #expect(invite.calendar.contains("TZID=Asia/Ho_Chi_Minh"))
            #expect(invite.unfolded.lowercased().contains("rsvp=true;cn=") && invite.unfolded.lowercased().contains("mailto:\(address)"))
            #expect(invite.calendar.contains("https://meet.\(meet.mail.domain)/"))
            let parsed = try CalendarParser.parse(invite.calendar, source: "invite")
            #expect(parsed.method == .request)
            #expect(parsed.events.first?.attendees.count == 5, "organizer, three attendees, the room")
        }
        // The organizer's copy arrived too, and the English speaker's text is English.
        let english = try #require(try meet.mail.deliveredMessage(try meet.messageIDs(to: addresses[1], kind: "meeting-invite")[0], to: addresses[1]))
        #expect(english.contains("<html lang=3D\"en\">") && !english.contains("<html lang=3D\"vi\">"))

        try meet.meetOK(["reschedule", String(id), "--start", "\(Self.day)T10:00"], as: an)
        let updateID = try #require(try meet.messageIDs(to: addresses[0], kind: "meeting-update").first)
        let update = try DeliveredInvite(try #require(try meet.mail.deliveredMessage(updateID, to: addresses[0])))
        #expect(update.value("SEQUENCE") == "1" && update.value("UID") == uid && update.mimeMethod == "REQUEST")

        try meet.meetOK(["cancel", String(id), "--occurrence", "2027-03-09"], as: an)
        let cancelID = try #require(try meet.messageIDs(to: addresses[2], kind: "meeting-cancel").first)
        let cancel = try DeliveredInvite(try #require(try meet.mail.deliveredMessage(cancelID, to: addresses[2])))
        #expect(cancel.mimeMethod == "CANCEL" && cancel.value("METHOD") == "CANCEL")
        #expect(cancel.value("SEQUENCE") == "2")
        #expect(cancel.calendar.contains("RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20270309T100000"), "\(cancel.calendar)")
        #expect(cancel.value("STATUS") == "CANCELLED")

        try meet.meetOK(["cancel", String(id)], as: an)
        let seriesCancelID = try #require(try meet.messageIDs(to: addresses[0], kind: "meeting-cancel").last)
        let seriesCancel = try DeliveredInvite(try #require(try meet.mail.deliveredMessage(seriesCancelID, to: addresses[0])))
        #expect(seriesCancel.mimeMethod == "CANCEL" && seriesCancel.value("SEQUENCE") == "3" && seriesCancel.value("STATUS") == "CANCELLED")
        #expect(seriesCancel.value("RECURRENCE-ID") == nil && seriesCancel.calendar.contains("RRULE:"))
        #expect(try meet.mail.events("action = 'meet.book' AND target = 'meeting:\(uid)'") == 1)

        // What was delivered reads the same in python3-icalendar and khal.
        let sent = [("request", try DeliveredInvite(try #require(try meet.mail.deliveredMessage(
                        try meet.messageIDs(to: addresses[0], kind: "meeting-invite")[0], to: addresses[0])))),
                    ("update", update), ("cancel", cancel), ("series-cancel", seriesCancel)]
        let folder = try ScratchFolder.make("meet-peers")
        defer { _ = ScratchFolder.remove(folder) }
        var files: [String] = []
        for (name, invite) in sent {
            let bytes = Array(invite.calendar.utf8)
            #expect(invite.calendar.hasSuffix("END:VCALENDAR\r\n") && !invite.calendar.hasSuffix("\r\n\r\n"), "\(name)")
            #expect(!invite.calendar.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "\(name): a bare LF")
            let longest = bytes.split(separator: 10).map { $0.count - ($0.last == 13 ? 1 : 0) }.max() ?? 0
            #expect(longest <= 75, "\(name): a line of \(longest) octets")
            let file = "\(folder)/\(name).ics"
            try invite.calendar.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let python = try CalendarPeers.pythonRead(files)
        let expected: [(method: String, sequence: Int, recurrence: Bool)] = [
            ("REQUEST", 0, false), ("REQUEST", 1, false), ("CANCEL", 2, true), ("CANCEL", 3, false),
        ]
        for (entry, want) in zip(python, expected) {
            #expect(entry["method"] as? String == want.method, "\(entry)")
            let event = try #require((entry["events"] as? [[String: Any]])?.first, "\(entry)")
            #expect(event["uid"] as? String == uid)
            #expect(event["sequence"] as? Int == want.sequence)
            #expect((event["recurrence_id"] as? String != nil) == want.recurrence, "\(event)")
            let people = (event["attendees"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
            #expect(Set(addresses).isSubset(of: Set(people)), "\(people)")
        }
        for file in files {
            let printed = try CalendarPeers.khalPrint(file)
            #expect(printed.first?.first == uid, "khal printics \(file): \(printed)")
        }
    }

    @Test func withTheMailServerStoppedTheBookingStandsAndTheInvitesArriveOnceAfterARestart() throws {
        // A stack of this test's own: stopping the shared one would fail the tests beside it.
        let stack = try PrivateMailStack(tag: "meetdown")
        let meet = try MeetWorkspace(stack: try stack.environment)
        let an = meet.login("an"), binh = meet.login("binh"), chi = meet.login("chi")
        try meet.person(an, "Nguyễn Văn An")
        let addresses = [try meet.person(binh, "Trần Bình"), try meet.person(chi, "Lê Chi")]
        try stack.stop()
        let booked = try meet.meetctl(["book", "Họp khi mất mạng", "--start", "\(Self.day)T14:00", "--duration", "30m", "--with", "\(binh),\(chi)"], as: an)
        #expect(booked.status == 0, "\(booked.stderr)")
        #expect(booked.stdout.contains("Booked meeting") && booked.stdout.contains("is queued") && booked.stdout.contains("meetctl outbox send"),
                "\(booked.stdout)")
        #expect(try meet.mail.events("action = 'meet.book' AND outcome = 'ok'") == 1)
        let waiting = try meet.meetOK(["outbox", "list"], as: an)
        #expect(waiting.stdout.contains("meeting-invite") && waiting.stdout.contains("waiting"), "\(waiting.stdout)")
        let stillDown = try meet.meetctl(["outbox", "send"], as: an)
        #expect(stillDown.status == 69 && stillDown.stdout.contains("is queued"), "\(stillDown.status) \(stillDown.stdout) \(stillDown.stderr)")

        try stack.start()
        let sent = try meet.meetOK(["outbox", "send"], as: an)
        for address in addresses {
            #expect(sent.stdout.contains("Sent the meeting-invite mail to \(address)"), "\(sent.stdout)")
        }
        let again = try meet.meetOK(["outbox", "send"], as: an)
        #expect(again.stdout.contains("Nothing waits"), "\(again.stdout)")
        for address in addresses {
            let messageID = try #require(try meet.messageIDs(to: address, kind: "meeting-invite").first)
            #expect(try meet.mail.deliveredMessage(messageID, to: address) != nil)
            Thread.sleep(forTimeInterval: 0.5)
            let copies = try meet.mail.messagesOnDisk(home: try meet.mail.home(of: address)).filter { $0.contains(messageID) }
            #expect(copies.count == 1, "\(address)")
        }
        #expect(try meet.mail.scalar("SELECT group_concat(DISTINCT state) FROM outbox") == "sent")
    }
}
