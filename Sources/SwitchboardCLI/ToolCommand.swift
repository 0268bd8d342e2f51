public import ArgumentParser
import Foundation
import Logging
import SwitchboardBase

/// A command of a Switchboard tool that acts on the directory.
///
/// `run()` does what every such command does: load the config, open the database, resolve the
/// actor, call ``run(in:)``, and turn any error into one line and its exit status. A conforming
/// command's `run(in:)` holds only its own work.
public protocol ToolCommand: AsyncParsableCommand {
    /// The tool's name, as errors and audit events show it (`dirctl`, `mailctl`).
    static var tool: String { get }
    /// The options every command takes.
    var global: GlobalOptions { get }
    /// The command's own work, with the context opened.
    func run(in context: CommandContext) async throws
}

extension ToolCommand {
    /// Opens the context and runs the command, mapping errors to exit statuses.
    public func run() async throws {
        try await ExitStatus.run(tool: Self.tool) {
            let context = try CommandContext.open(global, tool: Self.tool)
            let clock = ContinuousClock()
            let start = clock.now
            defer {
                let milliseconds = start.duration(to: clock.now).inSeconds * 1000
                context.logger.debug("timing: command \(String(format: "%.2f ms", milliseconds))")
            }
            try await run(in: context)
        }
    }
}
