public import ArgumentParser
import SwitchboardBase

/// Options every command of every tool takes.
public struct GlobalOptions: ParsableArguments, Sendable {
    /// The configuration file.
    @Option(name: .long, help: ArgumentHelp("Configuration file (else $SWITCHBOARD_CONFIG, else /etc/switchboard/switchboard.yaml; root only when installed set-gid).", valueName: "path"))
    public var config: String?

    /// The person root acts for.
    @Option(name: .customLong("as"), help: ArgumentHelp("Act for this directory login (root only); both are recorded.", valueName: "login"))
    public var asLogin: String?

    /// Machine-readable output.
    @Flag(name: .long, help: "Print JSON instead of a table.")
    public var json = false

    /// Log what the tool does on standard error.
    @Flag(name: [.short, .long], help: "Log each step on standard error (debug level; else logging.level of the config).")
    public var verbose = false

    public init() {}
}
