import Foundation
@testable import ICalendar
import SwitchboardTestSupport
import Testing

/// The expander's own walks of plain DAILY, WEEKLY and MONTHLY rules give libical's answers on a
/// fixed table of rules (libical and the RFC agree on these).
@Suite struct PlainWalkTests {
    static let rules = [
        "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=DAILY;BYDAY=MO,WE,FR", "FREQ=DAILY;INTERVAL=2;BYDAY=SA,SU;COUNT=9",
        "FREQ=DAILY;COUNT=10", "FREQ=DAILY;UNTIL=20270115T000000Z", "FREQ=DAILY;UNTIL=20270110",
        "FREQ=WEEKLY", "FREQ=WEEKLY;COUNT=7", "FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=5",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU", "FREQ=WEEKLY;INTERVAL=3;WKST=WE;BYDAY=MO,TU,FR",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270601T000000Z", "FREQ=WEEKLY;BYDAY=SA;WKST=SA;INTERVAL=4",
        "FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=2", "FREQ=MONTHLY;COUNT=5", "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTHDAY=1,15,-1;COUNT=8", "FREQ=MONTHLY;BYMONTHDAY=30;INTERVAL=3", "FREQ=MONTHLY;BYDAY=2TU",
        "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=1MO,3WE", "FREQ=MONTHLY;BYDAY=5TH", "FREQ=MONTHLY;BYDAY=-2SU;COUNT=4",
        "FREQ=MONTHLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,-1",
        "FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=2", "FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", "FREQ=MONTHLY;BYMONTHDAY=-7,-6,-5,-4,-3,-2,-1;BYDAY=MO",
        "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-2;UNTIL=20271231T000000Z", "FREQ=MONTHLY;BYMONTHDAY=29;INTERVAL=1;COUNT=12",
        "FREQ=MONTHLY;BYDAY=MO,TU,5WE", "FREQ=MONTHLY;BYDAY=5TH,TH;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=3MO,SU;BYMONTHDAY=-7,-2",
    ]

    @Test(arguments: rules)
    func agreesWithLibical(_ text: String) throws {
        let rule = try RecurrenceRule(text)
        for zoneName in ["Europe/Berlin", "Asia/Ho_Chi_Minh", "America/New_York"] {
            let zone = try CalendarZone(zoneName)
            // Starts on each day of the week (and on the 31st), at a time in Berlin's spring gap.
            for offset in 0..<7 {
                let start = LocalDateTime(year: 2026, month: 12, day: 7 + offset * 4, hour: 2, minute: 30)
                for (from, to) in [(utc("2026-01-01T00:00"), utc("2028-01-01T00:00")), (utc("2027-03-01T00:00"), utc("2027-04-15T00:00"))] {
                    let exceptions = [LocalDateTime(year: 2026, month: 12, day: 15, hour: 2, minute: 30)]
                    let plain = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions,
                                                                   from: from, to: to, limit: 500, engine: .automatic)
                    let libical = try RecurrenceExpander.occurrences(start: start, zone: zone, rule: rule, exceptions: exceptions,
                                                                     from: from, to: to, limit: 500, engine: .libical)
                    #expect(plain == libical, "\(text) from \(start) in \(zoneName), window \(from)..<\(to)")
                    if to == utc("2028-01-01T00:00") {
                        #expect(!libical.isEmpty || text.contains("COUNT") || text.contains("UNTIL"), "\(text): nothing to compare")
                    }
                }
            }
        }
    }

    @Test func theWalkIsUsedForPlainRulesOnly() throws {
        var walk = PlainWalk(start: local("2026-12-07T09:00").wallSeconds, weekly: true, interval: 1, weekdays: 0, weekStart: 2, count: 2)
        #expect(walk.next(notAfter: .max).map { LocalDateTime(wallSeconds: $0) } == local("2026-12-07T09:00"))
        #expect(walk.next(notAfter: .max).map { LocalDateTime(wallSeconds: $0) } == local("2026-12-14T09:00"))
        #expect(walk.next(notAfter: .max) == nil)
        #expect(PlainWalk.weekday(0) == 5)  // 1970-01-01: THURSDAY in libical's numbering
    }
}

/// Random plain rules, read by the expander and by python-dateutil (an RFC 5545 implementation that
/// Debian's python3-icalendar brings): the same wall-clock starts. Not libical: libical 3.0.16 puts
/// some WEEKLY rules with INTERVAL > 1 in the wrong weeks (FREQ=WEEKLY;INTERVAL=4;BYDAY=SU from a
/// Tuesday: it starts 3 weeks late), where this walk and dateutil follow the RFC.
@Suite struct RandomRuleTests {
    static let dateutilReader = #"""
    import json, signal, sys
    from datetime import datetime
    from dateutil.rrule import rrulestr

    class Slow(Exception):
        pass

    def slow(*_):
        raise Slow()

    signal.signal(signal.SIGALRM, slow)
    out = []
    for case in json.load(sys.stdin):
        parse = lambda text: datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
        start, low, high = parse(case["start"]), parse(case["from"]), parse(case["to"])
        # A rule no date satisfies sends dateutil through every year to 9999: given up on (null).
        signal.setitimer(signal.ITIMER_REAL, 0.25)
        try:
            found = [d for d in rrulestr(case["rule"], dtstart=start).between(low, high, inc=True) if d < high]
            out.append([d.strftime("%Y-%m-%dT%H:%M:%S") for d in found[: case["limit"]]])
        except (ValueError, Slow):
            out.append(None)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    json.dump(out, sys.stdout)
    """#

    @Test func randomRulesAgreeWithDateutil() throws {
        var random = MutationFuzzTests.SplitMix(state: 5545)
        let days = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
        var cases: [(rule: RecurrenceRule, start: LocalDateTime, from: LocalDateTime)] = []
        for _ in 0..<300 {  // dateutil reads about 40 of these a second here
            var parts = ["FREQ=" + ["DAILY", "WEEKLY", "MONTHLY"][Int.random(in: 0..<3, using: &random)]]
            if Bool.random(using: &random) { parts.append("INTERVAL=\(Int.random(in: 1...4, using: &random))") }
            if Bool.random(using: &random) {
                // All plain or all with positions: dateutil reads a mix of the two (MO,5WE) its own way;
                // the fixed table holds the walk to libical's reading of a mix.
                let positioned = parts[0] == "FREQ=MONTHLY" && Bool.random(using: &random)
                let picked = (0..<Int.random(in: 1...3, using: &random)).map { _ -> String in
                    let day = days[Int.random(in: 0..<7, using: &random)]
                    guard positioned else { return day }
                    return "\([1, 2, 3, 4, 5, -1, -2][Int.random(in: 0..<7, using: &random)])\(day)"
                }
                parts.append("BYDAY=" + Set(picked).sorted().joined(separator: ","))
            }
            if parts[0] == "FREQ=MONTHLY", Bool.random(using: &random) {
                let picked = (0..<Int.random(in: 1...3, using: &random)).map { _ in [1, 5, 15, 28, 29, 30, 31, -1, -2, -7][Int.random(in: 0..<10, using: &random)] }
                parts.append("BYMONTHDAY=" + Set(picked).sorted().map(String.init).joined(separator: ","))
            }
            if parts[0] == "FREQ=MONTHLY", Bool.random(using: &random) { parts.append("BYSETPOS=\([1, 2, -1, -2][Int.random(in: 0..<4, using: &random)])") }
            if parts[0] == "FREQ=WEEKLY", Bool.random(using: &random) { parts.append("WKST=\(days[Int.random(in: 0..<7, using: &random)])") }
            if Bool.random(using: &random) { parts.append("COUNT=\(Int.random(in: 1...30, using: &random))") }
            let start = LocalDateTime(year: 2026, month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random),
                                      hour: Int.random(in: 0...23, using: &random), minute: 30)
            cases.append((try RecurrenceRule(parts.joined(separator: ";")), start, Bool.random(using: &random) ? local("2025-01-01T00:00") : local("2027-02-01T00:00")))
        }
        let to = local("2028-06-01T00:00")
        let request = cases.map { ["rule": $0.rule.text, "start": $0.start.description, "from": $0.from.description, "to": to.description, "limit": 300] as [String: Any] }
        let run = try ProcessRunner.run(try CalendarPeers.python(), ["-c", Self.dateutilReader],
                                        stdin: String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self), timeout: 300)
        try #require(run.status == 0, "python-dateutil failed: \(run.stderr.prefix(300))")
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [Any])
        try #require(theirs.count == cases.count)
        var compared = 0, givenUp = 0
        for (known, answer) in zip(cases, theirs) {
            guard let dateutil = answer as? [String] else {
                givenUp += 1
                continue
            }
            let ours = try RecurrenceExpander.occurrences(start: known.start, zone: .utc, rule: known.rule, exceptions: [],
                                                          from: CalendarZone.utc.date(of: known.from), to: CalendarZone.utc.date(of: to), limit: 300)
            #expect(ours.map { CalendarZone.utc.local(of: $0).description } == dateutil, "\(known.rule) from \(known.start)")
            compared += dateutil.count
        }
        #expect(compared > 8_000, "only \(compared) occurrences compared")
        #expect(givenUp < cases.count / 20, "dateutil gave up on \(givenUp) rules")
    }
}
