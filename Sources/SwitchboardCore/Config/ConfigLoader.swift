import Foundation
import Yams

/// A configuration together with where it came from.
public struct LoadedConfig: Sendable {
    /// The settings.
    public let config: SwitchboardConfig
    /// The file read, or nil when no file was found and the built-in defaults apply.
    public let file: String?
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
        return LoadedConfig(config: try parse(text, file: file), file: file)
    }

    /// Parses YAML text into settings; every error names the file, line and key.
    public static func parse(_ text: String, file: String) throws -> SwitchboardConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: error.line, problem: "not valid YAML: \(error.problemText)")
        }
        var config = SwitchboardConfig()
        guard let root else { return config }
        let top = try ConfigNode(node: root, path: "", file: file).mapping(known: ["database", "locale", "directory", "audit", "mail"])
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
        if let section = top["directory"] {
            let keys = try section.mapping(known: ["departed_retention_days"])
            if let value = keys["departed_retention_days"] { config.directory.departedRetentionDays = try value.integer(in: 0...3650) }
        }
        if let section = top["audit"] {
            let keys = try section.mapping(known: ["signing_key_file", "public_key_file", "origin", "checkpoint_every", "clock_step_tolerance_seconds"])
            if let value = keys["signing_key_file"] { config.audit.signingKeyFile = try value.nonEmptyString() }
            if let value = keys["public_key_file"] { config.audit.publicKeyFile = try value.nonEmptyString() }
            if let value = keys["origin"] { config.audit.origin = try value.nonEmptyString() }
            if let value = keys["checkpoint_every"] { config.audit.checkpointEvery = try value.integer(in: 0...10_000_000) }
            if let value = keys["clock_step_tolerance_seconds"] { config.audit.clockStepToleranceSeconds = try value.integer(in: 0...86_400) }
        }
        if let section = top["mail"] {
            config.mail = try parseMail(section)
        }
        return config
    }

    private static func parseMail(_ section: ConfigNode) throws -> SwitchboardConfig.MailSettings {
        var mail = SwitchboardConfig.MailSettings()
        let keys = try section.mapping(known: [
            "password_scheme", "password_cost", "password_min_length", "password_max_age_days", "deleted_retention_days",
            "default_quota_mb", "imap", "submission", "relay", "verify_tls", "ca_file", "notification_from",
            "notification_from_name", "helpdesk_phone", "templates_dir", "doveadm_config", "home_base",
        ])
        if let value = keys["password_scheme"] { mail.passwordScheme = try value.oneOf(["yescrypt", "sha512-crypt"]) }
        if let value = keys["password_cost"] { mail.passwordCost = try value.integer(in: 0...999_999_999) }
        if let value = keys["password_min_length"] { mail.passwordMinLength = try value.integer(in: 8...128) }
        if let value = keys["password_max_age_days"] { mail.passwordMaxAgeDays = try value.integer(in: 0...3650) }
        if let value = keys["deleted_retention_days"] { mail.deletedRetentionDays = try value.integer(in: 0...3650) }
        if let value = keys["default_quota_mb"] { mail.defaultQuotaMB = try value.integer(in: 0...10_000_000) }
        if let value = keys["imap"] { mail.imap = try value.endpoint(default: mail.imap) }
        if let value = keys["submission"] { mail.submission = try value.endpoint(default: mail.submission) }
        if let value = keys["relay"] { mail.relay = try value.endpoint(default: mail.relay) }
        if let value = keys["verify_tls"] { mail.verifyTLS = try value.boolean() }
        if let value = keys["ca_file"] { mail.caFile = try value.nonEmptyString() }
        if let value = keys["notification_from"] {
            let text = try value.nonEmptyString()
            guard (try? EmailAddress(text)) != nil else { throw value.error("expected an e-mail address, got \"\(text)\"") }
            mail.notificationFrom = text
        }
        if let value = keys["notification_from_name"] { mail.notificationFromName = try value.nonEmptyString() }
        if let value = keys["helpdesk_phone"] { mail.helpdeskPhone = try value.nonEmptyString() }
        if let value = keys["templates_dir"] { mail.templatesDir = try value.nonEmptyString() }
        if let value = keys["doveadm_config"] { mail.doveadmConfig = try value.string() }
        if let value = keys["home_base"] { mail.homeBase = try value.string() }
        return mail
    }
}

/// A YAML node with the key path and file it came from, so every error can say where.
private struct ConfigNode {
    let node: Node
    let path: String
    let file: String

    func error(_ problem: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, key: path.isEmpty ? nil : path, problem: problem)
    }

    func mapping(known: [String]) throws -> [String: ConfigNode] {
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

    func sequence() throws -> [ConfigNode] {
        guard case let .sequence(items) = node else { throw error("expected a list") }
        return items.enumerated().map { ConfigNode(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    func nonEmptyString() throws -> String {
        guard case let .scalar(scalar) = node, !scalar.string.isEmpty else { throw error("expected a non-empty text value") }
        return scalar.string
    }

    func integer(in range: ClosedRange<Int>) throws -> Int {
        guard case let .scalar(scalar) = node, let value = Int(scalar.string) else {
            throw error("expected a whole number, got \(describe())")
        }
        guard range.contains(value) else {
            throw error("expected a number from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return value
    }

    func string() throws -> String {
        guard case let .scalar(scalar) = node else { throw error("expected a text value") }
        return scalar.string
    }

    func boolean() throws -> Bool {
        guard case let .scalar(scalar) = node, let value = ["true": true, "yes": true, "false": false, "no": false][scalar.string] else {
            throw error("expected true or false, got \(describe())")
        }
        return value
    }

    func endpoint(default fallback: SwitchboardConfig.Endpoint) throws -> SwitchboardConfig.Endpoint {
        let keys = try mapping(known: ["host", "port", "security"])
        var endpoint = fallback
        if let value = keys["host"] { endpoint.host = try value.nonEmptyString() }
        if let value = keys["port"] { endpoint.port = try value.integer(in: 1...65535) }
        if let value = keys["security"] { endpoint.security = try value.oneOf(["plain", "starttls", "tls"]) }
        if endpoint.security == "plain", !endpoint.isLoopback {
            throw (keys["security"] ?? self).error("plain (unencrypted) is allowed only for a loopback host, not \(endpoint.host): use starttls or tls")
        }
        return endpoint
    }

    func oneOf(_ choices: [String]) throws -> String {
        let value = try nonEmptyString()
        guard choices.contains(value) else {
            throw error("expected one of \(choices.joined(separator: ", ")), got \"\(value)\"")
        }
        return value
    }

    func clockTime() throws -> String {
        let value = try nonEmptyString()
        let parts = value.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...23).contains(hours), (0...59).contains(minutes) else {
            throw error("expected a time of day as HH:MM, got \"\(value)\"")
        }
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
