import Foundation
import ICalendar
import SwitchboardTestSupport
import Testing

/// Every message kind the writer makes, read back by python3-icalendar and by khal: the same UID,
/// times, attendees and SEQUENCE as were sent.
@Suite struct InteropTests {
    static func written() throws -> (folder: String, files: [(name: String, path: String, event: CalendarEvent, method: ITIPMethod?)]) {
        let folder = try CalendarPeers.temporaryFolder("interop")
        var files: [(String, String, CalendarEvent, ITIPMethod?)] = []
        for (name, object) in InviteSamples.all {
            let path = folder + "/\(name).ics"
            try CalendarWriter.serialize(object, productID: "-//Switchboard//meetctl//VI").write(toFile: path, atomically: true, encoding: .utf8)
            files.append((name, path, object.events[0], object.method))
        }
        return (folder, files)
    }

    @Test func pythonICalendarReadsWhatWasSent() throws {
        let (folder, files) = try Self.written()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let entries = try CalendarPeers.pythonRead(files.map(\.path))
        try #require(entries.count == files.count)
        for (file, entry) in zip(files, entries) {
            #expect(entry["error"] == nil, "\(file.name): \(entry["error"] ?? "")")
            #expect(entry["method"] as? String == file.method?.rawValue, "\(file.name)")
            let events = try #require(entry["events"] as? [[String: Any]], "\(file.name)")
            try #require(events.count == 1, "\(file.name)")
            let read = events[0], sent = file.event
            #expect(read["uid"] as? String == sent.uid, "\(file.name)")
            #expect(read["sequence"] as? Int == sent.sequence, "\(file.name)")
            #expect(read["start"] as? String == CalendarPeers.utcText(sent.start), "\(file.name)")
            #expect(read["end"] as? String == CalendarPeers.utcText(sent.end), "\(file.name)")
            #expect(read["recurrence_id"] as? String == CalendarPeers.utcText(sent.recurrenceID), "\(file.name)")
            #expect(read["status"] as? String == sent.status, "\(file.name)")
            #expect(read["organizer"] as? String == sent.organizer?.address, "\(file.name)")
            #expect((read["exdates"] as? [String]) == sent.exceptionDates.compactMap(CalendarPeers.utcText), "\(file.name)")
            let attendees = try #require(read["attendees"] as? [[String: Any]])
            #expect(attendees.compactMap { $0["address"] as? String } == sent.attendees.map(\.address), "\(file.name)")
            #expect(attendees.compactMap { $0["cn"] as? String } == sent.attendees.compactMap(\.name), "\(file.name)")
            #expect(attendees.map { $0["partstat"] as? String } == sent.attendees.map(\.status.rawValue), "\(file.name)")
            #expect(attendees.map { ($0["role"] as? String) ?? "REQ-PARTICIPANT" } == sent.attendees.map(\.role), "\(file.name)")
            #expect(attendees.map { ($0["cutype"] as? String) ?? "INDIVIDUAL" } == sent.attendees.map(\.kind), "\(file.name)")
            if let rule = sent.recurrenceRule {
                #expect(read["rrule"] as? String == (try RecurrenceRule(rule).text), "\(file.name)")
            }
        }
    }

    @Test func khalPrintsWhatWasSent() throws {
        let (folder, files) = try Self.written()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in files {
            let lines = try CalendarPeers.khalPrint(file.path)
            try #require(lines.count == 1, "\(file.name): khal printed \(lines)")
            let fields = lines[0]
            try #require(fields.count == 6, "\(file.name): \(fields)")
            let sent = file.event
            #expect(fields[0] == sent.uid, "\(file.name)")
            #expect(fields[1] == CalendarPeers.utcText(sent.start), "\(file.name)")
            #expect(fields[2] == CalendarPeers.utcText(sent.end), "\(file.name)")
            #expect(fields[3] == sent.summary, "\(file.name)")
            #expect(fields[4] == sent.attendees.map(\.address).joined(separator: ", "), "\(file.name)")
            #expect(fields[5].trimmingCharacters(in: .whitespaces) == (sent.status ?? ""), "\(file.name)")
        }
    }
}
