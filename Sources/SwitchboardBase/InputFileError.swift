/// A file named as input that is missing, unreadable or not of the expected kind (exit status 65).
public struct InputFileError: SwitchboardError {
    /// The file.
    public let path: String
    /// What is wrong with it.
    public let problem: String

    /// An error naming the file.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }

    public var category: ErrorCategory { .badInput }
}
