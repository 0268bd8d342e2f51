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
        try OperatingSystem.refuseSetUID()
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
    public static func loadConfig(_ options: GlobalOptions) throws -> LoadedConfig {
        let loaded: LoadedConfig
        do {
            loaded = try ConfigLoader.load(explicit: options.config, environment: ProcessInfo.processInfo.environment)
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
    /// The login name of the effective user.
    public static func login() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "uid-\(geteuid())"
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
