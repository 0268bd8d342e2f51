public import SwitchboardBase

/// A command line that parses but makes no sense (exit status 64), reported on one line.
public struct UsageError: SwitchboardError {
    /// What is wrong, naming the option.
    public let description: String

    /// An error with its message.
    public init(_ description: String) {
        self.description = description
    }

    public var category: ErrorCategory { .usage }
}
