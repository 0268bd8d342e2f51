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

/// Who is loading the configuration, which decides where it may come from.
public struct ConfigCaller: Sendable {
    /// The process runs as uid 0.
    public var isRoot: Bool
    /// The process runs with rights its caller lacks (the tools installed set-gid `switchboard`).
    public var isPrivileged: Bool

    /// A caller.
    public init(isRoot: Bool, isPrivileged: Bool) {
        self.isRoot = isRoot
        self.isPrivileged = isPrivileged
    }

    /// A process that reaches only what its user may reach: any config it can read will do.
    public static let unprivileged = ConfigCaller(isRoot: false, isPrivileged: false)

    /// True when the config must be the system's, owned by root: a set-gid tool run by anyone
    /// but root holds the database's group, and a config of the caller's choosing would point
    /// it at any file that group may write.
    public var needsSystemConfig: Bool { isPrivileged && !isRoot }
}

/// Finds and reads the configuration file: `--config`, `$SWITCHBOARD_CONFIG`,
/// `/etc/switchboard/switchboard.yaml`, else the built-in defaults. Never a file in the
/// working folder: root must not take its settings from wherever it happens to stand.
public enum ConfigLoader {
    /// The system configuration, and the only one a set-gid tool reads for a caller other than root.
    public static let systemFile = "/etc/switchboard/switchboard.yaml"

    /// The file the lookup order selects, or nil when none exists.
    public static func locate(explicit: String?, environment: [String: String], caller: ConfigCaller = .unprivileged) throws -> String? {
        let fromEnvironment = environment["SWITCHBOARD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if caller.needsSystemConfig {
            if explicit != nil {
                throw ConfigRefusal("--config is refused: this tool runs set-gid switchboard, and only root may name a config; it reads \(systemFile)")
            }
            if fromEnvironment != nil {
                throw ConfigRefusal("SWITCHBOARD_CONFIG is refused: this tool runs set-gid switchboard, and only root may name a config; unset it (the tool reads \(systemFile))")
            }
            try checkOwnedByRoot(systemFile)
            return systemFile
        }
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw ConfigError(file: explicit, problem: "no such file (given with --config)")
            }
            return explicit
        }
        if let fromEnvironment {
            guard FileManager.default.fileExists(atPath: fromEnvironment) else {
                throw ConfigError(file: fromEnvironment, problem: "no such file (named by SWITCHBOARD_CONFIG)")
            }
            return fromEnvironment
        }
        return FileManager.default.fileExists(atPath: systemFile) ? systemFile : nil
    }

    /// Locates and parses the configuration.
    public static func load(explicit: String?, environment: [String: String], caller: ConfigCaller = .unprivileged) throws -> LoadedConfig {
        guard let file = try locate(explicit: explicit, environment: environment, caller: caller) else {
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

    /// Refuses `file` unless it and every folder above it are owned by root, writable by root only
    /// and not symbolic links: whoever may change the config of a set-gid tool holds its group.
    static func checkOwnedByRoot(_ file: String) throws {
        var path = file
        while true {
            var status = stat()
            guard lstat(path, &status) == 0 else {
                throw ConfigError(file: file, problem: path == file
                    ? "missing: the set-gid tools read only this file (install it as root, mode 0644; see README, \"Running it for real\")"
                    : "cannot be reached: \(path): \(String(cString: strerror(errno)))")
            }
            if (status.st_mode & S_IFMT) == S_IFLNK {
                throw ConfigError(file: file, problem: "\(path) is a symbolic link: the set-gid tools read only a config whose path root owns throughout")
            }
            if status.st_uid != 0 || (status.st_mode & (S_IWGRP | S_IWOTH)) != 0 {
                throw ConfigError(file: file, problem: "\(path) must be owned by root and writable by root only (it is uid \(status.st_uid), mode \(String(status.st_mode & 0o7777, radix: 8))): anyone who may change it could point the tools at any file")
            }
            if path == "/" { return }
            let parent = (path as NSString).deletingLastPathComponent
            path = parent.isEmpty ? "/" : parent
        }
    }

    /// `path` as written in a config, made absolute: a relative path is taken from the folder of
    /// the config file `file` (itself taken from the working folder when relative).
    public static func resolve(_ path: String, against file: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        return folder.appendingPathComponent(path).standardizedFileURL.path
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
            if let value = keys["path"] { config.database.path = try value.filePath() }
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
            let keys = try section.mapping(known: ["signing_key_file", "public_key_file", "public_key_id", "checkpoint_dir", "origin",
                                                  "checkpoint_every", "clock_step_tolerance_seconds"])
            if let value = keys["signing_key_file"] { config.audit.signingKeyFile = try value.filePath() }
            if let value = keys["public_key_file"] { config.audit.publicKeyFile = try value.filePath() }
            if let value = keys["public_key_id"] { config.audit.publicKeyID = try value.keyID() }
            if let value = keys["checkpoint_dir"] { config.audit.checkpointDir = try value.optionalFilePath() }
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
