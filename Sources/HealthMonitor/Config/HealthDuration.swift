public import SwitchboardCore

/// The health section's durations: the configuration's one duration syntax (``ConfigDuration``).
public typealias HealthDuration = ConfigDuration

extension ConfigNode {
    /// Where this node is, for an error found later (a recipient checked against the directory,
    /// a dependency cycle found once every service is read).
    var site: ConfigSite {
        let probe = error("")
        return ConfigSite(file: probe.file, line: probe.line, key: probe.key)
    }
}

/// A place in the configuration file, kept to name it in an error raised after decoding.
struct ConfigSite: Sendable, Equatable {
    var file: String
    var line: Int?
    var key: String?

    func error(_ problem: String) -> ConfigError {
        ConfigError(file: file, line: line, key: key, problem: problem)
    }
}
