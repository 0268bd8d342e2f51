public import ArgumentParser
import Foundation

/// Checks a command line before argument-parser reads it, for the two mistakes it lets through
/// or answers unhelpfully: a mistyped subcommand (answered with "did you mean") and an option
/// that takes one value given several times (argument-parser would keep the last one silently).
public enum CommandLineCheck {
    /// Options of ``GlobalOptions`` that take a value: their value is not a subcommand name.
    static let globalOptionsWithValue: Set<String> = ["--config", "--as"]

    /// argument-parser's own requests, whose values are no subcommand: left to it untouched.
    static let builtInRequests = ["--generate-completion-script", "---completion", "--experimental-dump-help"]

    /// The problem with `arguments` (the command line without the program's name), or nil.
    public static func problem(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        if arguments.contains(where: { word in builtInRequests.contains { word == $0 || word.hasPrefix($0 + "=") } }) { return nil }
        let (path, leaf, unknown) = walk(arguments, root: root)
        if let unknown { return unknownCommand(unknown, at: path, node: leaf) }
        return repeatedOption(in: arguments, path: path, root: root)
    }

    /// The subcommand path named on the line, the command it ends at, and the first word that
    /// names no subcommand where one was expected.
    static func walk(_ arguments: [String], root: any ParsableCommand.Type) -> (path: [String], node: any ParsableCommand.Type, unknown: String?) {
        var node = root
        var path: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            index += 1
            let subcommands = node.configuration.subcommands
            guard !subcommands.isEmpty, node.configuration.defaultSubcommand == nil, word != "--" else { break }
            if word.hasPrefix("-") {
                if globalOptionsWithValue.contains(word) { index += 1 }
                continue
            }
            if word == "help" { break }
            guard let next = subcommands.first(where: { names(of: $0).contains(word) }) else {
                return (path, node, word)
            }
            node = next
            path.append(word)
        }
        return (path, node, nil)
    }

    private static func names(of command: any ParsableCommand.Type) -> [String] {
        [command._commandName] + command.configuration.aliases
    }

    /// "unknown command", with the nearest names when some are close.
    static func unknownCommand(_ word: String, at path: [String], node: any ParsableCommand.Type) -> String {
        let candidates = node.configuration.subcommands.map { $0._commandName }
        let scored = candidates.map { ($0, distance(word.lowercased(), $0)) }
        let best = scored.map(\.1).min() ?? .max
        let limit = max(1, min(2, word.count / 3))
        var close = best <= limit ? scored.filter { $0.1 == best }.map(\.0) : []
        if close.isEmpty { close = candidates.filter { $0.hasPrefix(word.lowercased()) && word.count >= 2 } }
        let scope = path.isEmpty ? "" : " " + path.joined(separator: " ")
        let quoted = "\"\(word)\""
        if close.isEmpty {
            return "unknown command \(quoted)\(scope.isEmpty ? "" : " under" + scope); the commands are: \(candidates.joined(separator: ", "))"
        }
        let suggestion = close.map { "\"\($0)\"" }.joined(separator: " or ")
        return "unknown command \(quoted)\(scope.isEmpty ? "" : " under" + scope); did you mean \(suggestion)?"
    }

    /// An option given more than once that keeps one value, or nil.
    ///
    /// Only when some long option appears twice is the command's own description read (its
    /// `--experimental-dump-help`), to tell repeatable options (`--checkpoint`) from the others.
    static func repeatedOption(in arguments: [String], path: [String], root: any ParsableCommand.Type) -> String? {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for word in arguments {
            if word == "--" { break }
            guard word.hasPrefix("--"), word.count > 2 else { continue }
            let name = String(word.split(separator: "=", maxSplits: 1)[0])
            if counts[name] == nil { order.append(name) }
            counts[name, default: 0] += 1
        }
        let repeated = order.filter { (counts[$0] ?? 0) > 1 }
        guard !repeated.isEmpty else { return nil }
        let single = singleValueOptions(path: path, root: root)
        guard let name = repeated.first(where: single.contains) else { return nil }
        return "\(name) was given \(counts[name] ?? 0) times but takes one value: give it once (nothing was done)"
    }

    /// The long names (`--name`) of the options of the command at `path` that keep one value.
    static func singleValueOptions(path: [String], root: any ParsableCommand.Type) -> Set<String> {
        let message: String
        do {
            _ = try root.parseAsRoot(path + ["--experimental-dump-help"])
            return []
        } catch {
            message = root.fullMessage(for: error)
        }
        guard let info = try? JSONDecoder().decode(ToolDescription.self, from: Data(message.utf8)) else { return [] }
        var names: Set<String> = []
        for argument in info.command.arguments ?? [] where argument.kind == "option" && !argument.isRepeating {
            for name in argument.names ?? [] where name.kind == "long" { names.insert("--" + name.name) }
        }
        return names
    }

    /// The part of argument-parser's `--experimental-dump-help` output (ToolInfoV0) read here.
    private struct ToolDescription: Decodable {
        struct Command: Decodable { var arguments: [Argument]? }
        struct Argument: Decodable {
            var kind: String
            var isRepeating: Bool
            var names: [Name]?
        }
        struct Name: Decodable {
            var kind: String
            var name: String
        }
        var command: Command
    }

    /// Edit distance with adjacent transpositions (optimal string alignment), for "did you mean".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
