public import Foundation
import SwitchboardBase
import SwitchboardCore

/// The monthly availability report (`healthd report --month 2026-11`): per service the
/// time-weighted availability with maintenance excluded, downtime, maintenance, incidents and
/// each day's availability, as text, CSV and a self-contained HTML page.
///
/// The month runs from local midnight of its first day to local midnight of the next month's in
/// `timeZone`; a month not over yet is reported until `now` (the rest is unknown, not counted).
public struct MonthlyReport: Sendable {
    /// `YYYY-MM`.
    public let month: String
    /// The zone the month's boundaries and days are in.
    public let timeZone: String
    /// The report's title (`health.title`).
    public let title: String
    /// `vi` or `en`.
    public let language: String

    /// A report of `month` (`2026-11`); a bad month or zone is refused by ``build(services:history:incidents:maintenance:now:)``.
    public init(month: String, timeZone: String, title: String, language: String) {
        self.month = month
        self.timeZone = timeZone
        self.title = title
        self.language = language == "vi" ? "vi" : "en"
    }

    /// The figures of every service, from the history (``HistoryStore/sla(service:from:to:now:)``,
    /// the same numbers) and the month's incidents and maintenance.
    public func build(services: [ServiceDefinition], history: HistoryStore, incidents: [IncidentRecord], maintenance: [MaintenanceEntry],
                      now: Date) throws -> ReportData {
        let (start, monthEnd, allDays) = try bounds()
        // The month so far: time after now is not "unknown", it has not happened (a report of
        // the running month covers its days up to now).
        let end = min(monthEnd, max(start, now))
        let days = allDays.filter { $0.start < end }.map { (label: $0.label, start: $0.start, end: min($0.end, end)) }
        var rows: [ServiceReport] = []
        for service in services {
            let windows = [(from: start, to: end)] + days.map { (from: $0.start, to: $0.end) }
            let figures = try history.figures(service: service.name, windows: windows, now: now)
            let dayFigures = zip(days, figures.dropFirst()).map { DayUptime(day: $0.label, sla: $1) }
            let own = incidents.filter { incident in
                incident.service == service.name && incident.startedAt < end && (incident.endedAt ?? .distantFuture) > start
            }.sorted { $0.startedAt < $1.startedAt }
            let windowsOfService = maintenance.filter { entry in
                (entry.services.contains("*") || entry.services.contains(service.name)) && entry.start < end && entry.end > start
            }.sorted { $0.start < $1.start }
            rows.append(ServiceReport(name: service.name, title: service.title, group: service.group, sla: figures[0], days: dayFigures,
                                      incidents: own, maintenance: windowsOfService))
        }
        return ReportData(month: month, title: title, language: language, timeZone: timeZone, from: start, to: end, generatedAt: now, services: rows)
    }

    /// The month's start, end and days (local midnights).
    func bounds() throws -> (Date, Date, [(label: String, start: Date, end: Date)]) {
        let parts = month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let number = Int(parts[1]),
              (1...12).contains(number), year >= 1970 else {
            throw HealthBookError(.badInput, "bad month \"\(month)\": give it as YYYY-MM, for example 2026-11")
        }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw HealthBookError(.badInput, "unknown time zone \"\(timeZone)\": use an IANA name such as Asia/Ho_Chi_Minh (health.time_zone)")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let start = calendar.date(from: DateComponents(year: year, month: number, day: 1)),
              let end = calendar.date(byAdding: .month, value: 1, to: start) else {
            throw HealthBookError(.badInput, "month \"\(month)\" cannot be placed in \(timeZone)")
        }
        var days: [(String, Date, Date)] = []
        var day = start
        var index = 1
        while day < end, let next = calendar.date(byAdding: .day, value: 1, to: day) {
            days.append((String(format: "%04d-%02d-%02d", year, number, index), day, min(next, end)))
            day = next
            index += 1
        }
        return (start, end, days)
    }
}

/// A built report: what the renderers show.
public struct ReportData: Sendable, Equatable {
    /// `YYYY-MM`, the title, the language and the zone.
    public var month: String
    /// See ``month``.
    public var title: String
    /// See ``month``.
    public var language: String
    /// See ``month``.
    public var timeZone: String
    /// The month's bounds (local midnights).
    public var from: Date
    /// See ``from``.
    public var to: Date
    /// When it was built.
    public var generatedAt: Date
    /// Every service, in configuration order.
    public var services: [ServiceReport]

    /// A report.
    public init(month: String, title: String, language: String, timeZone: String, from: Date, to: Date, generatedAt: Date, services: [ServiceReport]) {
        self.month = month
        self.title = title
        self.language = language
        self.timeZone = timeZone
        self.from = from
        self.to = to
        self.generatedAt = generatedAt
        self.services = services
    }
}

/// One service's month.
public struct ServiceReport: Sendable, Equatable {
    /// The service's name, display name and group.
    public var name: String
    /// See ``name``.
    public var title: String
    /// See ``name``.
    public var group: String
    /// The month's figure (``SLAFigure/ratio`` is the availability).
    public var sla: SLAFigure
    /// Each local day's figure.
    public var days: [DayUptime]
    /// The incidents that overlap the month.
    public var incidents: [IncidentRecord]
    /// The maintenance windows covering it that overlap the month.
    public var maintenance: [MaintenanceEntry]

    /// A service's month.
    public init(name: String, title: String, group: String, sla: SLAFigure, days: [DayUptime], incidents: [IncidentRecord], maintenance: [MaintenanceEntry]) {
        self.name = name
        self.title = title
        self.group = group
        self.sla = sla
        self.days = days
        self.incidents = incidents
        self.maintenance = maintenance
    }
}
