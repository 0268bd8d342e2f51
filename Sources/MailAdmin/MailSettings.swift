import Foundation
import SwitchboardBase
public import SwitchboardCore
public import Transport

/// A mail server endpoint as the config names it, typed.
public struct MailEndpoint: Sendable, Equatable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Plain (loopback only), STARTTLS or implicit TLS.
    public var security: MailServer.Security

    /// An endpoint.
    public init(host: String, port: Int, security: MailServer.Security) {
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

/// The `mail:` section of the configuration, owned and decoded by this library (see
/// `Config/switchboard.yaml` for each key).
public struct MailSettings: Sendable, Equatable {
    /// How new password hashes are made.
    public var passwordScheme: PasswordScheme = .yescrypt
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
    public var imap = MailEndpoint(host: "127.0.0.1", port: 14143, security: .plain)
    /// Submission server (SMTP with AUTH) that `mailctl doctor` sends through.
    public var submission = MailEndpoint(host: "127.0.0.1", port: 14587, security: .plain)
    /// SMTP relay for notifications (welcome, password reset, quota warning).
    public var relay = MailEndpoint(host: "127.0.0.1", port: 14025, security: .plain)
    /// Verify the servers' TLS certificates (never turn off in production).
    public var verifyTLS: Bool = true
    /// A PEM file of the CA(s) that signed the servers' certificates, trusted instead of the
    /// system's CAs (`mail.ca_file`); nil: the system's. Checked to be readable when loaded.
    public var caFile: String?
    /// Sender of notifications.
    public var notificationFrom: String = "helpdesk@bonoivu.demo.gov.vn"
    /// Display name of that sender.
    public var notificationFromName: String = "Bộ phận Hỗ trợ CNTT"
    /// The helpdesk's phone, quoted in notifications.
    public var helpdeskPhone: String = "024 3824 0000"
    /// Folder of the mail templates.
    public var templatesDir: String = "/usr/local/share/switchboard/mail-templates"
    /// Dovecot configuration that `doveadm` reads for the quota report (empty: its default).
    public var doveadmConfig: String = ""
    /// Base folder of the mail homes (`BASE/home_key`), so purge can remove them (empty: leave files).
    public var homeBase: String = ""

    /// A departed person's incoming mail (`mail.departed`), recorded by `dirctl person depart`.
    public var departed = DepartedMailPolicy()

    /// Dovecot refuses the login of a password that expired or must be changed, naming
    /// `mailctl password` (`mail.enforce_password_change`). Recorded on each password mailctl
    /// writes (`mailbox.enforce_password_change`), which the servers' view reads.
    public var enforcePasswordChange: Bool = false

    /// Who else gets the welcome and password-reset notices, so the person can read them before
    /// they can log in (`mail.password_notice_copy`): nobody, or their manager's mailbox.
    public enum NoticeCopy: String, Sendable, CaseIterable { case none, manager }
    /// See ``NoticeCopy``. Default: none.
    public var passwordNoticeCopy: NoticeCopy = .none

    /// DKIM keys and signing (`mail.dkim`).
    public var dkim = MailDKIMSettings()
    /// The DNS records each domain needs (`mail.dns`).
    public var dns = MailDNSSettings()

    /// The defaults.
    public init() {}

    /// The settings of a loaded configuration: its `mail:` section, or the defaults.
    public init(_ loaded: LoadedConfig) throws {
        try self.init(section: try loaded.section("mail"))
    }

    /// Decodes a `mail:` section; every error names the file, line and key.
    public init(section: ConfigNode?) throws {
        self.init()
        guard let section else { return }
        let keys = try section.mapping(known: [
            "password_scheme", "password_cost", "password_min_length", "password_max_age_days", "deleted_retention_days",
            "default_quota_mb", "imap", "submission", "relay", "verify_tls", "ca_file", "notification_from",
            "notification_from_name", "helpdesk_phone", "templates_dir", "doveadm_config", "home_base", "departed", "enforce_password_change",
            "password_notice_copy", "dkim", "dns",
        ])
        if let value = keys["password_scheme"] { passwordScheme = try value.choice(of: PasswordScheme.self) }
        if let value = keys["password_cost"] { passwordCost = try value.integer(in: 0...999_999_999) }
        if let value = keys["password_min_length"] { passwordMinLength = try value.integer(in: 8...128) }
        if let value = keys["password_max_age_days"] { passwordMaxAgeDays = try value.integer(in: 0...3650) }
        if let value = keys["deleted_retention_days"] { deletedRetentionDays = try value.integer(in: 0...3650) }
        if let value = keys["default_quota_mb"] { defaultQuotaMB = try value.integer(in: 0...10_000_000) }
        if let value = keys["imap"] { imap = try Self.endpoint(value, default: imap) }
        if let value = keys["submission"] { submission = try Self.endpoint(value, default: submission) }
        if let value = keys["relay"] { relay = try Self.endpoint(value, default: relay) }
        if let value = keys["verify_tls"] { verifyTLS = try value.boolean() }
        if let value = keys["ca_file"] { caFile = try value.readableFile(what: "PEM file of the CA that signed the mail servers' certificates") }
        if let value = keys["notification_from"] {
            let text = try value.nonEmptyString()
            guard (try? EmailAddress(text)) != nil else { throw value.error("expected an e-mail address, got \"\(text)\"") }
            notificationFrom = text
        }
        if let value = keys["notification_from_name"] { notificationFromName = try value.nonEmptyString() }
        if let value = keys["helpdesk_phone"] { helpdeskPhone = try value.nonEmptyString() }
        if let value = keys["templates_dir"] { templatesDir = try value.filePath() }
        if let value = keys["doveadm_config"] { doveadmConfig = try value.optionalFilePath() }
        if let value = keys["home_base"] { homeBase = try value.optionalFilePath() }
        if let value = keys["departed"] { departed = try DepartedMailPolicy(node: value) }
        if let value = keys["enforce_password_change"] { enforcePasswordChange = try value.boolean() }
        if let value = keys["password_notice_copy"] { passwordNoticeCopy = try value.choice(of: NoticeCopy.self) }
        if let value = keys["dkim"] { dkim = try MailDKIMSettings(node: value) }
        if let value = keys["dns"] { dns = try MailDNSSettings(node: value) }
    }

    static func endpoint(_ node: ConfigNode, default fallback: MailEndpoint) throws -> MailEndpoint {
        let keys = try node.mapping(known: ["host", "port", "security"])
        var endpoint = fallback
        if let value = keys["host"] { endpoint.host = try value.nonEmptyString() }
        if let value = keys["port"] { endpoint.port = try value.integer(in: 1...65535) }
        if let value = keys["security"] { endpoint.security = try value.choice(of: MailServer.Security.self) }
        if endpoint.security == .plain, !endpoint.isLoopback {
            throw (keys["security"] ?? node).error("plain (unencrypted) is allowed only for a loopback host, not \(endpoint.host): use starttls or tls")
        }
        return endpoint
    }

    /// An endpoint as Transport reaches it, with this config's certificate checks.
    public func server(_ endpoint: MailEndpoint, timeoutSeconds: Int = 15) -> MailServer {
        MailServer(host: endpoint.host, port: endpoint.port, security: endpoint.security,
                   verifyPeer: verifyTLS, caFile: caFile, timeoutSeconds: timeoutSeconds)
    }
}
