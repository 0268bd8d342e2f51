import Foundation
import SwitchboardBase
public import SwitchboardCore

/// The `health:` section of the configuration, owned and decoded by this library (see
/// `Config/switchboard.yaml` for each key): where healthd keeps its history and listens, how it
/// alerts, and the services it watches.
///
/// Every error is a `ConfigError` naming the file, line and key (`config FILE:LINE: KEY: problem`);
/// recipients are checked against the directory separately, by ``validateRecipients(in:)``.
public struct HealthSettings: Sendable, Equatable {
    /// How long probe history is kept (`health.retention`), in days.
    public struct RetentionDays: Sendable, Equatable {
        /// Raw probe results. Default 3.
        public var rawDays: Int = 3
        /// Hourly rollups. Default 35.
        public var hourlyDays: Int = 35
        /// Daily rollups; at least 400 (a year's report and its comparison). Default 400.
        public var dailyDays: Int = 400

        /// The defaults.
        public init() {}
    }

    /// Alert mails (`health.alerts`).
    public struct AlertSettings: Sendable, Equatable {
        /// The sender. Default: `mail.notification_from`, else helpdesk@bonoivu.demo.gov.vn.
        public var from: String = "helpdesk@bonoivu.demo.gov.vn"
        /// Folder of the alert templates (`alert`, `digest`, `reminder`, `resolved`).
        public var templatesDir: String = "/usr/local/share/switchboard/health-templates"
        /// The status page's address, quoted in every mail. Default: `http://LISTEN/`.
        public var statusURL: String = "http://127.0.0.1:9470/"

        /// The defaults.
        public init() {}
    }

    /// What a service gets for what it does not say (`health.defaults`).
    public struct ServiceDefaults: Sendable, Equatable {
        /// How often it is probed. Default 60s.
        public var interval: Duration = .seconds(60)
        /// The longest a probe may take. Default 10s.
        public var timeout: Duration = .seconds(10)
        /// Failed probes in a row before it is down and alerted. Default 2.
        public var failureThreshold: Int = 2
        /// Good probes in a row before an incident is resolved. Default 2.
        public var successThreshold: Int = 2

        /// The defaults.
        public init() {}
    }

    /// The history file (SQLite, its own). Default: `health.sqlite` beside `database.path`.
    public var historyFile: String
    /// The address the HTTP side binds. Default 127.0.0.1.
    public var listenHost: String = "127.0.0.1"
    /// The port it listens on (0: any free port, for tests). Default 9470.
    public var listenPort: Int = 9470
    /// The file holding the bearer token of `POST /api/v1/maintenance`; empty: that POST is refused.
    public var tokenFile: String = ""
    /// The directory login recorded as the actor of changes made through the API; empty: none.
    public var apiActor: String = ""
    /// The status page's title. Default: "Tình trạng dịch vụ" (vi) or "Service status" (en).
    public var title: String
    /// The language of the status page and of mails to recipients without one (`vi`, `en`).
    /// Default: `locale.language`.
    public var language: String
    /// The zone times are shown in, and weekly maintenance windows are read in. Default:
    /// `locale.time_zone`.
    public var timeZone: String
    /// History retention.
    public var retention = RetentionDays()
    /// The least time between two mails about one open incident (reminders). Default 4h.
    public var reminderInterval: Duration = .seconds(4 * 3600)
    /// Alert mails.
    public var alerts = AlertSettings()
    /// Service defaults.
    public var defaults = ServiceDefaults()
    /// Maintenance windows that name their services (`health.maintenance`); each service's own
    /// windows are in its definition (see ``allMaintenanceWindows``).
    public var maintenance: [MaintenanceWindow] = []
    /// The services, in configuration order.
    public var services: [ServiceDefinition] = []
    /// The configuration file these settings came from, nil for the built-in defaults.
    public var configFile: String?

    /// Every recipient reference with where it was written, for ``validateRecipients(in:)``.
    var recipientSites: [RecipientSite] = []
    /// Where `api_actor` was written.
    var apiActorSite: ConfigSite?

    /// A recipient reference and the place it was written.
    struct RecipientSite: Sendable, Equatable {
        var reference: RecipientReference
        var site: ConfigSite
    }

    /// The global windows and every service's own, for ``MaintenanceCalendar``.
    public var allMaintenanceWindows: [MaintenanceWindow] {
        maintenance + services.flatMap(\.maintenance)
    }

    /// `listenHost:listenPort`, with brackets around an IPv6 address.
    public var listen: String {
        (listenHost.contains(":") ? "[\(listenHost)]" : listenHost) + ":\(listenPort)"
    }

    /// The settings of a loaded configuration: its `health:` section, or the defaults (no service).
    public init(_ loaded: LoadedConfig) throws {
        let mailFrom = try loaded.section("mail")?.child("notification_from").map { try $0.nonEmptyString() }
        try self.init(section: try loaded.section("health"), configFile: loaded.file, databasePath: loaded.config.database.path,
                      defaultTimeZone: loaded.config.locale.timeZone, defaultLanguage: loaded.config.locale.language, defaultFrom: mailFrom)
    }

    /// Decodes a `health:` section; every error names the file, line and key.
    /// - Parameters:
    ///   - section: The section, or nil for the defaults.
    ///   - configFile: The file it came from.
    ///   - databasePath: `database.path`, beside which the history file goes by default.
    ///   - defaultTimeZone: `locale.time_zone`.
    ///   - defaultLanguage: `locale.language`.
    ///   - defaultFrom: `mail.notification_from`, when the configuration has one.
    public init(section: ConfigNode?, configFile: String?, databasePath: String, defaultTimeZone: String, defaultLanguage: String = "vi",
                defaultFrom: String? = nil) throws {
        let folder = (databasePath as NSString).deletingLastPathComponent
        historyFile = folder.isEmpty ? "health.sqlite" : (folder as NSString).appendingPathComponent("health.sqlite")
        timeZone = defaultTimeZone
        language = defaultLanguage
        title = ""
        self.configFile = configFile
        if let defaultFrom, (try? EmailAddress(defaultFrom)) != nil { alerts.from = defaultFrom }
        var statusURLGiven = false
        if let section {
            statusURLGiven = try decode(section)
        }
        if title.isEmpty { title = language == "vi" ? "Tình trạng dịch vụ" : "Service status" }
        if !statusURLGiven { alerts.statusURL = "http://\(listen)/" }
    }

    /// Decodes every key of the section; returns whether `alerts.status_url` was given.
    private mutating func decode(_ section: ConfigNode) throws -> Bool {
        let keys = try section.mapping(known: [
            "history_file", "listen", "token_file", "api_actor", "title", "language", "time_zone", "retention", "reminder_interval",
            "alerts", "defaults", "maintenance", "services",
        ])
        if let value = keys["history_file"] { historyFile = try value.filePath() }
        if let value = keys["listen"] {
            let text = try value.nonEmptyString()
            guard let endpoint = TargetSyntax.hostPort(text), (0...65535).contains(endpoint.port) else {
                throw value.error("expected HOST:PORT such as 127.0.0.1:9470 or [::1]:9470, got \"\(text)\"")
            }
            listenHost = endpoint.host
            listenPort = endpoint.port
        }
        if let value = keys["token_file"] { tokenFile = try value.optionalFilePath() }
        if let value = keys["api_actor"] {
            apiActor = try value.string()
            if !apiActor.isEmpty {
                guard !apiActor.contains(where: { $0.isWhitespace || $0 == ":" }) else {
                    throw value.error("expected a directory login, got \"\(apiActor)\"")
                }
                apiActorSite = value.site
            }
        }
        if let value = keys["title"] { title = try Self.oneLine(value) }
        if let value = keys["language"] { language = try value.oneOf(["vi", "en"]) }
        if let value = keys["time_zone"] {
            let zone = try value.nonEmptyString()
            guard TimeZone(identifier: zone) != nil else {
                throw value.error("expected an Olson time zone name such as Asia/Ho_Chi_Minh, got \"\(zone)\"")
            }
            timeZone = zone
        }
        if let value = keys["retention"] { try decodeRetention(value) }
        if let value = keys["reminder_interval"] { reminderInterval = try value.duration(in: .seconds(60)...(.seconds(30 * 86_400))) }
        var statusURLGiven = false
        if let value = keys["alerts"] { statusURLGiven = try decodeAlerts(value) }
        if let value = keys["defaults"] { try decodeDefaults(value) }
        if let value = keys["services"] {
            var decoder = ServiceDecoder(defaults: defaults, timeZone: timeZone)
            services = try decoder.services(value)
            recipientSites = decoder.recipientSites
        }
        if let value = keys["maintenance"] {
            let known = Set(services.map(\.name))
            maintenance = try value.sequence().map { try MaintenanceDecoder.window($0, service: nil, known: known, timeZone: timeZone) }
        }
        return statusURLGiven
    }

    private mutating func decodeRetention(_ node: ConfigNode) throws {
        let keys = try node.mapping(known: ["raw_days", "hourly_days", "daily_days"])
        if let value = keys["raw_days"] { retention.rawDays = try value.integer(in: 1...366) }
        if let value = keys["hourly_days"] { retention.hourlyDays = try value.integer(in: 1...3660) }
        if let value = keys["daily_days"] { retention.dailyDays = try value.integer(in: 400...36_600) }
        if retention.hourlyDays < retention.rawDays {
            throw (keys["hourly_days"] ?? keys["raw_days"] ?? node).error(
                "hourly_days (\(retention.hourlyDays)) must be at least raw_days (\(retention.rawDays)): hourly figures are rolled up from raw results")
        }
        if retention.dailyDays < retention.hourlyDays {
            throw (keys["daily_days"] ?? keys["hourly_days"] ?? node).error(
                "daily_days (\(retention.dailyDays)) must be at least hourly_days (\(retention.hourlyDays))")
        }
    }

    private mutating func decodeAlerts(_ node: ConfigNode) throws -> Bool {
        let keys = try node.mapping(known: ["from", "templates_dir", "status_url"])
        if let value = keys["from"] {
            let text = try value.nonEmptyString()
            guard (try? EmailAddress(text)) != nil else { throw value.error("expected an e-mail address, got \"\(text)\"") }
            alerts.from = text
        }
        if let value = keys["templates_dir"] { alerts.templatesDir = try value.filePath() }
        guard let value = keys["status_url"] else { return false }
        let text = try value.nonEmptyString()
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false, url.user == nil, url.password == nil
        else { throw value.error("expected an http(s) URL such as https://status.example.gov.vn/, got \"\(text)\"") }
        alerts.statusURL = text
        return true
    }

    private mutating func decodeDefaults(_ node: ConfigNode) throws {
        let keys = try node.mapping(known: ["interval", "timeout", "failure_threshold", "success_threshold"])
        if let value = keys["interval"] { defaults.interval = try value.duration(in: ServiceDecoder.intervalRange) }
        if let value = keys["timeout"] { defaults.timeout = try value.duration(in: ServiceDecoder.timeoutRange) }
        if let value = keys["failure_threshold"] { defaults.failureThreshold = try value.integer(in: 1...100) }
        if let value = keys["success_threshold"] { defaults.successThreshold = try value.integer(in: 1...100) }
        if defaults.timeout >= defaults.interval {
            throw (keys["timeout"] ?? keys["interval"] ?? node).error(
                "the timeout (\(HealthDuration.format(defaults.timeout))) must be shorter than the interval (\(HealthDuration.format(defaults.interval)))")
        }
    }

    /// A one-line text: control characters (a line break that would reach a mail's subject) refused.
    static func oneLine(_ node: ConfigNode) throws -> String {
        let text = try node.nonEmptyString()
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw node.error("expected one line of text, without line breaks or control characters")
        }
        return text
    }

    /// Refuses the configuration when a recipient (`owners`, `alert`) or `api_actor` is not in
    /// the directory: a person by login, `group:NAME`, `unit:CODE`; the error names the line.
    public func validateRecipients(in database: SwitchboardDatabase) throws {
        let resolver = RecipientResolver(database: database)
        for entry in recipientSites {
            if let problem = try resolver.problem(with: entry.reference) { throw entry.site.error(problem) }
        }
        if let site = apiActorSite, let problem = try resolver.problem(with: .person(apiActor)) {
            throw site.error(problem + " (api_actor must be the directory login API changes are recorded under)")
        }
    }
}
