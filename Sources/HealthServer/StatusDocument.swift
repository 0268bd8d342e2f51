public import Foundation
public import HealthMonitor

/// `GET /api/v1/status`: everything a status page shows, in the shape status pages use (an
/// overall indicator, components with a status, open incidents, scheduled maintenance).
/// `healthd status` decodes the same type (``HealthJSON/decoder()``).
public struct StatusDocument: Sendable, Equatable, Codable {
    /// The page: its title, language, time zone and when the data was taken.
    public var page: Page
    /// The overall indicator and its sentence.
    public var status: Overall
    /// Every service, in configuration order.
    public var components: [Component]
    /// The groups, in the order their first service appears, with a status summing up theirs.
    public var groups: [Group]
    /// Open incidents, newest first.
    public var incidents: [Incident]
    /// Incidents resolved in the last 7 days, newest first.
    public var resolvedIncidents: [Incident]
    /// Maintenance active now or starting in the next 7 days, soonest first.
    public var scheduledMaintenances: [Maintenance]

    /// A document.
    public init(
        page: Page, status: Overall, components: [Component], groups: [Group], incidents: [Incident], resolvedIncidents: [Incident],
        scheduledMaintenances: [Maintenance]
    ) {
        self.page = page
        self.status = status
        self.components = components
        self.groups = groups
        self.incidents = incidents
        self.resolvedIncidents = resolvedIncidents
        self.scheduledMaintenances = scheduledMaintenances
    }

    enum CodingKeys: String, CodingKey {
        case page, status, components, groups, incidents
        case resolvedIncidents = "resolved_incidents"
        case scheduledMaintenances = "scheduled_maintenances"
    }

    /// The status page itself.
    public struct Page: Sendable, Equatable, Codable {
        /// The title (`health.title`).
        public var title: String
        /// `vi` or `en`.
        public var language: String
        /// The zone local times are shown in (`Asia/Ho_Chi_Minh`).
        public var timeZone: String
        /// When the monitor took the data.
        public var updatedAt: Date

        /// A page.
        public init(title: String, language: String, timeZone: String, updatedAt: Date) {
            self.title = title
            self.language = language
            self.timeZone = timeZone
            self.updatedAt = updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case title, language
            case timeZone = "time_zone"
            case updatedAt = "updated_at"
        }
    }

    /// How everything is, in one word (the values status pages use).
    public enum Indicator: String, Sendable, Equatable, Codable, CaseIterable {
        /// Every service with a known state is operational.
        case none
        /// Something is degraded, nothing down.
        case minor
        /// Some services are down.
        case major
        /// Every service with a known state is down.
        case critical
        /// Something is under maintenance, nothing worse.
        case maintenance
    }

    /// The overall indicator with its sentence in the page's language.
    public struct Overall: Sendable, Equatable, Codable {
        /// The indicator.
        public var indicator: Indicator
        /// One sentence (`All systems operational`).
        public var description: String

        /// An overall status.
        public init(indicator: Indicator, description: String) {
            self.indicator = indicator
            self.description = description
        }
    }

    /// A component's or group's status (the values status pages use, plus `unknown` for a
    /// service not probed yet).
    public enum ComponentStatus: String, Sendable, Equatable, Codable, CaseIterable {
        /// Working.
        case operational
        /// Working, with a warning (slow, certificate expiring).
        case degradedPerformance = "degraded_performance"
        /// Some of a group's services are down (groups only).
        case partialOutage = "partial_outage"
        /// Down (a service), or every service of a group down.
        case majorOutage = "major_outage"
        /// In a maintenance window.
        case underMaintenance = "under_maintenance"
        /// Not probed yet, or no recent result.
        case unknown

        /// The status of a service in `state`.
        public init(_ state: ServiceState) {
            switch state {
            case .up: self = .operational
            case .degraded: self = .degradedPerformance
            case .down: self = .majorOutage
            case .maintenance: self = .underMaintenance
            case .unknown: self = .unknown
            }
        }
    }

    /// One monitored service.
    public struct Component: Sendable, Equatable, Codable {
        /// Its name (used in the API's URLs), display title, group and probe kind.
        public var name: String
        /// See ``name``.
        public var title: String
        /// See ``name``.
        public var group: String
        /// See ``name``.
        public var kind: ProbeKind
        /// Its status, and the monitor's state it comes from.
        public var status: ComponentStatus
        /// See ``status``.
        public var state: ServiceState
        /// Since when it is in that state.
        public var since: Date?
        /// When it was last probed, what that probe saw (one line) and how long it took.
        public var lastCheckedAt: Date?
        /// See ``lastCheckedAt``.
        public var lastDetail: String?
        /// See ``lastCheckedAt``.
        public var responseTimeSeconds: Double?
        /// The service whose outage explains this one's.
        public var suppressedBy: String?
        /// Availability (0...1) over the windows the monitor keeps current (`24h`, `7d`, `30d`).
        public var sla: [String: Double]

        /// A component.
        public init(
            name: String, title: String, group: String, kind: ProbeKind, status: ComponentStatus, state: ServiceState, since: Date?,
            lastCheckedAt: Date?, lastDetail: String?, responseTimeSeconds: Double?, suppressedBy: String?, sla: [String: Double]
        ) {
            self.name = name
            self.title = title
            self.group = group
            self.kind = kind
            self.status = status
            self.state = state
            self.since = since
            self.lastCheckedAt = lastCheckedAt
            self.lastDetail = lastDetail
            self.responseTimeSeconds = responseTimeSeconds
            self.suppressedBy = suppressedBy
            self.sla = sla
        }

        enum CodingKeys: String, CodingKey {
            case name, title, group, kind, status, state, since, sla
            case lastCheckedAt = "last_checked_at"
            case lastDetail = "last_detail"
            case responseTimeSeconds = "response_time_seconds"
            case suppressedBy = "suppressed_by"
        }
    }

    /// A group of services, as the status page shows it.
    public struct Group: Sendable, Equatable, Codable {
        /// Its name.
        public var name: String
        /// Operational when all are; major outage when every known one is down; partial outage
        /// when some are down; otherwise degraded, maintenance or unknown, worst first.
        public var status: ComponentStatus
        /// Its services' names, in configuration order.
        public var components: [String]

        /// A group.
        public init(name: String, status: ComponentStatus, components: [String]) {
            self.name = name
            self.status = status
            self.components = components
        }
    }

    /// An incident: one outage of one service.
    public struct Incident: Sendable, Equatable, Codable {
        /// Its id, the service (name and title) and how bad (`down` or `degraded`).
        public var id: Int64
        /// See ``id``.
        public var service: String
        /// See ``id``.
        public var title: String
        /// See ``id``.
        public var severity: ServiceState
        /// From the first failed probe to the probe that resolved it (nil while open).
        public var startedAt: Date
        /// See ``startedAt``.
        public var endedAt: Date?
        /// What failed, one line.
        public var cause: String
        /// The service whose outage explains this one.
        public var suppressedBy: String?
        /// Who acknowledged it (login), when and why.
        public var acknowledgedBy: String?
        /// See ``acknowledgedBy``.
        public var acknowledgedAt: Date?
        /// See ``acknowledgedBy``.
        public var acknowledgeNote: String?

        /// An incident.
        public init(
            id: Int64, service: String, title: String, severity: ServiceState, startedAt: Date, endedAt: Date?, cause: String, suppressedBy: String?,
            acknowledgedBy: String?, acknowledgedAt: Date?, acknowledgeNote: String?
        ) {
            self.id = id
            self.service = service
            self.title = title
            self.severity = severity
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.cause = cause
            self.suppressedBy = suppressedBy
            self.acknowledgedBy = acknowledgedBy
            self.acknowledgedAt = acknowledgedAt
            self.acknowledgeNote = acknowledgeNote
        }

        enum CodingKeys: String, CodingKey {
            case id, service, title, severity, cause
            case startedAt = "started_at"
            case endedAt = "ended_at"
            case suppressedBy = "suppressed_by"
            case acknowledgedBy = "acknowledged_by"
            case acknowledgedAt = "acknowledged_at"
            case acknowledgeNote = "acknowledge_note"
        }
    }

    /// A maintenance window, active or coming.
    public struct Maintenance: Sendable, Equatable, Codable {
        /// The stored window's id (planned by an operator), nil for one from the configuration.
        public var id: Int64?
        /// The services it covers (`*`: all).
        public var services: [String]
        /// This occurrence, half-open.
        public var start: Date
        /// See ``start``.
        public var end: Date
        /// Why.
        public var reason: String
        /// Whether it is running when the data was taken.
        public var active: Bool
        /// Who planned it (login), for stored windows.
        public var createdBy: String?

        /// A window.
        public init(id: Int64?, services: [String], start: Date, end: Date, reason: String, active: Bool, createdBy: String?) {
            self.id = id
            self.services = services
            self.start = start
            self.end = end
            self.reason = reason
            self.active = active
            self.createdBy = createdBy
        }

        enum CodingKeys: String, CodingKey {
            case id, services, start, end, reason, active
            case createdBy = "created_by"
        }
    }
}
