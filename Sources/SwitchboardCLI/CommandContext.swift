import Foundation
public import Logging
public import SwitchboardCore
import SwitchboardBase

/// What a command needs: the config, the database, the acting session.
public struct CommandContext: Sendable {
    /// The configuration and where it came from.
    public let loaded: LoadedConfig
    /// The opened database.
    public let database: SwitchboardDatabase
    /// The acting person.
    public let session: Session
    /// The tool name.
    public let tool: String
    /// The command's logger (standard error, level from the config or `--verbose`).
    public let logger: Logger

    /// The settings.
    public var config: SwitchboardConfig { loaded.config }

    /// Loads the config, opens the database and resolves the actor.
    public static func open(_ options: GlobalOptions, tool: String) throws -> CommandContext {
        // Each phase is timed for `--verbose`, where start-up time goes (ops/bench/run reads these lines).
        let clock = ContinuousClock()
        var mark = clock.now
        func lap() -> String {
            let now = clock.now
            defer { mark = now }
            return String(format: "%.2f ms", mark.duration(to: now).inSeconds * 1000)
        }
        let loaded = try loadConfig(options)
        let logger = Logger(label: "switchboard.\(tool)")
        logger.debug("timing: config \(lap()) (\(loaded.file ?? "built-in defaults"))")
        let database = try SwitchboardDatabase(path: loaded.config.database.path,
                                               busyTimeoutMilliseconds: loaded.config.database.busyTimeoutMilliseconds)
        logger.debug("timing: database open and schema check \(lap()) (\(database.path))")
        let audit = auditLog(loaded.config)
        logger.debug("timing: audit key \(lap())")
        let session = try Session.resolve(database: database, osUser: OperatingSystem.login(), isRoot: OperatingSystem.isRoot,
                                          asLogin: try options.asLogin.map(OperatingSystem.checkedLogin),
                                          tool: tool, host: OperatingSystem.hostName(), audit: audit, logger: logger)
        logger.debug("timing: actor \(lap())")
        return CommandContext(loaded: loaded, database: database, session: session, tool: tool, logger: logger)
    }

    /// Loads the configuration the options and environment select.
    ///
    /// Logging is set up here, once the config says its level: every later `Logger` writes there.
    ///
    /// Installed set-gid (``CallerIdentity/isPrivileged``) and run by anyone but root, the tool
    /// keeps only a few harmless environment variables, reads only the root-owned
    /// `/etc/switchboard/switchboard.yaml`, and refuses `--config` and `$SWITCHBOARD_CONFIG`.
    public static func loadConfig(_ options: GlobalOptions) throws -> LoadedConfig {
        let loaded: LoadedConfig
        do {
            try OperatingSystem.refuseSetUID()
            let caller = ConfigCaller(isRoot: OperatingSystem.isRoot, isPrivileged: CallerIdentity.isPrivileged)
            // Read before the environment is cleaned, so that a refused variable is named.
            let environment = ProcessInfo.processInfo.environment
            // (`--as` is refused, and the attempt audited, by Session.resolve: root only.)
            if caller.needsSystemConfig { OperatingSystem.cleanEnvironment() }
            loaded = try ConfigLoader.load(explicit: options.config, environment: environment, caller: caller)
        } catch {
            LogBootstrap.bootstrap(level: options.verbose ? .debug : .warning)
            throw error
        }
        LogBootstrap.bootstrap(level: options.verbose ? .debug : loaded.config.logging.level)
        return loaded
    }

    /// The audit log, signing automatic checkpoints when this process can read the signing key.
    public static func auditLog(_ config: SwitchboardConfig) -> AuditLog {
        let signer = (try? AuditKeys.loadPrivate(config.audit.signingKeyFile)).map {
            CheckpointSigner(key: $0, origin: config.audit.origin)
        }
        return AuditLog(checkpointEvery: config.audit.checkpointEvery, signer: signer)
    }

    /// A directory service acting as this session.
    public var directory: DirectoryService {
        DirectoryService(database: database, session: session, settings: config.directory, defaultLanguage: config.locale.language)
    }
}

/// Facts about the running process.
public enum OperatingSystem {
    /// The login name of the real user: the caller, also when the tool runs set-gid.
    public static func login() -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "uid-\(getuid())"
    }

    /// The environment variables a set-gid tool keeps for a caller: none names a path the tool
    /// would read or write (no `SWITCHBOARD_CONFIG`, `SSL_CERT_FILE`, `CURL_CA_BUNDLE`, `TMPDIR`,
    /// `HOME`, `TZ`, proxies). `PATH` is set to the system's.
    static let keptEnvironment: Set<String> = ["TERM", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "COLUMNS", "LINES", "NO_COLOR"]

    /// Empties the environment but ``keptEnvironment``, and sets a fixed `PATH`.
    static func cleanEnvironment() {
        for name in ProcessInfo.processInfo.environment.keys where !keptEnvironment.contains(name) {
            unsetenv(name)
        }
        setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1)
    }

    /// True when the process runs as uid 0: root is a number, not a name.
    public static var isRoot: Bool { getuid() == 0 && geteuid() == 0 }

    /// A login given on the command line (`--as`), refused unless it is a well-formed directory
    /// login: a control character in it could forge a row of a table or a log line.
    public static func checkedLogin(_ raw: String) throws -> String {
        do { return try DirectoryValidation.login(raw) } catch let error as DirectoryError {
            throw UsageError("--as: \(error.description)")
        }
    }

    /// Refuses to run set-uid: a tool installed that way would make every caller another user.
    /// (Set-gid is how the tools reach the database; set-uid is never right.)
    public static func refuseSetUID() throws {
        guard getuid() == geteuid() else {
            throw UsageError("refusing to run set-uid (real uid \(getuid()), effective uid \(geteuid())): install the tools set-gid switchboard, never set-uid")
        }
    }

    /// This host's name.
    public static func hostName() -> String {
        ProcessInfo.processInfo.hostName
    }

    /// True when standard error is a terminal (progress is shown only then).
    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
