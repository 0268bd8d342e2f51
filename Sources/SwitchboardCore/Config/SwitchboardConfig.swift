import Foundation
public import Logging
import SwitchboardBase

/// The typed configuration every tool reads (see `Config/switchboard.yaml` for each key).
public struct SwitchboardConfig: Sendable, Equatable {
    /// Where the database lives and how long a writer waits for the lock.
    public struct DatabaseSettings: Sendable, Equatable {
        /// The defaults.
        public init() {}

        /// The SQLite file (in a config file, a relative path is taken from the file's folder).
        public var path: String = "/var/lib/switchboard/switchboard.sqlite"
        /// How long a writer waits for another writer before giving up, in milliseconds.
        public var busyTimeoutMilliseconds: Int = 10_000
    }

    /// Time zone, language and working hours.
    public struct LocaleSettings: Sendable, Equatable {
        /// The defaults.
        public init() {}

        /// An Olson time zone name, used to show dates.
        public var timeZone: String = "Asia/Ho_Chi_Minh"
        /// The default language of people and messages: `vi` or `en`.
        public var language: String = "vi"
        /// Start of the working day, `HH:MM`.
        public var workdayStart: String = "07:30"
        /// End of the working day, `HH:MM`.
        public var workdayEnd: String = "17:00"
        /// Working days, lower-case three-letter English names.
        public var workdays: [String] = ["mon", "tue", "wed", "thu", "fri"]
    }

    /// Directory rules.
    public struct DirectorySettings: Sendable, Equatable {
        /// The defaults.
        public init() {}

        /// Days a departed person's personal data is kept before `dirctl person purge` removes it.
        public var departedRetentionDays: Int = 30
        /// The largest file `dirctl person import` and `mailctl account import` accept, in MB.
        public var importMaxMB: Int = 256
    }

    /// The audit log's signing keys and checkpoint policy.
    public struct AuditSettings: Sendable, Equatable {
        /// The defaults.
        public init() {}

        /// The Ed25519 private key that signs checkpoints (written by `dirctl audit keygen`): root's
        /// alone, in a folder only root may enter, away from the database's group.
        public var signingKeyFile: String = "/etc/switchboard/private/audit-signing.key"
        /// The matching public key, used by `dirctl audit verify`.
        public var publicKeyFile: String = "/etc/switchboard/audit-signing.pub"
        /// The id the public key must have (`dirctl audit keygen` prints it); nil: not pinned, and
        /// a replaced public key file would go unnoticed (verify and doctor warn).
        public var publicKeyID: String?
        /// The folder `dirctl audit checkpoint` adds each checkpoint to and `dirctl audit verify`
        /// checks against when no `--checkpoints` is given; empty: none. Root's alone (0700).
        public var checkpointDir: String = ""
        /// The name checkpoints carry, identifying this log.
        public var origin: String = "switchboard"
        /// Sign a checkpoint automatically after this many events (0: only on demand).
        public var checkpointEvery: Int = 1000
        /// How many seconds an audit event's time may lie before the previous event's before
        /// `dirctl audit verify` reports time running backwards (room for clock steps).
        public var clockStepToleranceSeconds: Int = 300
    }

    /// What the tools log on standard error.
    public struct LoggingSettings: Sendable, Equatable {
        /// The defaults.
        public init() {}

        /// The lowest level logged (`--verbose` lowers it to `debug` for one run).
        public var level: Logger.Level = .warning
    }

    /// Database settings.
    public var database = DatabaseSettings()
    /// Logging settings.
    public var logging = LoggingSettings()
    /// Locale settings.
    public var locale = LocaleSettings()
    /// Directory settings.
    public var directory = DirectorySettings()
    /// Audit settings.
    public var audit = AuditSettings()

    /// The built-in defaults, for a fresh machine with no configuration file.
    public init() {}
}

extension SwitchboardConfig.AuditSettings {
    /// The public key file when it exists or its id is pinned (a pinned key must be there), else
    /// nil (signatures then go unchecked, with a warning).
    public var existingPublicKeyFile: String? {
        publicKeyID != nil || FileManager.default.fileExists(atPath: publicKeyFile) ? publicKeyFile : nil
    }
}

extension SwitchboardConfig.DirectorySettings {
    /// Refuses an import file larger than `directory.import_max_mb`, before anything is read.
    public func checkImportSize(_ path: String) throws {
        let attributes = try? CallerIdentity.perform { try FileManager.default.attributesOfItem(atPath: path) }
        let bytes = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        let limit = Int64(importMaxMB) * 1_048_576
        guard bytes <= limit else {
            throw InputFileError(path: path, problem: "is \(bytes) bytes, more than directory.import_max_mb allows (\(importMaxMB) MB): split the file, or raise the limit in the config")
        }
    }
}
