import Foundation
import ICalendar
import SwitchboardTestSupport
import Testing

/// A directory of its own for the view commands, used through the built binaries: people an,
/// binh, chi (staff) and hd (helpdesk), two rooms, and meetings stored with SQL as `meetctl book`
/// stores them (meeting, attendee rows with the organizer as CHAIR, materialized occurrences).
final class ViewsWorkspace {
    let folder: String
    let config: String
    var database: String { folder + "/switchboard.sqlite" }
    let zone: CalendarZone
    private var serial = 0

    init() throws {
        folder = try ScratchFolder.make("meetctl-views")
        config = folder + "/switchboard.yaml"
        zone = try CalendarZone("Asia/Ho_Chi_Minh")
        try """
        database:
          path: \(folder)/switchboard.sqlite
        audit:
          signing_key_file: \(folder)/keys/audit.key
          public_key_file: \(folder)/audit.pub
        """.write(toFile: config, atomically: true, encoding: .utf8)
        try dirctl("init", "--admin", "root", "--name", "Quản trị")
        for (login, role) in [("an", "staff"), ("binh", "staff"), ("chi", "staff"), ("hd", "helpdesk")] {
            try dirctl("person", "add", login, "--name", login.capitalized, "--email", "\(login)@bo.gov.vn", "--role", role)
        }
        try dirctl("room", "add", "Phòng lớn", "--kind", "physical", "--capacity", "20")
        try dirctl("room", "add", "Phòng nhỏ", "--kind", "physical", "--capacity", "4")
    }

    deinit {
        if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) }
    }

    @discardableResult
    func dirctl(_ arguments: String...) throws -> String {
        try ProcessRunner.runChecked(ProcessRunner.product("dirctl"), arguments + ["--config", config], in: folder)
    }

    func meetctl(_ arguments: [String], as login: String = "an") throws -> CommandRun {
        try ProcessRunner.run(ProcessRunner.product("meetctl"), arguments + ["--config", config, "--as", login], in: folder)
    }

    /// Unix seconds of a wall-clock time in Ho Chi Minh City.
    func unix(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 {
        Int64(zone.date(of: LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute)).timeIntervalSince1970)
    }

    /// A meeting with one occurrence per start (a series when there are several).
    @discardableResult
    func meeting(_ title: String, by organizer: String, with attendees: [String] = [], declined: [String] = [], room: String? = nil,
                 starts: [Int64], minutes: Int = 60) throws -> Int64 {
        serial += 1
        let roomID = room.map { "(SELECT id FROM room WHERE name = '\($0)')" } ?? "NULL"
        let first = zone.local(of: Date(timeIntervalSince1970: TimeInterval(starts.first ?? 0))).description
        var sql = """
            BEGIN;
            INSERT INTO meeting (uid, title, organizer_id, room_id, time_zone, start_local, duration_seconds, rrule, created_at, updated_at)
            VALUES ('v\(serial)@test', '\(title)', (SELECT id FROM person WHERE login = '\(organizer)'), \(roomID), 'Asia/Ho_Chi_Minh',
                    '\(first)', \(minutes * 60), '\(starts.count > 1 ? "FREQ=WEEKLY" : "")', '2026-12-01 00:00:00', '2026-12-01 00:00:00');
            INSERT INTO meeting_attendee (meeting_id, address, person_id, name, role, partstat)
            VALUES (last_insert_rowid(), '\(organizer)@bo.gov.vn', (SELECT id FROM person WHERE login = '\(organizer)'), '\(organizer)', 'CHAIR', 'ACCEPTED');

            """
        for login in attendees + declined {
            sql += """
                INSERT INTO meeting_attendee (meeting_id, address, person_id, name, partstat)
                VALUES ((SELECT id FROM meeting WHERE uid = 'v\(serial)@test'), '\(login)@bo.gov.vn', (SELECT id FROM person WHERE login = '\(login)'),
                        '\(login)', '\(declined.contains(login) ? "DECLINED" : "NEEDS-ACTION")');

                """
        }
        for start in starts {
            sql += """
                INSERT INTO meeting_occurrence (meeting_id, recurrence_id, start_at, end_at, room_id)
                VALUES ((SELECT id FROM meeting WHERE uid = 'v\(serial)@test'), 'r\(start)', \(start), \(start + Int64(minutes * 60)), \(roomID));

                """
        }
        try SQLite.run(database, sql + "COMMIT;")
        return Int64(try SQLite.scalar(database, "SELECT id FROM meeting WHERE uid = 'v\(serial)@test'")) ?? 0
    }
}

/// `meetctl agenda` and `meetctl find-time` through the built binary. Monday 2027-03-01 is the day
/// the meetings are on (in the future, so find-time looks at it whatever today is).
@Suite struct ViewsCommandTests {
    private func monday() throws -> (ViewsWorkspace, [String: Int64]) {
        let space = try ViewsWorkspace()
        var ids: [String: Int64] = [:]
        ids["weekly"] = try space.meeting("Giao ban tuần", by: "chi", with: ["an"], room: "Phòng lớn",
                                          starts: [space.unix(2027, 3, 1, 8), space.unix(2027, 3, 8, 8)])
        ids["own"] = try space.meeting("Việc của An", by: "an", with: ["binh"], starts: [space.unix(2027, 3, 1, 14)], minutes: 30)
        ids["declined"] = try space.meeting("Không đi", by: "binh", declined: ["an"], starts: [space.unix(2027, 3, 1, 10)])
        return (space, ids)
    }

    @Test func myAgendaIsOneLinePerOccurrenceInTheViewersZone() throws {
        let (space, ids) = try monday()
        let day = try space.meetctl(["agenda", "--date", "2027-03-01"])
        #expect(day.status == 0, "\(day.stderr)")
        let lines = day.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Agenda of an, Mon 2027-03-01 (Asia/Ho_Chi_Minh)")
        #expect(lines.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) } == [
            "08:00-09:00  #\(ids["weekly"] ?? 0) Giao ban tuần  Phòng lớn  (chi)  not answered",
            "14:00-14:30  #\(ids["own"] ?? 0) Việc của An  (an)",
        ], "\(day.stdout)")
        let berlin = try space.meetctl(["agenda", "--date", "2027-03-01", "--tz", "Europe/Berlin"])
        #expect(berlin.stdout.contains("02:00-03:00  #\(ids["weekly"] ?? 0) Giao ban tuần"), "\(berlin.stdout)")
        let week = try space.meetctl(["agenda", "--week", "--date", "03/03/2027"])
        #expect(week.stdout.contains("week of Mon 2027-03-01") && week.stdout.contains("\nMon 2027-03-01\n"), "\(week.stdout)")
        let empty = try space.meetctl(["agenda", "--date", "2027-03-02"])
        #expect(empty.status == 0 && empty.stdout.contains("no meetings"))
    }

    @Test func aColleaguesAgendaHidesWhatTheViewerDoesNotAttendAndJSONSaysSo() throws {
        let (space, ids) = try monday()
        let byBinh = try space.meetctl(["agenda", "--person", "an", "--date", "2027-03-01", "--json"], as: "binh")
        #expect(byBinh.status == 0, "\(byBinh.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(byBinh.stdout.utf8)) as? [String: Any]
        let entries = object?["entries"] as? [[String: Any]] ?? []
        #expect(entries.count == 2)
        #expect(entries.first?["title"] as? String == "busy" && entries.first?["hidden"] as? Bool == true && entries.first?["meeting_id"] == nil)
        #expect(entries.last?["meeting_id"] as? Int64 == ids["own"] && entries.last?["start"] as? String == "2027-03-01T14:00:00+07:00")
        let text = try space.meetctl(["agenda", "--person", "an", "--date", "2027-03-01"], as: "binh")
        #expect(!text.stdout.contains("Giao ban") && text.stdout.contains("08:00-09:00  busy"), "\(text.stdout)")
        let byHelpdesk = try space.meetctl(["agenda", "--person", "an", "--date", "2027-03-01"], as: "hd")
        #expect(byHelpdesk.stdout.contains("Giao ban tuần"))
        let room = try space.meetctl(["agenda", "--room", "Phòng lớn", "--date", "2027-03-08"], as: "hd")
        #expect(room.stdout.contains("Agenda of room Phòng lớn") && room.stdout.contains("08:00-09:00  #\(ids["weekly"] ?? 0)"), "\(room.stdout)")
    }

    @Test func findTimeProposesTheSoonestCommonTimeAndSaysWhoBlocksWhenNoneIsFree() throws {
        let (space, _) = try monday()
        let found = try space.meetctl(["find-time", "--with", "binh", "--duration", "1h", "--from", "2027-03-01", "--to", "2027-03-01",
                                       "--need-room", "10", "--count", "2"])
        #expect(found.status == 0, "\(found.stderr)")
        let lines = found.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "Free for 2 people (an, binh), 1h, Asia/Ho_Chi_Minh:")
        // an is busy 08:00-09:00 (the weekly, in Phòng lớn, the only room with 10 seats).
        // an is busy 08:00-09:00 (the weekly, in Phòng lớn, the only room with 10 seats), binh 10:00-11:00.
        #expect(Array(lines.dropFirst().prefix(2)) == ["Mon 2027-03-01  09:00-10:00  Phòng lớn", "Mon 2027-03-01  11:00-12:00  Phòng lớn"],
                "\(found.stdout)")
        let json = try space.meetctl(["find-time", "--with", "binh", "--duration", "1h", "--from", "2027-03-01", "--to", "2027-03-01", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let slots = object?["slots"] as? [[String: Any]] ?? []
        #expect(slots.first?["start"] as? String == "2027-03-01T09:00:00+07:00", "\(json.stdout)")

        try space.meeting("Cả ngày", by: "binh", starts: [space.unix(2027, 3, 2, 7)], minutes: 11 * 60)
        let none = try space.meetctl(["find-time", "--with", "binh", "--duration", "1h", "--within", "2027-03-02"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no free time for everyone") && none.stderr.contains("busiest: binh (busy in 18 of 18)"), "\(none.stderr)")
    }

    @Test func badInputIsOneClearLineAndStatus65() throws {
        let space = try ViewsWorkspace()
        let zone = try space.meetctl(["agenda", "--tz", "Mars/Base"])
        #expect(zone.status == 64 && zone.stderr.contains("unknown time zone"), "\(zone.stderr)")
        for (arguments, words) in [
            (["agenda", "--date", "31/02/2027"], "no such day"),
            (["agenda", "--person", "khong-co"], "no person with login"),
            (["find-time", "--with", "binh", "--duration", "1h", "--within", "someday"], "--within"),
            (["find-time", "--with", "binh", "--duration", "soon"], "duration"),
            (["find-time", "--with", "khong-co", "--duration", "1h"], "no person with login"),
        ] {
            let run = try space.meetctl(arguments)
            #expect(run.status == 65, "\(arguments): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains(words) && run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        }
    }

    @Test func theViewCommandsHaveExamplesThatFitAndUseRealOptions() throws {
        let (_, problems) = try CommandHelp.exampleProblems("meetctl")
        let mine = problems.filter { $0.hasPrefix("meetctl agenda") || $0.hasPrefix("meetctl find-time") }
        #expect(mine.isEmpty, "\(mine.joined(separator: "\n"))")
        for command in ["agenda", "find-time"] {
            #expect(try CommandHelp.help("meetctl", [command]).contains("Examples:"))
        }
    }

    @Test func exportWritesAPrivateFileThatImportsIntoAnotherDirectoryWithTheSameAgenda() throws {
        let (space, _) = try monday()
        let file = space.folder + "/an.ics"
        let export = try space.meetctl(["export", "--output", file])
        #expect(export.status == 0 && export.stdout.contains("Wrote 2 meeting(s) (2 event(s)) of an to \(file)"), "\(export.stdout)\(export.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n") && text.contains("METHOD:PUBLISH") && text.contains("SUMMARY:Giao ban tuần"))
        let stdout = try space.meetctl(["export", "--from", "2027-03-01", "--to", "2027-03-01"])
        #expect(stdout.stdout.components(separatedBy: "BEGIN:VEVENT").count == 3)
        let denied = try space.meetctl(["export", "--person", "an"], as: "binh")
        #expect(denied.status == 77, "\(denied.stderr)")

        let other = try ViewsWorkspace()
        let dry = try other.meetctl(["import", file, "--dry-run"], as: "hd")
        #expect(dry.status == 0 && dry.stdout.contains("Would import an.ics: 2 events, 2 meetings to store; no invites sent"), "\(dry.stdout)\(dry.stderr)")
        #expect(try SQLite.scalar(other.database, "SELECT count(*) FROM meeting") == "0")
        let real = try other.meetctl(["import", file, "--progress"], as: "hd")
        #expect(real.status == 0 && real.stdout.contains("Imported an.ics: 2 events, 2 meetings stored"), "\(real.stdout)\(real.stderr)")
        #expect(real.stderr.contains("importing an.ics, checking: 2/2 (100%)") && real.stderr.contains("importing an.ics, storing: 2/2 (100%)"),
                "\(real.stderr)")
        let agenda = try other.meetctl(["agenda", "--date", "2027-03-01"])
        #expect(agenda.stdout.contains("08:00-09:00  #1 Giao ban tuần  Phòng lớn  (chi)  not answered"), "\(agenda.stdout)")
        #expect(agenda.stdout.contains("14:00-14:30  #2 Việc của An  (an)"), "\(agenda.stdout)")
        #expect(try SQLite.scalar(other.database, "SELECT count(*) FROM outbox") == "0")
    }

    @Test func aBadOrHugeFileIsOneLineAndNothingIsImported() throws {
        let space = try ViewsWorkspace()
        let truncated = space.folder + "/cut.ics"
        try "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n".write(toFile: truncated, atomically: true, encoding: .utf8)
        let cut = try space.meetctl(["import", truncated])
        #expect(cut.status == 65 && cut.stderr.split(separator: "\n").count == 1 && cut.stderr.contains("END:VCALENDAR"), "\(cut.stderr)")
        let huge = space.folder + "/huge.ics"
        #expect(FileManager.default.createFile(atPath: huge, contents: Data(repeating: 0x41, count: 50 << 20)))
        let big = try space.meetctl(["import", huge])
        #expect(big.status == 65 && big.stderr.split(separator: "\n").count == 1 && big.stderr.contains("larger than 20 MB"), "\(big.stderr)")
        let missing = try space.meetctl(["import", space.folder + "/none.ics"])
        #expect(missing.status == 65 && missing.stderr.contains("cannot be read"), "\(missing.stderr)")
        #expect(try SQLite.scalar(space.database, "SELECT count(*) FROM meeting") == "0")
    }

    /// Every file of the corpus (python icalendar's tests, copied into Tests/Fixtures): imported
    /// (dry run) or refused with clear lines, never a crash or a hang.
    @Test func everyCorpusFileIsImportedOrRefusedClearly() throws {
        let folder = Repository.path("Tests/Fixtures/ics/python-icalendar")
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw TestSetupError("the ICS corpus is not at \(folder): it is part of the repository")
        }
        let files = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".ics") }.sorted()
        #expect(files.count >= 190)
        let space = try ViewsWorkspace()
        var imported = 0
        for file in files {
            let run = try ProcessRunner.run(ProcessRunner.product("meetctl"), ["import", folder + "/" + file, "--dry-run", "--config", space.config, "--as", "hd"],
                                            timeout: 30)
            #expect(!run.killedBySignal && [0, 65].contains(run.status), "\(file): status \(run.status) \(run.stderr.prefix(300))")
            if run.status == 0 {
                imported += 1
                #expect(run.stdout.hasPrefix("Would import "), "\(file): \(run.stdout.prefix(200))")
            } else {
                let lines = run.stderr.split(separator: "\n")
                #expect(!lines.isEmpty && lines.allSatisfy { $0.count < 600 && !$0.contains("Fatal error") }, "\(file): \(run.stderr.prefix(300))")
                #expect(lines.last?.hasPrefix("meetctl: ") == true, "\(file): \(run.stderr.prefix(300))")
            }
        }
        #expect(imported >= 40, "only \(imported) of \(files.count) corpus files import")
    }
}
