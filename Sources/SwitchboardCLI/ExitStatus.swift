public import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardBase

/// The exit statuses of every tool (DESIGN.md): 0, 1 failed, 64 usage, 65 bad data, 69 unavailable, 77 denied, 78 config.
public enum ExitStatus {
    /// The operation ran and failed.
    public static let failed = ExitCode(1)
    /// Bad usage.
    public static let usage = ExitCode(64)
    /// Bad input data.
    public static let dataError = ExitCode(65)
    /// A needed service (the database, a mail server) is unavailable.
    public static let unavailable = ExitCode(69)
    /// Permission denied.
    public static let denied = ExitCode(77)
    /// The configuration is unusable.
    public static let config = ExitCode(78)

    /// Prints one line for `error` on standard error and returns the exit code it maps to.
    ///
    /// Every library error conforms to ``SwitchboardError`` and carries its category; anything
    /// else is a failure (1).
    public static func report(_ error: any Error, tool: String) -> ExitCode {
        let code = (error as? any SwitchboardError).map { ExitCode($0.category.exitStatus) } ?? failed
        Console.error("\(tool): \(oneLine(error))")
        return code
    }

    /// Runs async `body`, turning library errors into one line and an exit status.
    public static func run(tool: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            throw report(error, tool: tool)
        }
    }

    /// An error's description on one line.
    public static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
