import Foundation

/// The typed configuration every tool reads (see `Config/switchboard.yaml` for each key).
public struct SwitchboardConfig: Sendable, Equatable {
    /// Where the database lives and how long a writer waits for the lock.
    public struct DatabaseSettings: Sendable, Equatable {
        /// The defaults.
        public init() {}

        /// The SQLite file; a relative path is taken from the working folder.
        public var path: String = "var/switchboard.sqlite"
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
    }

    /// The audit log's signing keys and checkpoint policy.
    public struct AuditSettings: Sendable, Equatable {
        /// The defaults.
        public init() {}

        /// The Ed25519 private key that signs checkpoints (written by `dirctl audit keygen`).
        public var signingKeyFile: String = "var/audit-signing.key"
        /// The matching public key, used by `dirctl audit verify`.
        public var publicKeyFile: String = "var/audit-signing.pub"
        /// The name checkpoints carry, identifying this log.
        public var origin: String = "switchboard"
        /// Sign a checkpoint automatically after this many events (0: only on demand).
        public var checkpointEvery: Int = 1000
        /// How many seconds an audit event's time may lie before the previous event's before
        /// `dirctl audit verify` reports time running backwards (room for clock steps).
        public var clockStepToleranceSeconds: Int = 300
    }

    /// A mail server endpoint as the config names it.
    public struct Endpoint: Sendable, Equatable {
        /// Host name or address.
        public var host: String
        /// TCP port.
        public var port: Int
        /// `plain`, `starttls` or `tls`; `plain` only for a loopback host.
        public var security: String

        /// An endpoint.
        public init(host: String, port: Int, security: String) {
            self.host = host
            self.port = port
            self.security = security
        }

        /// True for 127.0.0.0/8, ::1 and localhost, where plain SMTP/IMAP is allowed.
        public var isLoopback: Bool {
            if host == "localhost" || host == "::1" { return true }
            // A literal IPv4 address in 127.0.0.0/8, not a name that merely starts with "127.".
            var address = in_addr()
            guard inet_pton(AF_INET, host, &address) == 1 else { return false }
            return UInt32(bigEndian: address.s_addr) >> 24 == 127
        }
    }

    /// Mail administration (`mailctl`).
    public struct MailSettings: Sendable, Equatable {
        /// `yescrypt` or `sha512-crypt`.
        public var passwordScheme: String = "yescrypt"
        /// yescrypt cost (1-11) or SHA512-CRYPT rounds (1000-999999999); 0 is libxcrypt's default.
        public var passwordCost: Int = 0
        /// Shortest password accepted.
        public var passwordMinLength: Int = 12
        /// Days before a password expires (0: never).
        public var passwordMaxAgeDays: Int = 0
        /// Days a deleted mailbox is kept (pending-purge) before `mailctl account purge` removes it.
        public var deletedRetentionDays: Int = 30
        /// Quota of a new mailbox in MB (0: none).
        public var defaultQuotaMB: Int = 2048
        /// IMAP server that `mailctl doctor` logs in to.
        public var imap = Endpoint(host: "127.0.0.1", port: 14143, security: "plain")
        /// Submission server (SMTP with AUTH) that `mailctl doctor` sends through.
        public var submission = Endpoint(host: "127.0.0.1", port: 14587, security: "plain")
        /// SMTP relay for notifications (welcome, password reset, quota warning).
        public var relay = Endpoint(host: "127.0.0.1", port: 14025, security: "plain")
        /// Verify the servers' TLS certificates (never turn off in production).
        public var verifyTLS: Bool = true
        /// A CA bundle for the servers' certificates, when not the system's.
        public var caFile: String?
        /// Sender of notifications.
        public var notificationFrom: String = "helpdesk@bonoivu.demo.gov.vn"
        /// Display name of that sender.
        public var notificationFromName: String = "Bộ phận Hỗ trợ CNTT"
        /// The helpdesk's phone, quoted in notifications.
        public var helpdeskPhone: String = "024 3824 0000"
        /// Folder of the mail templates.
        public var templatesDir: String = "Templates/mail"
        /// Dovecot configuration that `doveadm` reads for the quota report (empty: its default).
        public var doveadmConfig: String = ""
        /// Base folder of the mail homes (`BASE/home_key`), so purge can remove them (empty: leave files).
        public var homeBase: String = ""

        /// The defaults.
        public init() {}
    }

    /// Database settings.
    public var database = DatabaseSettings()
    /// Mail settings.
    public var mail = MailSettings()
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
    /// The public key file when it exists, else nil (signatures then go unchecked, with a warning).
    public var existingPublicKeyFile: String? {
        FileManager.default.fileExists(atPath: publicKeyFile) ? publicKeyFile : nil
    }
}
