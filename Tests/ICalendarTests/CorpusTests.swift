import Foundation
import ICalendar
import SwitchboardTestSupport
import Testing

/// python-icalendar's test calendars (Tests/Fixtures/ics/python-icalendar): real exports, RFC
/// examples, known-bad files and a fuzzing corpus.
@Suite struct CorpusTests {
    static let folder = Repository.path("Tests/Fixtures/ics/python-icalendar")

    static func files() throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw TestSetupError("\(folder) is missing: it is part of the repository (Tests/Fixtures)")
        }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".ics") }.sorted().map { folder + "/" + $0 }
    }

    /// A start as python3-icalendar prints it (UTC with Z, floating without, or a date).
    static func peerText(_ time: EventTime) -> String {
        switch time {
        case let .floating(local): return local.description
        default: return CalendarPeers.utcText(time) ?? ""
        }
    }

    @Test func everyFileIsReadOrRefusedOnOneLineAndCountsAgreeWithPython() throws {
        let files = try Self.files()
        #expect(files.count >= 190, "the corpus has \(files.count) files")
        let python = try CalendarPeers.pythonRead(files)
        try #require(python.count == files.count)
        var read = 0, refused = 0, compared = 0, startsCompared = 0
        let clock = ContinuousClock()
        for (path, peer) in zip(files, python) {
            let name = String(path.dropFirst(Self.folder.count + 1))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let text = String(decoding: bytes, as: UTF8.self)
            let started = clock.now
            let object: CalendarObject
            do {
                object = try CalendarParser.parse(text, source: name)
            } catch {
                refused += 1
                if ProcessInfo.processInfo.environment["CORPUS_VERBOSE"] != nil { print("refused: \(error) [python: \(peer["count"].map { "\($0) events" } ?? "error")]") }
                #expect(!error.description.contains("\n") && !error.description.contains("\r"), "\(name): \(error)")
                #expect(error.description.hasPrefix(name + ": "), "\(name): \(error)")
                #expect(clock.now - started < .seconds(5), "\(name) took \(clock.now - started) to refuse")
                continue
            }
            read += 1
            // The series must expand too: no crash or hang on any rule the parser let through.
            for event in object.events {
                guard let text = event.recurrenceRule, let rule = try? RecurrenceRule(text) else { continue }
                let (start, zone): (LocalDateTime, CalendarZone) = switch event.start {
                case let .zoned(local, zone): (local, zone)
                case let .floating(local): (local, .utc)
                case let .date(year, month, day): (LocalDateTime(year: year, month: month, day: day), .utc)
                case let .utc(date): (CalendarZone.utc.local(of: date), .utc)
                }
                _ = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: [],
                                                       from: .distantPast, to: .distantFuture, limit: 500)
            }
            #expect(clock.now - started < .seconds(5), "\(name) took \(clock.now - started)")
            guard let count = peer["count"] as? Int else { continue }
            compared += 1
            #expect(object.events.count == count, "\(name): \(object.events.count) VEVENTs, python3-icalendar \(count)")
            // Start times too, where python read the details and both name the same zone rules.
            guard let details = peer["events"] as? [[String: Any]], details.count == object.events.count else { continue }
            for (event, detail) in zip(object.events, details) {
                // python3-icalendar 4.0 leaves a TZID it cannot find in pytz naive (libical's
                // "/freeassociation.sourceforge.net/Europe/Berlin"): only its UTC readings compare.
                guard let theirs = detail["start"] as? String, theirs.hasSuffix("Z"), case .zoned = event.start else { continue }
                startsCompared += 1
                #expect(theirs == Self.peerText(event.start), "\(name): \(event.uid) starts \(event.start), python3-icalendar \(theirs)")
            }
        }
        #expect(read + refused == files.count)
        // 73 of 198 today: the rest are bare components (no VCALENDAR), fuzzing leftovers and files this
        // parser refuses on purpose (no UID or DTSTART, X-LIC-ERROR, unknown TZID, truncated).
        #expect(read >= 70, "only \(read) of \(files.count) files read")
        #expect(compared >= 60, "only \(compared) files counted against python3-icalendar")
        print("corpus: \(files.count) files, \(read) read, \(refused) refused, \(compared) counted against python3-icalendar, \(startsCompared) zoned starts compared")
    }
}
