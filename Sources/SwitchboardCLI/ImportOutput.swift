public import ArgumentParser
public import SwitchboardCore
import SwitchboardBase

/// How every import reports a file it refused: one line per problem (file:line: field: reason), then a summary.
public enum ImportOutput {
    /// Prints the problems (at most 50, then a count) and the summary on standard error, and returns
    /// the exit status to throw (65: bad input data).
    public static func refuse(_ problems: [ImportProblem], file: String, tool: String, nothingWritten: String) -> ExitCode {
        for problem in problems.prefix(50) { Console.error(problem.describe(file: file)) }
        if problems.count > 50 { Console.error("... and \(problems.count - 50) more problems") }
        Console.error("\(tool): \(file): \(problems.count) problem(s); \(nothingWritten)")
        return ExitStatus.dataError
    }
}
