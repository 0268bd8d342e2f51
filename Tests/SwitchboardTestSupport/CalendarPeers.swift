import Foundation

/// The other calendar readers the written invites must satisfy (ICalendarTests, MeetctlTests): python3-icalendar and khal, both
/// from Debian (`make deps` installs them).
public enum CalendarPeers {
    /// A Python that imports icalendar: Debian's /usr/bin/python3 first (a pyenv `python3` earlier on
    /// PATH does not see Debian's python3-icalendar).
    public static func python() throws -> String {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: candidate) {
            if let run = try? ProcessRunner.run(candidate, ["-c", "import icalendar"]), run.status == 0 { return candidate }
        }
        throw TestSetupError("no python3 with the icalendar module: install python3-icalendar (`make deps` does)")
    }

    public static func khal() throws -> String {
        for candidate in ["/usr/bin/khal", "/usr/local/bin/khal"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw TestSetupError("khal is not installed: install it (`make deps` does)")
    }

    /// What python3-icalendar reads in each file: a JSON array, one entry per file, in order:
    /// {"file", "error"} or {"file", "method", "count", "events": [{uid, sequence, start, end,
    /// recurrence_id, status, rrule, organizer, attendees: [{address, cn, role, partstat, cutype,
    /// rsvp}], exdates}]} ("detail_error" instead of "events" when only the details failed).
    /// Times are "YYYY-MM-DDTHH:MM:SSZ" (UTC), "YYYY-MM-DDTHH:MM:SS" (floating) or "YYYY-MM-DD".
    public static let pythonReader = #"""
    import json, sys, datetime
    import icalendar

    def when(value):
        if value is None:
            return None
        value = getattr(value, "dt", value)
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            return value.strftime("%Y-%m-%dT%H:%M:%S")
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m-%d")
        return str(value)

    def listed(value):
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def address(value):
        text = str(value)
        return (text[7:] if text.lower().startswith("mailto:") else text).lower()

    def describe(event):
        item = {"uid": str(event.get("UID")) if event.get("UID") is not None else None}
        item["sequence"] = int(event.get("SEQUENCE", 0))
        item["start"] = when(event.decoded("DTSTART", None))
        item["end"] = when(event.decoded("DTEND", None))
        item["recurrence_id"] = when(event.decoded("RECURRENCE-ID", None))
        item["status"] = str(event.get("STATUS")) if event.get("STATUS") is not None else None
        item["rrule"] = event.get("RRULE").to_ical().decode() if event.get("RRULE") is not None else None
        organizer = event.get("ORGANIZER")
        item["organizer"] = address(organizer) if organizer is not None else None
        item["attendees"] = [{
            "address": address(a), "cn": a.params.get("CN"), "role": a.params.get("ROLE"),
            "partstat": a.params.get("PARTSTAT"), "cutype": a.params.get("CUTYPE"), "rsvp": a.params.get("RSVP"),
        } for a in listed(event.get("ATTENDEE"))]
        item["exdates"] = [when(d) for e in listed(event.get("EXDATE")) for d in e.dts]
        return item

    out = []
    for path in sys.argv[1:]:
        entry = {"file": path}
        try:
            with open(path, "rb") as f:
                calendar = icalendar.Calendar.from_ical(f.read())
            entry["method"] = str(calendar.get("METHOD")) if calendar.get("METHOD") is not None else None
            found = list(calendar.walk("VEVENT"))
            entry["count"] = len(found)
        except Exception as error:
            entry["error"] = type(error).__name__ + ": " + str(error).replace("\n", " ")[:200]
            out.append(entry)
            continue
        # The details may fail where the count did not (a value python cannot decode): kept apart.
        try:
            entry["events"] = [describe(event) for event in found]
        except Exception as error:
            entry["detail_error"] = type(error).__name__ + ": " + str(error).replace("\n", " ")[:200]
        out.append(entry)
    json.dump(out, sys.stdout, ensure_ascii=False)
    """#

    /// python3-icalendar's reading of `files` (one Python run for all of them).
    public static func pythonRead(_ files: [String]) throws -> [[String: Any]] {
        let python = try python()
        let folder = try temporaryFolder("python")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/reader.py"
        try pythonReader.write(toFile: script, atomically: true, encoding: .utf8)
        let run = try ProcessRunner.run(python, [script] + files, timeout: 300)
        guard run.status == 0, let entries = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]] else {
            throw TestSetupError("python3-icalendar reader failed (exit \(run.status)): \(run.stderr.prefix(500))")
        }
        return entries
    }

    /// khal's `printics` of one file: one "uid|start|end|title|attendees|status" line per event,
    /// times in UTC, with a throwaway config and home folder.
    public static func khalPrint(_ file: String) throws -> [[String]] {
        let khal = try khal()
        let home = try temporaryFolder("khal")
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/calendar", withIntermediateDirectories: true)
        let config = """
        [calendars]
        [[test]]
        path = \(home)/calendar
        type = calendar
        [locale]
        local_timezone = UTC
        default_timezone = UTC
        datetimeformat = %Y-%m-%dT%H:%M:%SZ
        longdatetimeformat = %Y-%m-%dT%H:%M:%SZ
        [sqlite]
        path = \(home)/khal.db

        """
        try config.write(toFile: home + "/config", atomically: true, encoding: .utf8)
        let run = try ProcessRunner.run(khal, ["-c", home + "/config", "printics", "-f", "{uid}|{start}|{end}|{title}|{attendees}|{status}", file],
                                        environment: ["HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home, "XDG_CACHE_HOME": home, "LC_ALL": "C.UTF-8"])
        guard run.status == 0 else { throw TestSetupError("khal printics \(file) failed (exit \(run.status)): \(run.stderr.prefix(500))") }
        return run.stdout.split(separator: "\n").dropFirst().map { $0.components(separatedBy: "|") }
    }

    public static func temporaryFolder(_ tag: String) throws -> String {
        let folder = NSTemporaryDirectory() + "switchboard-ical-\(tag)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}
