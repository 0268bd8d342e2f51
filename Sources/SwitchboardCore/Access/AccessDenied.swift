public import SwitchboardBase

/// The access policy refused an action (exit status 77). The refusal has been audited.
public struct AccessDenied: SwitchboardError {
    /// Who asked.
    public let actor: String
    /// What they asked for.
    public let action: String
    /// Why it was refused.
    public let reason: String

    public var description: String { "permission denied: \(actor) may not \(action): \(reason)" }

    public var category: ErrorCategory { .denied }
}
