import SwitchboardCLI

/// A `dirctl` command that acts on the directory (see ``ToolCommand``).
protocol DirctlCommand: ToolCommand {}

extension DirctlCommand {
    static var tool: String { "dirctl" }
}
