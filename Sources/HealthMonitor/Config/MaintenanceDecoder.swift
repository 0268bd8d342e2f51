import Foundation
import SwitchboardCore

/// Decodes maintenance windows: `once {from, to}` or `weekly {days, from, to}`, a `reason`, and
/// (global windows only) the `services` they cover.
enum MaintenanceDecoder {
    static let dayNames: [String: Weekday] = [
        "mon": .monday, "tue": .tuesday, "wed": .wednesday, "thu": .thursday, "fri": .friday, "sat": .saturday, "sun": .sunday,
    ]

    /// One window. `service` is the owning service for a service's own window; nil for a global
    /// one, which must name `services` (each in `known`, or `*`).
    static func window(_ node: ConfigNode, service: String?, known: Set<String>, timeZone: String) throws -> MaintenanceWindow {
        let keys = try node.mapping(known: service == nil ? ["services", "once", "weekly", "reason"] : ["once", "weekly", "reason"])
        var services: [String]
        if let service {
            services = [service]
        } else {
            guard let value = keys["services"] else { throw node.error("a maintenance window needs services: the names it covers, or [\"*\"] for all") }
            let items = try value.sequence()
            guard !items.isEmpty else { throw value.error("expected at least one service name, or \"*\" for all") }
            services = []
            for item in items {
                let name = try item.nonEmptyString()
                guard name == "*" || known.contains(name) else {
                    throw item.error("no service named \"\(name)\" (known: \(known.sorted().joined(separator: ", ")))")
                }
                services.append(name)
            }
        }
        guard let reasonNode = keys["reason"] else { throw node.error("a maintenance window needs a reason (shown on the status page)") }
        let reason = try HealthSettings.oneLine(reasonNode)
        let schedule: MaintenanceSchedule
        switch (keys["once"], keys["weekly"]) {
        case let (once?, nil): schedule = try self.once(once, timeZone: timeZone)
        case let (nil, weekly?): schedule = try self.weekly(weekly, timeZone: timeZone)
        case (_?, _?): throw node.error("a maintenance window is either once or weekly, not both")
        case (nil, nil): throw node.error("a maintenance window needs once {from, to} or weekly {days, from, to}")
        }
        return MaintenanceWindow(services: services, schedule: schedule, reason: reason)
    }

    private static func once(_ node: ConfigNode, timeZone: String) throws -> MaintenanceSchedule {
        let keys = try node.mapping(known: ["from", "to"])
        guard let fromNode = keys["from"], let toNode = keys["to"] else { throw node.error("once needs from and to (\"2026-12-20 22:00\")") }
        let start = try instant(fromNode, timeZone: timeZone)
        let end = try instant(toNode, timeZone: timeZone)
        guard end > start else { throw toNode.error("the end must be after the start (\(try fromNode.nonEmptyString()))") }
        return .once(start: start, end: end)
    }

    private static func weekly(_ node: ConfigNode, timeZone: String) throws -> MaintenanceSchedule {
        let keys = try node.mapping(known: ["days", "from", "to", "time_zone"])
        guard let daysNode = keys["days"], let fromNode = keys["from"], let toNode = keys["to"] else {
            throw node.error("weekly needs days ([mon, ...]), from and to (\"22:00\")")
        }
        var zone = timeZone
        if let value = keys["time_zone"] {
            zone = try value.nonEmptyString()
            guard TimeZone(identifier: zone) != nil else { throw value.error("expected an Olson time zone name such as Europe/Berlin, got \"\(zone)\"") }
        }
        let items = try daysNode.sequence()
        guard !items.isEmpty else { throw daysNode.error("expected at least one day (mon, tue, wed, thu, fri, sat, sun)") }
        var days: Set<Weekday> = []
        for item in items {
            let name = try item.oneOf(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
            if let day = dayNames[name] { days.insert(day) }
        }
        let start = try minutes(fromNode)
        let end = try minutes(toNode)
        guard start != end else { throw toNode.error("from and to are the same time: the window would last no time") }
        return .weekly(days: days, startMinute: start, endMinute: end, timeZone: zone)
    }

    private static func minutes(_ node: ConfigNode) throws -> Int {
        let parts = try node.clockTime().split(separator: ":")
        return (Int(parts[0]) ?? 0) * 60 + (Int(parts[1]) ?? 0)
    }

    /// `2026-12-20 22:00` (local, in `timeZone`), `2026-12-20T22:00:00`, or with `Z`/`+07:00`.
    private static func instant(_ node: ConfigNode, timeZone: String) throws -> Date {
        let text = try node.nonEmptyString()
        guard let date = parseInstant(text, timeZone: timeZone) else {
            throw node.error("expected a date and time such as \"2026-12-20 22:00\" (in \(timeZone)) or 2026-12-20T15:00:00Z, got \"\(text)\"")
        }
        return date
    }

    /// See ``instant(_:timeZone:)``; nil when malformed.
    static func parseInstant(_ text: String, timeZone: String) -> Date? {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        if let date = iso.date(from: text) { return date }
        let scalars = Array(text.replacingOccurrences(of: "T", with: " ").utf8)
        // YYYY-MM-DD HH:MM[:SS]
        guard scalars.count == 16 || scalars.count == 19, let zone = TimeZone(identifier: timeZone) else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            let slice = scalars[from..<from + count]
            guard slice.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Int(String(decoding: slice, as: UTF8.self))
        }
        guard scalars[4] == 45, scalars[7] == 45, scalars[10] == 32, scalars[13] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2), let minute = number(14, 2),
              (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        var second = 0
        if scalars.count == 19 {
            guard scalars[16] == 58, let value = number(17, 2), (0...59).contains(value) else { return nil }
            second = value
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month else { return nil }
        return date
    }
}
