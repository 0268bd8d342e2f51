import Foundation
import ICalendar

/// Meeting calendar benchmarks: parsing a 10,000-event invite file against python3-icalendar, and
/// expanding series over a year.
enum MeetBenchmarks {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// 10,000 events as the writer makes them (zoned, attendees and a room, every fifth a weekly
    /// series), written through CalendarWriter, then parsed by CalendarParser and by python3-icalendar.
    static func parse(count: Int = 10_000) throws {
        let zone = try CalendarZone("Asia/Ho_Chi_Minh")
        let people = (0..<40).map { CalendarAttendee(address: "nv\($0)@bo.gov.vn", name: "Nguyễn Văn Người \($0)", rsvp: true) }
        var events: [CalendarEvent] = []
        for index in 0..<count {
            let day = LocalDateTime(year: 2026, month: 1 + index % 12, day: 1 + index % 28, hour: 8 + index % 9, minute: index % 2 * 30)
            var event = CalendarEvent(uid: "bench-\(index)@switchboard.bo.gov.vn", start: .zoned(day, zone))
            event.end = .zoned(LocalDateTime(year: day.year, month: day.month, day: day.day, hour: day.hour + 1, minute: day.minute), zone)
            event.stamp = Date(timeIntervalSince1970: 1_796_000_000)
            event.sequence = index % 3
            event.summary = "Họp giao ban số \(index), phòng Tổ chức cán bộ"
            event.description = "Nội dung: báo cáo tuần; kế hoạch.\nTham gia: https://meet.bo.gov.vn/phong-\(index)"
            event.location = "Phòng \(300 + index % 20)"
            event.conference = "https://meet.bo.gov.vn/phong-\(index)"
            event.organizer = CalendarOrganizer(address: "an.nguyen@bo.gov.vn", name: "Nguyễn Văn An")
            event.attendees = (0..<4).map { people[(index + $0 * 7) % people.count] }
                + [CalendarAttendee(address: "phong\(300 + index % 20)@bo.gov.vn", role: "NON-PARTICIPANT", kind: "ROOM")]
            if index % 5 == 0 { event.recurrenceRule = "FREQ=WEEKLY;COUNT=\(4 + index % 20)" }
            events.append(event)
        }
        var text = ""
        let writeSeconds = try SwitchboardBench.time {
            text = try CalendarWriter.serialize(CalendarObject(method: .publish, events: events), productID: "-//Switchboard//bench//VI")
        }
        SwitchboardBench.report("meet-parse: CalendarWriter, \(count) events", Double(count) / writeSeconds, "events/s",
                                note: "\(text.utf8.count / 1024) KiB")
        let file = NSTemporaryDirectory() + "switchboard-meet-parse-\(UUID().uuidString).ics"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }

        var best = Double.infinity
        for _ in 0..<3 {
            let contents = try String(contentsOfFile: file, encoding: .utf8)
            var parsed = 0
            let seconds = try SwitchboardBench.time {
                parsed = try CalendarParser.parse(contents, source: "bench.ics").events.count
            }
            guard parsed == count else { print("ERROR: CalendarParser read \(parsed) of \(count) events"); return }
            best = min(best, seconds)
        }
        let ours = Double(count) / best
        SwitchboardBench.report("meet-parse: CalendarParser, \(count) events", ours, "events/s", goal: "20000 events/s or more")

        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = [repository + "/ops/bench/meet-parse.py", file, "3"]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        let lines = printed.split(separator: "\n").map(String.init)
        guard python.terminationStatus == 0, lines.first == "events \(count)", let figure = lines.last,
            let rate = Double(figure.dropFirst(44).split(separator: " ").first ?? "")
        else {
            print("ERROR: python3-icalendar did not read the file (exit \(python.terminationStatus)): \(printed.prefix(300)); install python3-icalendar")
            return
        }
        print(figure)
        SwitchboardBench.report("meet-parse: CalendarParser / python3-icalendar", ours / rate, "x", goal: "10x or more")
    }

    /// Occurrences per second over one year: a daily, a weekly and a last-workday series in
    /// Europe/Berlin (two DST changes) and Asia/Ho_Chi_Minh, expanded many times over, and one rule
    /// left to libical's iterator.
    static func expand() throws {
        let berlin = try CalendarZone("Europe/Berlin"), saigon = try CalendarZone("Asia/Ho_Chi_Minh")
        let series: [(String, LocalDateTime, CalendarZone, RecurrenceRule)] = [
            ("daily, Berlin", LocalDateTime(year: 2026, month: 1, day: 1, hour: 9), berlin, try RecurrenceRule("FREQ=DAILY")),
            ("MO,WE,FR, Ho Chi Minh City", LocalDateTime(year: 2026, month: 1, day: 5, hour: 14), saigon, try RecurrenceRule("FREQ=WEEKLY;BYDAY=MO,WE,FR")),
            ("last workday, Berlin", LocalDateTime(year: 2026, month: 1, day: 30, hour: 17), berlin,
             try RecurrenceRule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")),
            // BYHOUR is not in the expander's own walks: libical's iterator, for comparison.
            ("daily at 9 and 14 (libical), Berlin", LocalDateTime(year: 2026, month: 1, day: 1, hour: 9), berlin,
             try RecurrenceRule("FREQ=DAILY;BYHOUR=9,14")),
        ]
        let from = berlin.date(of: LocalDateTime(year: 2026, month: 1, day: 1))
        let to = berlin.date(of: LocalDateTime(year: 2027, month: 1, day: 1))
        for (name, start, zone, rule) in series {
            var total = 0
            let rounds = 400
            let seconds = try SwitchboardBench.time {
                for _ in 0..<rounds {
                    total += try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: [], from: from, to: to, limit: 10_000).count
                }
            }
            SwitchboardBench.report("meet-expand: \(name)", Double(total) / seconds, "occurrences/s",
                                    goal: "400000/s or more", note: "\(total / rounds) in the year")
        }
    }
}
