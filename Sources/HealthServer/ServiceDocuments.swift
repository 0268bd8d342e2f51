public import Foundation
public import HealthMonitor

/// `GET /api/v1/services/{name}`: one service in detail.
public struct ServiceDetailDocument: Sendable, Equatable, Codable {
    /// The service as the status document shows it.
    public var component: StatusDocument.Component
    /// What is probed (never carries a secret: the configuration refuses one).
    public var target: String
    /// What it depends on, and who owns it.
    public var dependsOn: [String]
    /// See ``dependsOn``.
    public var owners: [String]
    /// Its probe interval in seconds.
    public var intervalSeconds: Double
    /// The last probe's result.
    public var lastResult: ResultEntry?
    /// Its open incident.
    public var incident: StatusDocument.Incident?
    /// Maintenance covering it, active or in the next 7 days.
    public var maintenance: [StatusDocument.Maintenance]

    /// A document.
    public init(
        component: StatusDocument.Component, target: String, dependsOn: [String], owners: [String], intervalSeconds: Double, lastResult: ResultEntry?,
        incident: StatusDocument.Incident?, maintenance: [StatusDocument.Maintenance]
    ) {
        self.component = component
        self.target = target
        self.dependsOn = dependsOn
        self.owners = owners
        self.intervalSeconds = intervalSeconds
        self.lastResult = lastResult
        self.incident = incident
        self.maintenance = maintenance
    }

    enum CodingKeys: String, CodingKey {
        case component, target, owners, incident, maintenance
        case dependsOn = "depends_on"
        case intervalSeconds = "interval_seconds"
        case lastResult = "last_result"
    }
}

/// One probe's result as the API shows it.
public struct ResultEntry: Sendable, Equatable, Codable {
    /// When the probe started, what it concluded, how long it took and what it saw.
    public var at: Date
    /// See ``at``.
    public var outcome: ProbeOutcome
    /// See ``at``.
    public var durationSeconds: Double
    /// See ``at``.
    public var detail: String
    /// The HTTP status, when there was one.
    public var httpStatus: Int?
    /// When the certificate expires, when there was one.
    public var certificateExpiry: Date?
    /// Phase timings in seconds (`resolve`, `connect`, `tls`, `first_byte`, `total`, ...).
    public var phases: [String: Double]

    /// The entry of a result.
    public init(_ result: ProbeResult) {
        at = result.at
        outcome = result.outcome
        durationSeconds = result.durationSeconds
        detail = result.detail
        httpStatus = result.httpStatus
        certificateExpiry = result.certificateExpiry
        phases = result.phases
    }

    enum CodingKeys: String, CodingKey {
        case at, outcome, detail, phases
        case durationSeconds = "duration_seconds"
        case httpStatus = "http_status"
        case certificateExpiry = "certificate_expiry"
    }
}

/// `GET /api/v1/services/{name}/history?from=&to=&limit=`: results in a window, newest first.
public struct HistoryDocument: Sendable, Equatable, Codable {
    /// The service, the window (half-open) and the most results asked for.
    public var service: String
    /// See ``service``.
    public var from: Date
    /// See ``service``.
    public var to: Date
    /// See ``service``.
    public var limit: Int
    /// The results, newest first.
    public var results: [ResultEntry]

    /// A document.
    public init(service: String, from: Date, to: Date, limit: Int, results: [ResultEntry]) {
        self.service = service
        self.from = from
        self.to = to
        self.limit = limit
        self.results = results
    }
}

/// `GET /api/v1/services/{name}/sla?from=&to=`: time-weighted availability over a window.
public struct SLADocument: Sendable, Equatable, Codable {
    /// The service and the window (half-open).
    public var service: String
    /// See ``service``.
    public var from: Date
    /// See ``service``.
    public var to: Date
    /// `(up + degraded) / (up + degraded + down)`, nil when no time in the window counts.
    public var ratio: Double?
    /// Seconds in each state; maintenance and unknown time do not count in ``ratio``.
    public var upSeconds: Double
    /// See ``upSeconds``.
    public var degradedSeconds: Double
    /// See ``upSeconds``.
    public var downSeconds: Double
    /// See ``upSeconds``.
    public var maintenanceSeconds: Double
    /// See ``upSeconds``.
    public var unknownSeconds: Double

    /// The document of a figure.
    public init(_ figure: SLAFigure) {
        service = figure.service
        from = figure.from
        to = figure.to
        ratio = figure.ratio
        upSeconds = figure.upSeconds
        degradedSeconds = figure.degradedSeconds
        downSeconds = figure.downSeconds
        maintenanceSeconds = figure.maintenanceSeconds
        unknownSeconds = figure.unknownSeconds
    }

    enum CodingKeys: String, CodingKey {
        case service, from, to, ratio
        case upSeconds = "up_seconds"
        case degradedSeconds = "degraded_seconds"
        case downSeconds = "down_seconds"
        case maintenanceSeconds = "maintenance_seconds"
        case unknownSeconds = "unknown_seconds"
    }
}

/// The body of every error the API answers: the HTTP status, one line saying what is wrong and
/// what to do, and the query parameter or body field at fault when there is one.
public struct APIErrorDocument: Sendable, Equatable, Codable {
    /// The HTTP status code.
    public var status: Int
    /// What is wrong, and what to try.
    public var error: String
    /// The parameter or field at fault.
    public var parameter: String?

    /// An error body.
    public init(status: Int, error: String, parameter: String? = nil) {
        self.status = status
        self.error = error
        self.parameter = parameter
    }
}

extension ServiceDetailDocument {
    /// The detail of one service of a snapshot.
    init(service: ServiceSnapshot, snapshot: MonitorSnapshot) {
        let incident = service.incident.map { StatusDocument.Incident($0, title: service.title) }
        let maintenance = snapshot.maintenance
            .filter { ($0.services.contains("*") || $0.services.contains(service.name)) && $0.end > snapshot.generatedAt }
            .sorted { $0.start < $1.start }
            .map {
                StatusDocument.Maintenance(
                    id: $0.id, services: $0.services, start: $0.start, end: $0.end, reason: $0.reason, active: $0.start <= snapshot.generatedAt,
                    createdBy: $0.createdBy)
            }
        self.init(
            component: StatusDocument.Component(service: service), target: service.target, dependsOn: service.dependsOn, owners: service.owners,
            intervalSeconds: service.intervalSeconds, lastResult: service.lastResult.map(ResultEntry.init), incident: incident, maintenance: maintenance)
    }
}
