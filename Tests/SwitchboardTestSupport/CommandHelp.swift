import Foundation

/// Reads the built tools' `--help`: every leaf command and the examples each one shows.
public enum CommandHelp {
    /// `tool path... --help`, unwrapped (wide columns), from a scratch folder; throws unless it exits 0.
    public static func help(_ tool: String, _ path: [String]) throws -> String {
        let run = try ProcessRunner.run(ProcessRunner.product(tool), path + ["--help"], in: NSTemporaryDirectory(),
                                        environment: ["COLUMNS": "400"])
        guard run.status == 0 else {
            throw TestSetupError("\(tool) \(path.joined(separator: " ")) --help exited \(run.status): \(run.stderr.prefix(300))")
        }
        return run.stdout
    }

    /// The subcommand names a help text lists under SUBCOMMANDS.
    public static func subcommands(in help: String) -> [String] {
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        var names: [String] = []
        for line in help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            // "  name    abstract": exactly two spaces, then the name.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { continue }
            if name != "help" { names.append(String(name)) }
        }
        return names
    }

    /// Every leaf command path of a tool, e.g. ["person", "add"], with its help text.
    public static func leaves(_ tool: String) throws -> [(path: [String], help: String)] {
        var found: [(path: [String], help: String)] = []
        var pending: [[String]] = [[]]
        while let path = pending.popLast() {
            let text = try help(tool, path)
            let children = subcommands(in: text)
            if children.isEmpty {
                found.append((path, text))
            } else {
                pending.append(contentsOf: children.map { path + [$0] })
            }
        }
        return found.sorted { $0.path.joined(separator: " ") < $1.path.joined(separator: " ") }
    }

    /// The invocations of `tool` in the text before USAGE (the discussion's examples): the words from
    /// the tool's name to the end of the line or the next pipe or redirection.
    public static func examples(in help: String, tool: String) -> [[String]] {
        let discussion = help.components(separatedBy: "\nUSAGE:").first ?? help
        var found: [[String]] = []
        for line in discussion.split(separator: "\n") where line.hasPrefix("  ") {
            let words = line.split(separator: " ").map(String.init)
            guard let start = words.firstIndex(of: tool) else { continue }
            var command: [String] = []
            for word in words[start...] {
                if ["|", ">", "<", ">>", "&&", ";"].contains(word) { break }
                command.append(word)
            }
            found.append(command)
        }
        return found
    }

    /// The long options a leaf's help lists (e.g. "--json").
    public static func options(in help: String) -> Set<String> {
        var options: Set<String> = []
        guard let start = help.range(of: "OPTIONS:\n") else { return options }
        for line in help[start.upperBound...].split(separator: "\n") {
            for word in line.split(whereSeparator: { $0 == " " || $0 == "," }) where word.hasPrefix("--") {
                options.insert(String(word))
            }
        }
        return options
    }
}

extension CommandHelp {
    /// What is wrong with a tool's examples, one line each: a leaf without an example of itself, an example
    /// of a command that does not exist, or one using an option its command does not take.
    public static func exampleProblems(_ tool: String) throws -> (leaves: [[String]], problems: [String]) {
        let leaves = try leaves(tool)
        var problems: [String] = []
        for (path, help) in leaves {
            let name = ([tool] + path).joined(separator: " ")
            let examples = examples(in: help, tool: tool)
            if !help.contains("Example") || examples.isEmpty { problems.append("\(name) --help shows no example") }
            if !examples.contains(where: { Array($0.dropFirst().prefix(path.count)) == path }) {
                problems.append("\(name) --help has no example of \(name) itself")
            }
            // An example is never wrapped inside a command: at 80 columns (help indents it by 2),
            // each example line fits in 78.
            let discussion = help.components(separatedBy: "\nUSAGE:").first ?? help
            for line in discussion.split(separator: "\n") where line.hasPrefix("  ") && line.split(separator: " ").contains(Substring(tool)) {
                let width = line.unicodeScalars.filter { !$0.properties.isGraphemeExtend }.count
                if width > 78 { problems.append("\(name) --help: an example is \(width) columns, wider than 78, and would wrap: \(line)") }
            }
            for example in examples {
                let words = Array(example.dropFirst())
                // The longest leaf path the example starts with.
                guard let (invoked, invokedHelp) = leaves.filter({ Array(words.prefix($0.path.count)) == $0.path })
                    .max(by: { $0.path.count < $1.path.count }) else {
                    problems.append("\(name) --help: `\(example.joined(separator: " "))` is not a \(tool) command")
                    continue
                }
                let known = options(in: invokedHelp)
                for word in words.dropFirst(invoked.count) where word.hasPrefix("--") {
                    let option = String(word.split(separator: "=", maxSplits: 1)[0])
                    if !known.contains(option) {
                        problems.append("\(name) --help: `\(example.joined(separator: " "))` uses \(option), which \(([tool] + invoked).joined(separator: " ")) does not take")
                    }
                }
            }
        }
        return (leaves.map(\.path), problems)
    }
}
