import Foundation

/// The env file `ops/mailstack/start` writes (DIR/env): the one reader of it.
public struct MailStackEnvironment: Sendable {
    /// How to get a stack when there is none.
    public static let howToStart = "no mail stack: run `make test` (which starts one), or `ops/mailstack/start --db PATH --dir DIR` on a database made by `dirctl init`, and set SWITCHBOARD_MAILSTACK_ENV=DIR/env"

    /// Every KEY=value of the file, with `printf %q` escapes undone.
    public let values: [String: String]
    /// The file read.
    public let file: String

    /// The stack named by SWITCHBOARD_MAILSTACK_ENV; throws, saying how to start one, when there is none.
    public static func current() throws -> MailStackEnvironment {
        guard let file = ProcessInfo.processInfo.environment["SWITCHBOARD_MAILSTACK_ENV"], !file.isEmpty else {
            throw TestSetupError(howToStart)
        }
        return try MailStackEnvironment(file: file)
    }

    /// Reads an env file.
    public init(file: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TestSetupError("cannot read \(file) (\(error.localizedDescription)): \(Self.howToStart)")
        }
        self.file = file
        values = Self.parse(text)
    }

    /// Parses KEY=value lines; a value may carry `printf %q` backslash escapes.
    public static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = ""
            var escaped = false
            for character in line[line.index(after: equals)...] {
                if escaped || character != "\\" {
                    value.append(character)
                    escaped = false
                } else {
                    escaped = true
                }
            }
            values[String(line[..<equals])] = value
        }
        return values
    }

    /// A value that must be there.
    public func require(_ key: String) throws -> String {
        guard let value = values[key], !value.isEmpty else {
            throw TestSetupError("\(file) lacks \(key): \(Self.howToStart)")
        }
        return value
    }

    /// A port that must be there.
    public func port(_ key: String) throws -> Int {
        guard let port = Int(try require(key)) else { throw TestSetupError("\(file): \(key) is not a port number") }
        return port
    }
}
