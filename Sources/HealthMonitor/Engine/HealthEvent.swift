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
