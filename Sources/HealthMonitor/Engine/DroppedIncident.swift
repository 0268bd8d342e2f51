public import Foundation

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
