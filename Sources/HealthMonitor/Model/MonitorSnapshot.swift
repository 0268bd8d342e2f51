public import Foundation

/// An incident: one outage of one service, from its first failed probe to the probe that resolved it.
public struct IncidentRecord: Sendable, Equatable, Codable {
    /// Its row id in the directory database.
    public var id: Int64
    /// The service.
    public var service: String
    /// `down` or `degraded`.
    public var severity: ServiceState
    /// The first failed probe.
    public var startedAt: Date
    /// The probe that resolved it; nil while open.
    public var endedAt: Date?
    /// What failed, one line (the first failed probe's detail).
    public var cause: String
    /// The parent service whose outage explains this one (its alerts went into that digest).
    public var suppressedBy: String?
    /// When the first alert or digest went out; nil if it never reached its threshold.
    public var alertedAt: Date?
    /// Who acknowledged it (login), when and why.
    public var ackedBy: String?
    /// See ``ackedBy``.
    public var ackedAt: Date?
    /// See ``ackedBy``.
    public var ackNote: String

    /// An incident.
    public init(
        id: Int64, service: String, severity: ServiceState, startedAt: Date, endedAt: Date? = nil, cause: String, suppressedBy: String? = nil,
        alertedAt: Date? = nil, ackedBy: String? = nil, ackedAt: Date? = nil, ackNote: String = ""
    ) {
        self.id = id
        self.service = service
        self.severity = severity
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.cause = cause
        self.suppressedBy = suppressedBy
        self.alertedAt = alertedAt
        self.ackedBy = ackedBy
        self.ackedAt = ackedAt
        self.ackNote = ackNote
    }
}

/// A maintenance window as shown: active now or coming, with its concrete times.
public struct MaintenanceEntry: Sendable, Equatable, Codable {
    /// The stored window's id (operator-planned), nil for one from the configuration.
    public var id: Int64?
    /// The services it covers (`*`: all).
    public var services: [String]
    /// This occurrence's start and end.
    public var start: Date
    /// See ``start``.
    public var end: Date
    /// Why.
    public var reason: String
    /// Who planned it (login), for stored windows.
    public var createdBy: String?

    /// An entry.
    public init(id: Int64? = nil, services: [String], start: Date, end: Date, reason: String, createdBy: String? = nil) {
        self.id = id
        self.services = services
        self.start = start
        self.end = end
        self.reason = reason
        self.createdBy = createdBy
    }
}

/// Time-weighted availability of one service over a window. Each result holds from its start
/// until the next result (at most two intervals plus the timeout; after that the time is
/// unknown). Maintenance and unknown time are excluded: `ratio = (up + degraded) / (up + degraded + down)`.
public struct SLAFigure: Sendable, Equatable, Codable {
    /// The service.
    public var service: String
    /// The window, half-open.
    public var from: Date
    /// See ``from``.
    public var to: Date
    /// Seconds in each state.
    public var upSeconds: Double
    /// See ``upSeconds``.
    public var degradedSeconds: Double
    /// See ``upSeconds``.
    public var downSeconds: Double
    /// See ``upSeconds``.
    public var maintenanceSeconds: Double
    /// See ``upSeconds``.
    public var unknownSeconds: Double

    /// A figure.
    public init(
        service: String, from: Date, to: Date, upSeconds: Double = 0, degradedSeconds: Double = 0, downSeconds: Double = 0,
        maintenanceSeconds: Double = 0, unknownSeconds: Double = 0
    ) {
        self.service = service
        self.from = from
        self.to = to
        self.upSeconds = upSeconds
        self.degradedSeconds = degradedSeconds
        self.downSeconds = downSeconds
        self.maintenanceSeconds = maintenanceSeconds
        self.unknownSeconds = unknownSeconds
    }

    /// The availability, 0...1; nil when no time in the window counts.
    public var ratio: Double? {
        let counted = upSeconds + degradedSeconds + downSeconds
        return counted > 0 ? (upSeconds + degradedSeconds) / counted : nil
    }
}

/// One day's availability of one service (the status page's uptime bars, the report's chart).
public struct DayUptime: Sendable, Equatable, Codable {
    /// The day, `YYYY-MM-DD` in the monitor's time zone.
    public var day: String
    /// The day's figures.
    public var sla: SLAFigure

    /// A day.
    public init(day: String, sla: SLAFigure) {
        self.day = day
        self.sla = sla
    }
}

/// One service now, as the endpoints, the status page and `healthd status` show it.
public struct ServiceSnapshot: Sendable, Equatable, Codable {
    /// Its name, display name, group and kind.
    public var name: String
    /// See ``name``.
    public var title: String
    /// See ``name``.
    public var group: String
    /// See ``name``.
    public var kind: ProbeKind
    /// The target, as configured (never carries a secret: the configuration refuses one).
    public var target: String
    /// Its state, and since when.
    public var state: ServiceState
    /// See ``state``.
    public var since: Date?
    /// The last probe's result.
    public var lastResult: ProbeResult?
    /// Its open incident.
    public var incident: IncidentRecord?
    /// The parent whose outage explains this one's, when one does.
    public var suppressedBy: String?
    /// What it depends on, and who owns it.
    public var dependsOn: [String]
    /// See ``dependsOn``.
    public var owners: [String]
    /// Its probe interval in seconds.
    public var intervalSeconds: Double
    /// Availability over the windows the monitor keeps current (`24h`, `7d`, `30d`).
    public var sla: [String: Double]

    /// A snapshot.
    public init(
        name: String, title: String, group: String, kind: ProbeKind, target: String, state: ServiceState, since: Date?, lastResult: ProbeResult?,
        incident: IncidentRecord?, suppressedBy: String?, dependsOn: [String], owners: [String], intervalSeconds: Double, sla: [String: Double]
    ) {
        self.name = name
        self.title = title
        self.group = group
        self.kind = kind
        self.target = target
        self.state = state
        self.since = since
        self.lastResult = lastResult
        self.incident = incident
        self.suppressedBy = suppressedBy
        self.dependsOn = dependsOn
        self.owners = owners
        self.intervalSeconds = intervalSeconds
        self.sla = sla
    }
}

/// The daemon's own health (`/health`, `/readyz`, its own metrics); never the services'.
public struct DaemonHealth: Sendable, Equatable, Codable {
    /// When it started, and when its configuration was (re)loaded, from which file.
    public var startedAt: Date
    /// See ``startedAt``.
    public var configLoadedAt: Date
    /// See ``startedAt``.
    public var configFile: String
    /// The last reload that was refused (file:line: key: problem), nil when the last one worked.
    public var configError: String?
    /// Whether the history file took the last write, and what it said when not.
    public var historyWritable: Bool
    /// See ``historyWritable``.
    public var historyError: String?
    /// How late the scheduler started its last probes, in seconds (lag above the interval is
    /// a scheduler that cannot keep up).
    public var schedulerLagSeconds: Double
    /// Probes finished since start, by outcome.
    public var probesTotal: [ProbeOutcome: Int]
    /// Probes in flight now.
    public var probesInFlight: Int
    /// Mails waiting in the outbox (alerts that could not be sent yet).
    public var alertsQueued: Int
    /// The suite's version.
    public var version: String

    /// The daemon's health.
    public init(
        startedAt: Date, configLoadedAt: Date, configFile: String, configError: String? = nil, historyWritable: Bool, historyError: String? = nil,
        schedulerLagSeconds: Double, probesTotal: [ProbeOutcome: Int], probesInFlight: Int, alertsQueued: Int, version: String
    ) {
        self.startedAt = startedAt
        self.configLoadedAt = configLoadedAt
        self.configFile = configFile
        self.configError = configError
        self.historyWritable = historyWritable
        self.historyError = historyError
        self.schedulerLagSeconds = schedulerLagSeconds
        self.probesTotal = probesTotal
        self.probesInFlight = probesInFlight
        self.alertsQueued = alertsQueued
        self.version = version
    }
}

/// Everything the endpoints show, taken at one instant.
public struct MonitorSnapshot: Sendable, Equatable {
    /// When it was taken.
    public var generatedAt: Date
    /// The status page's title and language (`vi` or `en`) and the zone times are shown in.
    public var title: String
    /// See ``title``.
    public var language: String
    /// See ``title``.
    public var timeZone: String
    /// Every service, in configuration order.
    public var services: [ServiceSnapshot]
    /// Open incidents, and those resolved in the last 7 days, newest first.
    public var incidents: [IncidentRecord]
    /// Maintenance active now or starting in the next 7 days.
    public var maintenance: [MaintenanceEntry]
    /// The daemon itself.
    public var daemon: DaemonHealth

    /// A snapshot.
    public init(
        generatedAt: Date, title: String, language: String, timeZone: String, services: [ServiceSnapshot], incidents: [IncidentRecord],
        maintenance: [MaintenanceEntry], daemon: DaemonHealth
    ) {
        self.generatedAt = generatedAt
        self.title = title
        self.language = language
        self.timeZone = timeZone
        self.services = services
        self.incidents = incidents
        self.maintenance = maintenance
        self.daemon = daemon
    }
}

/// One of the daemon's readiness checks (`/readyz?verbose`).
public struct ReadinessCheck: Sendable, Equatable, Codable {
    /// `config`, `history`, `scheduler`.
    public var name: String
    /// Whether it passes.
    public var ok: Bool
    /// One line: why not, or what was seen.
    public var detail: String

    /// A check.
    public init(name: String, ok: Bool, detail: String) {
        self.name = name
        self.ok = ok
        self.detail = detail
    }
}

/// An operator's request for a maintenance window (`healthd maintenance add`, `POST /api/v1/maintenance`).
public struct MaintenanceRequest: Sendable, Equatable, Codable {
    /// The services (`*`: all); each must be configured.
    public var services: [String]
    /// When, half-open; the end must be after the start and after now.
    public var start: Date
    /// See ``start``.
    public var end: Date
    /// Why (required, one line).
    public var reason: String

    /// A request.
    public init(services: [String], start: Date, end: Date, reason: String) {
        self.services = services
        self.start = start
        self.end = end
        self.reason = reason
    }
}

/// What the HTTP side reads from and asks of the running monitor.
public protocol HealthStatusSource: Sendable {
    /// Everything now (cached by the monitor; cheap).
    func snapshot() async -> MonitorSnapshot
    /// Results of one service in a window, newest first, at most `limit`.
    func history(service: String, from: Date, to: Date, limit: Int) async throws -> [ProbeResult]
    /// Availability of one service over a window.
    func sla(service: String, from: Date, to: Date) async throws -> SLAFigure
    /// The last `days` days of every service (today included), oldest first, by service name.
    func uptimeDays(_ days: Int) async throws -> [String: [DayUptime]]
    /// Plans a maintenance window, as the API's actor, recorded as a `health.maintenance`
    /// event with `origin` (the peer address) in its details.
    func planMaintenance(_ request: MaintenanceRequest, origin: String) async throws -> MaintenanceEntry
    /// The readiness checks.
    func readiness() async -> [ReadinessCheck]
}
