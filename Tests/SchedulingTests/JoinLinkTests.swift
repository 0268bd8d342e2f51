import Foundation
import GRDB
import ICalendar
import Scheduling
import SwitchboardCore
import SwitchboardTestSupport
import Testing

/// Per-attendee Jitsi join links: each invite its own token, checked by an independent
/// implementation (python3's hmac and json).
@Suite struct JoinLinkTests {
    @Test func eachAttendeeGetsASignedLinkOfTheirOwnAndOnlyTheOrganizerModerates() throws {
        let fixture = try SchedulingFixture()
        let secretFile = fixture.folder + "/jitsi.secret"
        let secret = "s3cret-s3cret-s3cret-s3cret-s3cret-0123456789"
        try (secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile, 0o640)
        var scheduler = try fixture.scheduler("an")
        var settings = scheduler.settings
        settings.jitsiJWT = MeetSettings.JitsiJWT(appID: "switchboard", secretFile: secretFile)
        scheduler = Scheduler(database: scheduler.database, session: scheduler.session, settings: settings, mail: scheduler.mail,
                              locale: scheduler.locale, clock: scheduler.clock)
        let booked = try scheduler.book(try fixture.request("VC", "2026-12-08T09:00", with: ["binh", "chi"], room: "VC", repeat: "weekly count 2"))
        let messages = try fixture.database.read { db in
            try Row.fetchAll(db, sql: "SELECT recipients, message FROM outbox ORDER BY id").map { (row: Row) in (row[0] as String, row[1] as String) }
        }
        #expect(messages.count == 3)
        var tokens: [String: String] = [:]
        for (recipient, message) in messages {
            let calendar = try Self.calendarPart(message)
            let unfolded = calendar.replacingOccurrences(of: "\r\n ", with: "")
            let url = try #require(unfolded.components(separatedBy: "\r\n").first { $0.hasPrefix("URL:") }?.dropFirst(4))
            #expect(url.hasPrefix("\(booked.meeting.joinURL)?jwt="), "\(url)")
            tokens[recipient] = String(url.split(separator: "=", maxSplits: 1)[1])
            #expect(unfolded.contains("CONFERENCE;VALUE=URI:\(url)"))
        }
        #expect(Set(tokens.values).count == 3, "one token each")
        // python3 checks each signature and reads the claims.
        let script = """
            import base64, hashlib, hmac, json, sys
            secret, expected_exp_after = sys.argv[1].encode(), int(sys.argv[2])
            for token in sys.argv[3:]:
                head, body, sig = token.split(".")
                pad = lambda s: s + "=" * (-len(s) % 4)
                good = hmac.compare_digest(base64.urlsafe_b64decode(pad(sig)), hmac.new(secret, (head + "." + body).encode(), hashlib.sha256).digest())
                claims = json.loads(base64.urlsafe_b64decode(pad(body)))
                user = claims["context"]["user"]
                assert json.loads(base64.urlsafe_b64decode(pad(head))) == {"alg": "HS256", "typ": "JWT"}
                print(good, claims["iss"], claims["aud"], claims["room"], user["email"], user["moderator"], claims["exp"] > expected_exp_after)
            """
        let lastEnd = Int(fixture.zone.date(of: LocalDateTime(year: 2026, month: 12, day: 15, hour: 10)).timeIntervalSince1970)
        let ordered = ["an@bo.gov.vn", "binh@bo.gov.vn", "chi@bo.gov.vn"]
        let run = try ProcessRunner.run("/usr/bin/python3", ["-c", script, secret, String(lastEnd)] + ordered.compactMap { tokens[$0] })
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n") == [
            "True switchboard jitsi vc an@bo.gov.vn True True",
            "True switchboard jitsi vc binh@bo.gov.vn False True",
            "True switchboard jitsi vc chi@bo.gov.vn False True",
        ], "\(run.stdout)")
    }

    @Test func aSecretFileAnyoneMayReadRefusesTheBookingAndNothingIsStored() throws {
        let fixture = try SchedulingFixture()
        let secretFile = fixture.folder + "/jitsi.secret"
        try "s3cret-s3cret-s3cret-s3cret-s3cret-0123456789\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile, 0o644)
        let base = try fixture.scheduler("an")
        var settings = base.settings
        settings.jitsiJWT = MeetSettings.JitsiJWT(appID: "switchboard", secretFile: secretFile)
        let scheduler = Scheduler(database: base.database, session: base.session, settings: settings, mail: base.mail, locale: base.locale, clock: base.clock)
        let error = #expect(throws: SchedulingError.self) { try scheduler.book(try fixture.request("VC", "2026-12-08T09:00", with: ["binh"], room: "VC")) }
        #expect(error?.description.contains("may be read by anyone") == true)
        #expect(try fixture.scalar("SELECT count(*) FROM meeting") == 0)
    }

    /// The base64 text/calendar part of a rendered message.
    static func calendarPart(_ message: String) throws -> String {
        let text = message.replacingOccurrences(of: "\r\n", with: "\n")
        let marker = try #require(text.range(of: "Content-Type: text/calendar"))
        let start = try #require(text[marker.upperBound...].range(of: "\n\n"))
        let body = text[start.upperBound...].prefix { $0 != "-" }.filter { !$0.isWhitespace }
        return String(decoding: try #require(Data(base64Encoded: String(body))), as: UTF8.self)
    }
}
