public import SwitchboardBase

/// A command line that parses but makes no sense (exit status 64), or that uses an option this
/// caller may not use (77), reported on one line.
public struct UsageError: SwitchboardError {
    /// What is wrong, naming the option.
    public let description: String
    /// Usage (64), or denied (77) for an option refused to this caller.
    public let category: ErrorCategory

    /// An error with its message.
    public init(_ description: String) {
        self.description = description
        category = .usage
    }

    private init(_ description: String, category: ErrorCategory) {
        self.description = description
        self.category = category
    }

    /// An option this caller may not use (exit status 77).
    public static func denied(_ description: String) -> UsageError {
        UsageError(description, category: .denied)
    }
}
