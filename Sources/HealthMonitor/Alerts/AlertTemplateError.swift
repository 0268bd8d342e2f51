public import SwitchboardBase

/// The alert templates or their settings cannot be used.
public struct AlertTemplateError: SwitchboardError {
    /// What is wrong and what to do.
    public let problem: String

    public var description: String { problem }

    public var category: ErrorCategory { .config }
}
