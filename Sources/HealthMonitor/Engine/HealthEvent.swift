public import Foundation

/// What the state machine decided, for the daemon to act on (incident rows, mails, the snapshot).
public enum HealthEvent: Sendable, Equatable {
    /// A service failed a probe with no incident open: an incident starts at that probe (`at`),
    /// with its severity (`down` or `degraded`) and the probe's detail as its cause. No mail yet.
    case incidentOpened(service: String, at: Date, severity: ServiceState, cause: String)
    /// An incident that started degraded saw a probe fail hard: its severity is now `down`.
    case incidentEscalated(service: String, severity: ServiceState)
    /// The service's shown state changed (`up`, `degraded`, `down`, `maintenance`, `unknown`).
    case stateChanged(service: String, from: ServiceState, to: ServiceState, at: Date)
    /// The service reached its failure threshold and no ancestor explains it: mail its people.
    /// Also sent once more when an incident alerted as degraded is confirmed down, and when an
    /// ancestor that explained it recovers while it is still failing. `cause` is what fails now.
    case alert(service: String, incidentStart: Date, cause: String)
    /// As ``alert``, for a service whose descendants (`depends_on`, at any depth) are failing
    /// too: one mail naming them all (`affected`, in configuration order).
    case digest(parent: String, incidentStart: Date, cause: String, affected: [String])
    /// The service's failure is explained by an ancestor's outage (`by`): it sends no mail of
    /// its own (it is in, or will be in, that ancestor's digest or reminders).
    case suppressed(service: String, by: String)
    /// Still failing `reminder_interval` after the last mail about it, and not acknowledged:
    /// remind its people; `affected` lists its failing descendants now.
    case reminder(service: String, incidentStart: Date, affected: [String])
    /// The incident ended: `success_threshold` good probes in a row, the last at `at`. Send a
    /// resolved mail only when `wasAlerted` (the service's own alert or digest went out).
    case resolved(service: String, incidentStart: Date, at: Date, wasAlerted: Bool)
}

/// One service as the state machine sees it now.
public struct ServiceView: Sendable, Equatable {
    /// Its state (`maintenance` while its last probe was in a window), and since when.
    public var state: ServiceState
    /// See ``state``; nil when not known (before its first probe, or restored after a restart).
    public var since: Date?
    /// The ancestor whose outage explains its own, while one does.
    public var suppressedBy: String?
    /// When its open incident started (its first failed probe), nil when none is open.
    public var incidentStart: Date?
    /// Its last probe's result.
    public var lastResult: ProbeResult?
    /// Whether its open incident was acknowledged (no reminders).
    public var acknowledged: Bool
    /// Its open incident's severity (`down` or `degraded`) and cause (the first failed probe's detail).
    public var incidentSeverity: ServiceState?
    /// See ``incidentSeverity``.
    public var incidentCause: String?
    /// Whether its open incident reached the failure threshold.
    public var incidentConfirmed: Bool
    /// Whether its own alert or digest went out for the open incident.
    public var alerted: Bool

    /// A view.
    public init(
        state: ServiceState, since: Date?, suppressedBy: String?, incidentStart: Date?, lastResult: ProbeResult?, acknowledged: Bool,
        incidentSeverity: ServiceState? = nil, incidentCause: String? = nil, incidentConfirmed: Bool = false, alerted: Bool = false
    ) {
        self.state = state
        self.since = since
        self.suppressedBy = suppressedBy
        self.incidentStart = incidentStart
        self.lastResult = lastResult
        self.acknowledged = acknowledged
        self.incidentSeverity = incidentSeverity
        self.incidentCause = incidentCause
        self.incidentConfirmed = incidentConfirmed
        self.alerted = alerted
    }
}

/// An open incident of a service that a reload removed (or that a restart found no service
/// for): the daemon closes its row, and may tell those it alerted that monitoring stopped.
public struct DroppedIncident: Sendable, Equatable {
    /// The service.
    public var service: String
    /// When its incident started.
    public var incidentStart: Date
    /// Whether its own alert or digest went out.
    public var wasAlerted: Bool

    /// A dropped incident.
    public init(service: String, incidentStart: Date, wasAlerted: Bool) {
        self.service = service
        self.incidentStart = incidentStart
        self.wasAlerted = wasAlerted
    }
}
