public import Foundation

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
