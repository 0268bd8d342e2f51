import Foundation
import Logging
import SwitchboardBase
import Yams

/// A configuration together with where it came from.
public struct LoadedConfig: Sendable {
    /// The settings.
    public let config: SwitchboardConfig
    /// The file read, or nil when no file was found and the built-in defaults apply.
    public let file: String?
    /// The file's text, from which each library decodes the section it owns.
    let text: String?

    /// A configuration and its origin.
    public init(config: SwitchboardConfig, file: String?, text: String? = nil) {
        self.config = config
        self.file = file
        self.text = text
    }

    /// The named library-owned section (`mail`, `meet`, `health`), or nil when the file has none:
    /// each library decodes its own into typed values, with errors naming file, line and key.
    public func section(_ name: String) throws -> ConfigNode? {
        guard let text, let file else { return nil }
        return try ConfigLoader.topLevel(text, file: file)?[name]
    }
}

/// Finds and reads the configuration file: `--config`, `$SWITCHBOARD_CONFIG`,
/// `Config/switchboard.yaml`, `/etc/switchboard/switchboard.yaml`, else the built-in defaults.
public enum ConfigLoader {
    /// The file the lookup order selects, or nil when none exists.
    public static func locate(explicit: String?, environment: [String: String]) throws -> String? {
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw ConfigError(file: explicit, problem: "no such file (given with --config)")
            }
            return explicit
        }
        if let fromEnvironment = environment["SWITCHBOARD_CONFIG"], !fromEnvironment.isEmpty {
            guard FileManager.default.fileExists(atPath: fromEnvironment) else {
                throw ConfigError(file: fromEnvironment, problem: "no such file (named by SWITCHBOARD_CONFIG)")
            }
            return fromEnvironment
        }
        for candidate in ["Config/switchboard.yaml", "/etc/switchboard/switchboard.yaml"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Locates and parses the configuration.
    public static func load(explicit: String?, environment: [String: String]) throws -> LoadedConfig {
        guard let file = try locate(explicit: explicit, environment: environment) else {
            return LoadedConfig(config: SwitchboardConfig(), file: nil)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ConfigError(file: file, problem: "cannot be read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, problem: "is not UTF-8 text")
        }
        return try document(text, file: file)
    }

    /// The top-level sections that libraries other than the core own and decode themselves.
    public static let librarySections = ["mail", "meet", "health"]

    /// Parses YAML text into the core's settings; every error names the file, line and key.
    public static func parse(_ text: String, file: String) throws -> SwitchboardConfig {
        try document(text, file: file).config
    }

    /// Parses YAML text into the core's settings and the library-owned sections.
    public static func document(_ text: String, file: String) throws -> LoadedConfig {
        var config = SwitchboardConfig()
        guard let top = try topLevel(text, file: file) else { return LoadedConfig(config: config, file: file, text: text) }
        if let section = top["database"] {
            let keys = try section.mapping(known: ["path", "busy_timeout_ms"])
            if let value = keys["path"] { config.database.path = try value.nonEmptyString() }
            if let value = keys["busy_timeout_ms"] { config.database.busyTimeoutMilliseconds = try value.integer(in: 0...600_000) }
        }
        if let section = top["locale"] {
            let keys = try section.mapping(known: ["time_zone", "language", "workday_start", "workday_end", "workdays"])
            if let value = keys["time_zone"] {
                let zone = try value.nonEmptyString()
                guard TimeZone(identifier: zone) != nil else {
                    throw value.error("expected an Olson time zone name such as Asia/Ho_Chi_Minh, got \"\(zone)\"")
                }
                config.locale.timeZone = zone
            }
            if let value = keys["language"] { config.locale.language = try value.oneOf(["vi", "en"]) }
            if let value = keys["workday_start"] { config.locale.workdayStart = try value.clockTime() }
            if let value = keys["workday_end"] { config.locale.workdayEnd = try value.clockTime() }
            if let value = keys["workdays"] {
                config.locale.workdays = try value.sequence().map { try $0.oneOf(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) }
            }
        }
        if let section = top["logging"] {
            let keys = try section.mapping(known: ["level"])
            if let value = keys["level"] {
                let name = try value.oneOf(Logger.Level.allCases.map(\.rawValue))
                config.logging.level = Logger.Level(rawValue: name) ?? config.logging.level
            }
        }
        if let section = top["directory"] {
            let keys = try section.mapping(known: ["departed_retention_days", "import_max_mb"])
            if let value = keys["departed_retention_days"] { config.directory.departedRetentionDays = try value.integer(in: 0...3650) }
            if let value = keys["import_max_mb"] { config.directory.importMaxMB = try value.integer(in: 1...100_000) }
        }
        if let section = top["audit"] {
            let keys = try section.mapping(known: ["signing_key_file", "public_key_file", "origin", "checkpoint_every", "clock_step_tolerance_seconds"])
            if let value = keys["signing_key_file"] { config.audit.signingKeyFile = try value.nonEmptyString() }
            if let value = keys["public_key_file"] { config.audit.publicKeyFile = try value.nonEmptyString() }
            if let value = keys["origin"] { config.audit.origin = try value.nonEmptyString() }
            if let value = keys["checkpoint_every"] { config.audit.checkpointEvery = try value.integer(in: 0...10_000_000) }
            if let value = keys["clock_step_tolerance_seconds"] { config.audit.clockStepToleranceSeconds = try value.integer(in: 0...86_400) }
        }
        return LoadedConfig(config: config, file: file, text: text)
    }

    /// The top-level sections of a document, refusing unknown ones; nil for an empty document.
    static func topLevel(_ text: String, file: String) throws -> [String: ConfigNode]? {
        let root: Node?
        do {
            // The basic resolver (no implicit tags): ConfigNode reads every scalar's text itself, and
            // Yams' default resolver compiles seven regular expressions (ICU) on first use, about a
            // millisecond of every command's start-up.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: error.line, problem: "not valid YAML: \(error.problemText)")
        }
        guard let root else { return nil }
        return try ConfigNode(node: root, path: "", file: file).mapping(known: ["database", "locale", "directory", "audit", "logging"] + librarySections)
    }
}

extension YamlError {
    var line: Int? {
        switch self {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): mark.line
        default: nil
        }
    }

    var problemText: String {
        switch self {
        case let .scanner(context, problem, _, _), let .parser(context, problem, _, _), let .composer(context, problem, _, _):
            [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        case let .duplicatedKeysInMapping(duplicates, _):
            "duplicate key \(duplicates.joined(separator: ", "))"
        default:
            "\(self)"
        }
    }
}
