public import Foundation

/// The maintenance windows in force: from the configuration (global and per service) and those
/// operators planned. Weekly windows are read in their own zone, day by day, so a window at
/// 22:00 stays at 22:00 local time across a DST change. A local start that does not exist (the
/// hour skipped in spring) begins at the first instant after the gap; one that exists twice
/// (the hour repeated in autumn) begins at its first occurrence.
public struct MaintenanceCalendar: Sendable, Equatable {
    /// The windows.
    public let windows: [MaintenanceWindow]

    /// A calendar of `windows`.
    public init(windows: [MaintenanceWindow]) {
        self.windows = windows
    }

    /// The first window covering `service` at `at`, or nil.
    public func active(for service: String, at: Date) -> MaintenanceWindow? {
        windows.first { Self.covers($0, service) && occurrence(of: $0, at: at) != nil }
    }

    /// The occurrence covering `service` at `at`, with its concrete start and end, or nil.
    public func activeEntry(for service: String, at: Date) -> MaintenanceEntry? {
        for window in windows where Self.covers(window, service) {
            if let entry = occurrence(of: window, at: at) { return entry }
        }
        return nil
    }

    /// Every occurrence overlapping `[from, to)`, by start time (ties in window order).
    public func entries(from: Date, to: Date) -> [MaintenanceEntry] {
        guard to > from else { return [] }
        var found: [(order: Int, entry: MaintenanceEntry)] = []
        for (order, window) in windows.enumerated() {
            for (start, end) in Self.spans(of: window.schedule, from: from, to: to) {
                found.append((order, MaintenanceEntry(id: window.id, services: window.services, start: start, end: end, reason: window.reason)))
            }
        }
        return found.sorted { ($0.entry.start, $0.order) < ($1.entry.start, $1.order) }.map(\.entry)
    }

    private func occurrence(of window: MaintenanceWindow, at: Date) -> MaintenanceEntry? {
        let probe = at.addingTimeInterval(0.001)
        guard let (start, end) = Self.spans(of: window.schedule, from: at, to: probe).first(where: { $0.0 <= at && at < $0.1 }) else { return nil }
        return MaintenanceEntry(id: window.id, services: window.services, start: start, end: end, reason: window.reason)
    }

    private static func covers(_ window: MaintenanceWindow, _ service: String) -> Bool {
        window.services.contains(service) || window.services.contains("*")
    }

    /// The occurrences of `schedule` overlapping `[from, to)`.
    static func spans(of schedule: MaintenanceSchedule, from: Date, to: Date) -> [(Date, Date)] {
        switch schedule {
        case let .once(start, end):
            return start < to && end > from ? [(start, end)] : []
        case let .weekly(days, startMinute, endMinute, timeZone):
            guard let zone = TimeZone(identifier: timeZone), !days.isEmpty else { return [] }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            // A window may start the day before `from` and run past midnight.
            let first = calendar.dateComponents([.year, .month, .day], from: from.addingTimeInterval(-86_400))
            guard var day = calendar.date(from: DateComponents(year: first.year, month: first.month, day: first.day, hour: 12)) else { return [] }
            var spans: [(Date, Date)] = []
            while day < to.addingTimeInterval(86_400) {
                let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
                let isoWeekday = ((parts.weekday ?? 1) + 5) % 7 + 1
                if let weekday = Weekday(rawValue: isoWeekday), days.contains(weekday),
                   let start = local(calendar, day, minute: startMinute, dayOffset: 0),
                   let end = local(calendar, day, minute: endMinute, dayOffset: endMinute > startMinute ? 0 : 1),
                   start < to, end > from, end > start {
                    spans.append((start, end))
                }
                guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
                day = next
            }
            return spans
        }
    }

    /// The instant of `minute` after local midnight of the day whose noon is `noon` (plus `dayOffset` days).
    private static func local(_ calendar: Calendar, _ noon: Date, minute: Int, dayOffset: Int) -> Date? {
        guard let shifted = calendar.date(byAdding: .day, value: dayOffset, to: noon) else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: shifted)
        return calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: minute / 60, minute: minute % 60))
    }
}
