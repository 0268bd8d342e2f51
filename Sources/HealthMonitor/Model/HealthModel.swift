public import Foundation

// The shared vocabulary of healthd: what a service is, what a probe saw, what it decided, and
// the state each service is in. Configuration decoding, the state machine, storage, alerts and
// the HTTP side all speak these types; each lives in a file of its own part (see README).

/// What a probe does.
public enum ProbeKind: String, Sendable, Codable, CaseIterable {
    /// An HTTP(S) request; TLS verified; phase timings; status, body and JSON conditions.
    case http
    /// A TCP connection is made (nothing sent).
    case tcp
    /// The SMTP greeting and EHLO, with STARTTLS when the target asks for it.
    case smtp
    /// The IMAP greeting, and a login with the service's probe account when it has one.
    case imap
    /// A TLS handshake on any port (implicit TLS), for the certificate and its expiry.
    case tls
    /// The name resolves (optionally to expected addresses).
    case dns
    /// A message submitted over SMTP, timed until it is visible over IMAP, then deleted.
    case mailRoundtrip = "mail-roundtrip"
}

/// What one probe concluded.
public enum ProbeOutcome: String, Sendable, Codable, CaseIterable {
    /// Every condition held.
    case up
    /// It answered, but a warning condition failed (slow, certificate expiring soon).
    case degraded
    /// No answer, or a critical condition failed.
    case down
}

/// The state a service is in, after thresholds, maintenance and what is known.
public enum ServiceState: String, Sendable, Codable, CaseIterable {
    /// Working.
    case up
    /// Working, with a warning.
    case degraded
    /// Failing (confirmed by `failure_threshold` probes in a row).
    case down
    /// Inside a maintenance window: probed and recorded, never alerted, excluded from SLA.
    case maintenance
    /// Not probed yet (just started or just added), or no recent result.
    case unknown
}

/// How bad a failed condition is.
public enum ConditionSeverity: String, Sendable, Codable, CaseIterable {
    /// The service is down.
    case critical
    /// The service is degraded.
    case warning
}

/// One condition a probe's answer must meet (`conditions:` in the configuration).
public struct ProbeCondition: Sendable, Equatable {
    /// What is checked.
    public enum Check: Sendable, Equatable {
        /// The HTTP status is one of these.
        case statusIn([Int])
        /// The body contains this text.
        case bodyContains(String)
        /// The body matches this regular expression (checked when the configuration is loaded).
        case bodyMatches(String)
        /// The JSON body's field at a dotted path (`data.status`, `items.0.name`) equals this text
        /// (numbers and booleans compared by their JSON text).
        case jsonEquals(path: String, value: String)
        /// The whole probe took less than this.
        case responseTimeBelow(Duration)
        /// The server's certificate is valid for more than this many days.
        case certificateValidDays(Int)
    }

    /// What is checked.
    public var check: Check
    /// What its failure means (default: critical, but warning for response time and certificate days).
    public var severity: ConditionSeverity

    /// A condition; the severity defaults by kind of check.
    public init(_ check: Check, severity: ConditionSeverity? = nil) {
        self.check = check
        switch check {
        case .responseTimeBelow, .certificateValidDays: self.severity = severity ?? .warning
        default: self.severity = severity ?? .critical
        }
    }
}

/// Someone to tell: a directory person (login), a group (`group:SLUG`, nested groups expanded)
/// or a unit (`unit:CODE`, with the units under it). Resolved against the directory when the
/// configuration is loaded (unknown ones refuse it) and again when mail is sent.
public enum RecipientReference: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// A person by login.
    case person(String)
    /// A group by slug.
    case group(String)
    /// A unit by code.
    case unit(String)

    public var description: String {
        switch self {
        case .person(let login): login
        case .group(let slug): "group:\(slug)"
        case .unit(let code): "unit:\(code)"
        }
    }
}

/// A day of the week, ISO numbering (Monday 1 ... Sunday 7).
public enum Weekday: Int, Sendable, Codable, CaseIterable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// When alerts are silenced and time is excluded from SLA.
public enum MaintenanceSchedule: Sendable, Equatable {
    /// Once, between two instants.
    case once(start: Date, end: Date)
    /// Every week on these days, from `startMinute` to `endMinute` (minutes after local midnight,
    /// in `timeZone`; an end at or before the start runs past midnight into the next day).
    case weekly(days: Set<Weekday>, startMinute: Int, endMinute: Int, timeZone: String)
}

/// A maintenance window: from the configuration (per service, or global naming services) or
/// planned by an operator (stored in the directory database, `id` set).
public struct MaintenanceWindow: Sendable, Equatable {
    /// The stored window's id (operator-planned), nil for one from the configuration.
    public var id: Int64?
    /// The services it covers; `["*"]` for all.
    public var services: [String]
    /// When.
    public var schedule: MaintenanceSchedule
    /// Why (shown on the status page and in mails).
    public var reason: String

    /// A window.
    public init(id: Int64? = nil, services: [String], schedule: MaintenanceSchedule, reason: String) {
        self.id = id
        self.services = services
        self.schedule = schedule
        self.reason = reason
    }
}

/// A mailbox the `imap` and `mail-roundtrip` probes log in to; the password is read from a file
/// (never in the configuration).
public struct ProbeAccount: Sendable, Equatable {
    /// The login (an address).
    public var login: String
    /// The file holding its password.
    public var passwordFile: String

    /// An account.
    public init(login: String, passwordFile: String) {
        self.login = login
        self.passwordFile = passwordFile
    }
}

/// One monitored service, as the configuration defines it.
public struct ServiceDefinition: Sendable, Equatable {
    /// Unique name, `[a-z0-9][a-z0-9._-]*` (used in URLs, metrics labels and mails).
    public var name: String
    /// Display name (defaults to `name`).
    public var title: String
    /// The group it is shown under on the status page.
    public var group: String
    /// What kind of probe.
    public var kind: ProbeKind
    /// What is probed: a URL for http; `host:port` for tcp and tls; `smtp://`, `smtps://`,
    /// `imap://` or `imaps://` URLs (host and port) for smtp, imap and mail-roundtrip (for the
    /// round trip: the submission server; the IMAP server is `imapTarget`); a host name for dns.
    public var target: String
    /// The IMAP server of a mail-roundtrip (`imap://` or `imaps://` URL).
    public var imapTarget: String?
    /// How often it is probed.
    public var interval: Duration
    /// The longest one probe may take.
    public var timeout: Duration
    /// What the answer must meet (besides answering at all).
    public var conditions: [ProbeCondition]
    /// Services this one needs (by name): while one of them is down, this one's alerts go into
    /// that one's digest.
    public var dependsOn: [String]
    /// Who owns it (shown on the status page, told about its incidents).
    public var owners: [RecipientReference]
    /// Who else is told about its incidents.
    public var alertTo: [RecipientReference]
    /// Its own maintenance windows.
    public var maintenance: [MaintenanceWindow]
    /// Failed probes in a row before it is down and alerted.
    public var failureThreshold: Int
    /// Good probes in a row before it is resolved.
    public var successThreshold: Int
    /// A PEM file of CA certificates to trust for its TLS instead of the system's.
    public var caFile: String?
    /// For dns: the addresses it must resolve to (any order); empty: any answer.
    public var expectedAddresses: [String]
    /// For imap (optional) and mail-roundtrip (required): the account logged in to.
    public var account: ProbeAccount?

    /// A service with the defaults for whatever is not given.
    public init(
        name: String, title: String? = nil, group: String = "Services", kind: ProbeKind, target: String, imapTarget: String? = nil,
        interval: Duration = .seconds(60), timeout: Duration = .seconds(10), conditions: [ProbeCondition] = [],
        dependsOn: [String] = [], owners: [RecipientReference] = [], alertTo: [RecipientReference] = [],
        maintenance: [MaintenanceWindow] = [], failureThreshold: Int = 2, successThreshold: Int = 2, caFile: String? = nil,
        expectedAddresses: [String] = [], account: ProbeAccount? = nil
    ) {
        self.name = name
        self.title = title ?? name
        self.group = group
        self.kind = kind
        self.target = target
        self.imapTarget = imapTarget
        self.interval = interval
        self.timeout = timeout
        self.conditions = conditions
        self.dependsOn = dependsOn
        self.owners = owners
        self.alertTo = alertTo
        self.maintenance = maintenance
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.caFile = caFile
        self.expectedAddresses = expectedAddresses
        self.account = account
    }
}

/// What a probe saw, before any condition is judged (the Transport side fills it).
public struct ProbeObservation: Sendable, Equatable {
    /// Why no answer came (refused, timed out, TLS verification failed, name not found), one
    /// line naming the target; nil when the exchange completed.
    public var failure: String?
    /// Seconds the whole probe took.
    public var durationSeconds: Double
    /// Seconds from the start to the end of each phase that applies: `resolve`, `connect`,
    /// `tls`, `first_byte`, `total`; `submit` and `visible` for mail-roundtrip.
    public var phases: [String: Double]
    /// The HTTP status (http).
    public var httpStatus: Int?
    /// The body, cut at 1 MiB (http).
    public var body: [UInt8]?
    /// When the server's certificate expires (http over TLS, tls, smtp/imap with TLS).
    public var certificateExpiry: Date?
    /// What was seen, one line: `HTTP 200`, `220 mx.example ESMTP`, `resolved to 10.0.0.5`.
    public var summary: String

    /// An observation.
    public init(
        failure: String? = nil, durationSeconds: Double, phases: [String: Double] = [:], httpStatus: Int? = nil, body: [UInt8]? = nil,
        certificateExpiry: Date? = nil, summary: String = ""
    ) {
        self.failure = failure
        self.durationSeconds = durationSeconds
        self.phases = phases
        self.httpStatus = httpStatus
        self.body = body
        self.certificateExpiry = certificateExpiry
        self.summary = summary
    }
}

/// What one probe of one service concluded: stored in the history file, judged by the state
/// machine, shown by the endpoints.
public struct ProbeResult: Sendable, Equatable, Codable {
    /// The service's name.
    public var service: String
    /// When the probe started.
    public var at: Date
    /// What it concluded.
    public var outcome: ProbeOutcome
    /// Seconds it took.
    public var durationSeconds: Double
    /// One line: what failed (the first failed condition, or the failure), or what was seen.
    public var detail: String
    /// The HTTP status, when there was one.
    public var httpStatus: Int?
    /// When the certificate expires, when there was one.
    public var certificateExpiry: Date?
    /// Phase timings in seconds (see ``ProbeObservation/phases``).
    public var phases: [String: Double]

    /// A result.
    public init(
        service: String, at: Date, outcome: ProbeOutcome, durationSeconds: Double, detail: String, httpStatus: Int? = nil,
        certificateExpiry: Date? = nil, phases: [String: Double] = [:]
    ) {
        self.service = service
        self.at = at
        self.outcome = outcome
        self.durationSeconds = durationSeconds
        self.detail = detail
        self.httpStatus = httpStatus
        self.certificateExpiry = certificateExpiry
        self.phases = phases
    }
}

/// Probes one service once (the real one goes through Transport; tests may inject another).
public protocol ServiceProber: Sendable {
    /// Probes `service` and reports what was seen; never throws: a failure is an observation.
    func observe(_ service: ServiceDefinition) async -> ProbeObservation
}
