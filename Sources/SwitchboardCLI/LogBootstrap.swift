public import Logging
import Synchronization

/// Sets up swift-log once per process: plain lines on standard error, at the level the config
/// (`logging.level`) or `--verbose` asks for. Libraries only ever take a `Logger` from here.
public enum LogBootstrap {
    private static let done = Mutex(false)

    /// Bootstraps the logging system on the first call; later calls change nothing.
    public static func bootstrap(level: Logger.Level) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
