import Foundation
import SwitchboardTestSupport
import Testing

/// A directory of its own (no mail server: invites wait in the outbox), for processes that race
/// and processes that are killed.
final class StandaloneMeetings {
    let folder: String
    let config: String
    let database: String

    init() throws {
        folder = try ScratchFolder.make("switchboard-meet")
        database = folder + "/switchboard.sqlite"
        config = folder + "/switchboard.yaml"
        let closed = try LoopbackPort.free()
        try """
        database:
          path: \(database)
        mail:
          relay: {host: 127.0.0.1, port: \(closed), security: plain}
        meet:
          templates_dir: \(Repository.path("Templates/meet"))
        """.write(toFile: config, atomically: true, encoding: .utf8)
        try dirctl("init", "--admin", "root", "--name", "Quản trị")
        for login in ["an", "binh", "chi"] { try dirctl("person", "add", login, "--name", login.capitalized, "--email", "\(login)@bo.gov.vn") }
        try dirctl("room", "add", "Phòng 301", "--kind", "physical", "--capacity", "10")
    }

    deinit {
        if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) }
    }

    @discardableResult
    func dirctl(_ arguments: String...) throws -> String {
        try ProcessRunner.runChecked(ProcessRunner.product("dirctl"), Array(arguments) + ["--config", config])
    }

    func meetctl(_ arguments: [String], as login: String) throws -> RunningProcess {
        try ProcessRunner.start(ProcessRunner.product("meetctl"), arguments + ["--config", config, "--as", login])
    }

    func count(_ sql: String) throws -> Int {
        Int(try SQLite.run(database, sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

@Suite struct BookingRaceTests {
    @Test func twoProcessesBookingTheSameRoomAndSlotNeverBothWin() throws {
        let meet = try StandaloneMeetings()
        for round in 0..<50 {
            // Each round its own slot, a day apart, starting next year.
            let day = 2 + round % 28, month = 3 + round / 28
            let start = String(format: "2027-%02d-%02dT09:00", month, day)
            let racers = try ["an", "binh"].map { login in
                try meet.meetctl(["book", "Race \(round) \(login)", "--start", start, "--duration", "1h", "--room", "Phòng 301"], as: login)
            }
            let results = try racers.map { try $0.finish() }
            let winners = results.filter { $0.status == 0 }
            #expect(winners.count == 1, "round \(round): \(results.map { "\($0.status): \($0.stderr)" })")
            let loser = results.first { $0.status != 0 }
            #expect(loser?.status == 1 && loser?.stderr.contains("Phòng 301 is taken") == true, "round \(round): \(loser?.stderr ?? "")")
        }
        #expect(try meet.count("SELECT count(*) FROM meeting") == 50)
        #expect(try meet.count("SELECT count(*) FROM audit_event WHERE action = 'meet.book' AND outcome = 'ok'") == 50)
    }

    @Test func killingABookingLeavesTheMeetingItsInvitesAndItsEventAllOrNothing() throws {
        let meet = try StandaloneMeetings()
        for round in 0..<20 {
            let start = String(format: "2027-04-%02dT09:00", 1 + round)
            let running = try meet.meetctl(["book", "Kill \(round)", "--start", start, "--duration", "1h", "--with", "binh,chi",
                                            "--room", "Phòng 301", "--repeat", "daily count 30"], as: "an")
            Thread.sleep(forTimeInterval: Double(round % 10) * 0.015)
            running.kill()
            _ = try? running.finish()
        }
        let meetings = try meet.count("SELECT count(*) FROM meeting")
        #expect(try meet.count("SELECT count(*) FROM audit_event WHERE action = 'meet.book' AND outcome = 'ok'") == meetings)
        // Each meeting has its 30 occurrences, its 3 people and its 3 invites, or it is not there.
        #expect(try meet.count("SELECT count(*) FROM meeting m WHERE (SELECT count(*) FROM meeting_occurrence o WHERE o.meeting_id = m.id) <> 30") == 0)
        #expect(try meet.count("SELECT count(*) FROM meeting m WHERE (SELECT count(*) FROM meeting_attendee a WHERE a.meeting_id = m.id) <> 3") == 0)
        #expect(try meet.count("SELECT count(*) FROM outbox") == meetings * 3)
        #expect(try meet.count("SELECT count(*) FROM meeting_occurrence WHERE meeting_id NOT IN (SELECT id FROM meeting)") == 0)
        // The database is whole and the log still verifies.
        #expect(try SQLite.run(meet.database, "PRAGMA integrity_check").contains("ok"))
        let verify = try ProcessRunner.run(ProcessRunner.product("dirctl"), ["audit", "verify", "--config", meet.config])
        #expect(verify.status == 0 || verify.stdout.contains("intact"), "\(verify.stdout) \(verify.stderr)")
    }
}

/// Bad input to `meetctl book`: one line naming what is wrong, exit 65 (64 for usage), nothing
/// booked, nothing queued, no audit event but refusals.
@Suite struct BookInputTests {
    @Test func eachBadInputIsOneClearLineAndNothingIsBooked() throws {
        let meet = try StandaloneMeetings()
        let cases: [(arguments: [String], status: Int32, says: String)] = [
            (["Họp\r\nATTENDEE:mailto:evil@x.vn", "--start", "2027-03-02T09:00", "--duration", "1h"], 65, "line break"),
            (["Họp", "--start", "2027-03-02T09:00", "--end", "08:00"], 65, "is not after"),
            (["Họp", "--start", "2027-03-02T09:00", "--duration", "1h", "--tz", "Mars/Olympus"], 64, "Mars/Olympus"),
            (["Họp", "--start", "2027-03-02T09:00", "--duration", "1h", "--rrule", "FREQ=DAILY;COUNT=1000000000"], 65, "COUNT"),
            (["Họp", "--start", "2027-03-02T09:00", "--duration", "1h", "--rrule", "FREQ=SECONDLY"], 65, "SECONDLY"),
            (["Họp", "--start", "2027-02-30T09:00", "--duration", "1h"], 65, "start"),
            (["Họp", "--start", "yesterday 9:00", "--duration", "1h"], 65, "start"),
            (["Họp", "--start", "2027-03-02T09:00", "--duration", "forever"], 65, "duration"),
            (["Họp", "--start", "2027-03-02T09:00", "--duration", "1h", "--with", "ghost"], 65, "ghost"),
            (["Họp", "--start", "2027-03-02T09:00", "--duration", "1h", "--room", "Nowhere"], 65, "Nowhere"),
            (["Họp", "--start", "2027-03-02T09:00", "--duration", "1h", "--repeat", "fortnightly"], 65, "--repeat"),
            (["Họp", "--start", "2027-03-02T09:00", "--duration", "1h", "--end", "10:00"], 64, "one of --duration and --end"),
        ]
        for (arguments, status, says) in cases {
            let run = try meet.meetctl(["book"] + arguments, as: "an").finish()
            #expect(run.status == status, "\(arguments): \(run.status) \(run.stderr)")
            let lines = run.stderr.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.count == 1 || status == 64, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(says), "\(arguments): \(run.stderr)")
        }
        #expect(try meet.count("SELECT count(*) FROM meeting") == 0)
        #expect(try meet.count("SELECT count(*) FROM outbox") == 0)
        #expect(try meet.count("SELECT count(*) FROM audit_event WHERE action LIKE 'meet.%'") == 0)
    }
}
