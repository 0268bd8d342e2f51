public import ArgumentParser
import SwitchboardCore

/// Shell completions drawn from the directory: logins, unit codes, group names. Each runs inside
/// the tool when the shell asks (TAB), with the caller's own rights and config (`--config` on the
/// line is honoured where the caller may use it), and offers nothing when anything fails: a
/// completion must never print an error into the shell.
public enum Completions {
    /// Logins of people (active and suspended).
    public static let logins = CompletionKind.custom { words, _, prefix in
        candidates(words, prefix) { context in try context.directory.people(.init()).map(\.login) }
    }

    /// Unit codes.
    public static let units = CompletionKind.custom { words, _, prefix in
        candidates(words, prefix) { context in try context.directory.unitTree().map(\.unit.code) }
    }

    /// Group names.
    public static let groups = CompletionKind.custom { words, _, prefix in
        candidates(words, prefix) { context in try context.directory.groups().map(\.name) }
    }

    /// The values `list` gives, filtered by `prefix`, sorted; none when the directory cannot be read.
    public static func candidates(_ words: [String], _ prefix: String, _ list: (CommandContext) throws -> [String]) -> [String] {
        var arguments: [String] = []
        if let flag = words.firstIndex(of: "--config"), words.index(after: flag) < words.endIndex {
            arguments = ["--config", words[words.index(after: flag)]]
        }
        guard let options = try? GlobalOptions.parse(arguments) else { return [] }
        let tool = words.first.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "switchboard"
        guard let context = try? CommandContext.open(options, tool: tool),
              let values = try? list(context) else { return [] }
        let folded = prefix.lowercased()
        return values.filter { $0.lowercased().hasPrefix(folded) }.sorted()
    }
}
