public import SwitchboardBase

/// What the running monitor refuses: an unknown service, an API change with no actor.
public struct MonitorError: SwitchboardError {
    /// The kind of failure.
    public let category: ErrorCategory
    /// One line: what, where, what to try.
    public let description: String

    /// An error.
    public init(_ category: ErrorCategory, _ description: String) {
        self.category = category
        self.description = description
    }
}
