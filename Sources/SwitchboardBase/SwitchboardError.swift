/// What kind of failure an error is, which decides the exit status every tool gives it
/// (DESIGN.md: 1 failed, 64 usage, 65 bad data, 69 unavailable, 77 denied, 78 config).
public enum ErrorCategory: Sendable, Equatable {
    /// The operation ran and failed: a check failed, a rule refused it (exit 1).
    case failed
    /// The command line is wrong (exit 64).
    case usage
    /// Input data is malformed or names something that does not exist (exit 65).
    case badInput
    /// A needed service is unavailable: the database, a mail server (exit 69).
    case unavailable
    /// The access policy or the operating system refused (exit 77).
    case denied
    /// The configuration is unusable (exit 78).
    case config

    /// The process exit status of this category.
    public var exitStatus: Int32 {
        switch self {
        case .failed: 1
        case .usage: 64
        case .badInput: 65
        case .unavailable: 69
        case .denied: 77
        case .config: 78
        }
    }
}

/// The one error protocol of the suite: every library's public error says what failed, on what
/// and what to try in `description` (one line), and which ``ErrorCategory`` it belongs to.
///
/// Front ends (the command-line tools, later healthd's HTTP API) map the category to an exit
/// status or a response code; they never inspect error types one by one.
public protocol SwitchboardError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    var category: ErrorCategory { get }
}
