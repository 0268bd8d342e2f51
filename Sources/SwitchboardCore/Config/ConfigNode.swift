import Foundation
import SwitchboardBase
import Yams

/// A YAML node with the key path and file it came from, so every error can say where.
///
/// Libraries decode the config section they own through it (`mail:` by MailAdmin), getting the
/// same errors as the core's own sections: `config FILE:LINE: KEY: what was expected`.
public struct ConfigNode {
    let node: Node
    /// The dotted key path, such as `mail.relay.port`.
    public let path: String
    /// The file it came from.
    public let file: String

    /// An error naming this node's file, line and key.
    public func error(_ problem: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, key: path.isEmpty ? nil : path, problem: problem)
    }

    /// The keys of a mapping, refusing any key not in `known`.
    public func mapping(known: [String]) throws -> [String: ConfigNode] {
        guard case let .mapping(mapping) = node else {
            throw error("expected a mapping of keys (\(known.joined(separator: ", ")))")
        }
        var result: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                throw ConfigNode(node: keyNode, path: path, file: file).error("expected a plain key")
            }
            let childPath = path.isEmpty ? key : path + "." + key
            guard known.contains(key) else {
                throw ConfigError(file: file, line: keyNode.mark?.line, key: childPath,
                                  problem: "unknown key (known here: \(known.joined(separator: ", ")))")
            }
            result[key] = ConfigNode(node: value, path: childPath, file: file)
        }
        return result
    }

    /// One key of a mapping, or nil when absent; other keys are left to their owner to check
    /// (a library reading one key of a section another library decodes).
    public func child(_ key: String) throws -> ConfigNode? {
        guard case let .mapping(mapping) = node else { throw error("expected a mapping of keys") }
        for (keyNode, value) in mapping where keyNode.string == key {
            return ConfigNode(node: value, path: path.isEmpty ? key : path + "." + key, file: file)
        }
        return nil
    }

    /// The items of a list.
    public func sequence() throws -> [ConfigNode] {
        guard case let .sequence(items) = node else { throw error("expected a list") }
        return items.enumerated().map { ConfigNode(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// A non-empty scalar.
    public func nonEmptyString() throws -> String {
        guard case let .scalar(scalar) = node, !scalar.string.isEmpty else { throw error("expected a non-empty text value") }
        return scalar.string
    }

    /// A file or folder path; a relative one is taken from the folder of the config file, never
    /// from the working folder (root running a tool in someone's folder must not read their files).
    public func filePath() throws -> String {
        ConfigLoader.resolve(try nonEmptyString(), against: file)
    }

    /// A path that may be empty (meaning "none"); a relative one as in ``filePath()``.
    public func optionalFilePath() throws -> String {
        let text = try string()
        return text.isEmpty ? "" : ConfigLoader.resolve(text, against: file)
    }

    /// A path to a file that exists and can be read now (relative paths from the config's folder).
    public func readableFile(what: String) throws -> String {
        let path = try filePath()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw error("no such file \(path): expected the \(what)")
        }
        guard !isFolder.boolValue, FileManager.default.isReadableFile(atPath: path) else {
            throw error("\(path) is \(isFolder.boolValue ? "a folder" : "not readable by this user"): expected the \(what)")
        }
        return path
    }

    /// A key id as `dirctl audit keygen` prints it: 16 lower-case hexadecimal digits.
    public func keyID() throws -> String {
        let text = try nonEmptyString()
        guard text.utf8.count == 16, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }) else {
            throw error("expected the key id `dirctl audit keygen` printed (16 lower-case hexadecimal digits), got \(describe())")
        }
        return text
    }

    /// A whole number within `range`.
    public func integer(in range: ClosedRange<Int>) throws -> Int {
        guard case let .scalar(scalar) = node, let value = Int(scalar.string) else {
            throw error("expected a whole number, got \(describe())")
        }
        guard range.contains(value) else {
            throw error("expected a number from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A scalar, possibly empty.
    public func string() throws -> String {
        guard case let .scalar(scalar) = node else { throw error("expected a text value") }
        return scalar.string
    }

    /// `true`/`yes` or `false`/`no`.
    public func boolean() throws -> Bool {
        guard case let .scalar(scalar) = node, let value = ["true": true, "yes": true, "false": false, "no": false][scalar.string] else {
            throw error("expected true or false, got \(describe())")
        }
        return value
    }

    /// One of `choices`.
    public func oneOf(_ choices: [String]) throws -> String {
        let value = try nonEmptyString()
        guard choices.contains(value) else {
            throw error("expected one of \(choices.joined(separator: ", ")), got \"\(value)\"")
        }
        return value
    }

    /// A time of day as `HH:MM`.
    public func clockTime() throws -> String {
        let value = try nonEmptyString()
        let parts = value.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...23).contains(hours), (0...59).contains(minutes) else {
            throw error("expected a time of day as HH:MM, got \"\(value)\"")
        }
        return value
    }

    /// A value of a string-backed enum, named by its raw value.
    public func choice<Value: RawRepresentable & CaseIterable>(of type: Value.Type) throws -> Value where Value.RawValue == String {
        let text = try oneOf(Value.allCases.map(\.rawValue))
        guard let value = Value(rawValue: text) else { throw error("unexpected value \"\(text)\"") }
        return value
    }

    func describe() -> String {
        switch node {
        case let .scalar(scalar): "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
