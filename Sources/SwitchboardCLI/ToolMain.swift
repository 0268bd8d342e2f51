public import ArgumentParser

/// The entry point every tool's root command calls: checks the line, then runs argument-parser.
public enum ToolMain {
    /// Refuses a mistyped subcommand or a repeated single-value option (exit 64), else runs `root`.
    public static func run<Root: AsyncParsableCommand>(_ root: Root.Type, arguments: [String] = Array(CommandLine.arguments.dropFirst())) async {
        if let problem = CommandLineCheck.problem(in: arguments, root: root) {
            Console.error("\(root._commandName): \(problem)")
            Root.exit(withError: ExitStatus.usage)
        }
        await Root.main(arguments)
    }
}
