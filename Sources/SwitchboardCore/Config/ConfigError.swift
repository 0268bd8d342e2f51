public import SwitchboardBase

/// A configuration file that cannot be used, with the file, line and key at fault.
public struct ConfigError: SwitchboardError {
    /// The file at fault.
    public let file: String
    /// The 1-based line, when known.
    public let line: Int?
    /// The dotted key path, such as `database.busy_timeout_ms`, when known.
    public let key: String?
    /// What was wrong and what was expected.
    public let problem: String

    /// Makes an error naming where and what.
    public init(file: String, line: Int? = nil, key: String? = nil, problem: String) {
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
    }

    public var description: String {
        var text = "config \(file)"
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)" }
        return text + ": " + problem
    }

    public var category: ErrorCategory { .config }
}

/// A way of choosing the configuration that this caller may not use (`--config` or
/// `$SWITCHBOARD_CONFIG` given to a set-gid tool by anyone but root).
public struct ConfigRefusal: SwitchboardError {
    /// What was refused and what the tool reads instead.
    public let problem: String

    init(_ problem: String) {
        self.problem = problem
    }

    public var description: String { problem }

    public var category: ErrorCategory { .denied }
}
