public import SwitchboardBase

/// How long the history file keeps each tier: raw results, hourly rollups, daily rollups
/// (`health.retention` in the configuration).
public struct Retention: Sendable, Equatable {
    /// Days of raw results (every probe, with its detail): the history endpoint and the exact
    /// edges of SLA windows.
    public var rawDays: Int
    /// Days of hourly rollups (seconds per state, probe counts, durations).
    public var hourlyDays: Int
    /// Days of daily rollups (UTC days), at least 400 so that a year's report and last year's
    /// month can be compared.
    public var dailyDays: Int

    /// A retention; each tier keeps at least as long as the finer one before it.
    public init(rawDays: Int, hourlyDays: Int, dailyDays: Int) {
        self.rawDays = rawDays
        self.hourlyDays = hourlyDays
        self.dailyDays = dailyDays
    }

    /// The defaults: 3 days raw, 35 days hourly, 400 days daily. 1,000 services probed every
    /// 60 s fit in well under 200 MB with these (Benchmarks: `health-history`).
    public static let standard = Retention(rawDays: 3, hourlyDays: 35, dailyDays: 400)

    /// The retention as stored: negative days become 0, and hourly keeps at least as long as raw
    /// and daily at least as long as hourly (the SLA of an hour whose raw results are kept needs
    /// its hourly rollup).
    var normalized: Retention {
        let raw = max(0, rawDays)
        let hourly = max(raw, hourlyDays)
        return Retention(rawDays: raw, hourlyDays: hourly, dailyDays: max(hourly, dailyDays))
    }
}

/// What a result counts as in the time-weighted history: its outcome, or maintenance when the
/// service was inside a maintenance window (probed and kept, but excluded from SLA).
public enum SampleState: String, Sendable, Codable, CaseIterable {
    case up, degraded, down, maintenance

    /// The integer stored in the history file.
    var code: Int {
        switch self {
        case .up: 0
        case .degraded: 1
        case .down: 2
        case .maintenance: 3
        }
    }

    init?(code: Int) {
        switch code {
        case 0: self = .up
        case 1: self = .degraded
        case 2: self = .down
        case 3: self = .maintenance
        default: return nil
        }
    }
}

/// One result to record, with what it counts as and how long it may hold.
public struct HistoryEntry: Sendable {
    /// The probe's result.
    public var result: ProbeResult
    /// What it counts as (maintenance while a window is active).
    public var state: SampleState
    /// The longest time the result holds when no next result follows (the daemon passes
    /// 2 × interval + timeout); after that the service's state is unknown.
    public var maxSpanSeconds: Double

    /// An entry.
    public init(result: ProbeResult, state: SampleState, maxSpanSeconds: Double) {
        self.result = result
        self.state = state
        self.maxSpanSeconds = maxSpanSeconds
    }
}

/// The history file could not be opened, read or written, in words an operator can act on.
public struct HistoryError: SwitchboardError {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// The file or its folder may not be written by this user, or the file system is read-only.
        case readOnly
        /// The disk (or the file's size limit) is full.
        case full
        /// Another process held the file's write lock too long.
        case busy
        /// A result came earlier than one already recorded for its service.
        case outOfOrder
        /// The file cannot be opened or is damaged; anything else SQLite reported.
        case unusable
    }

    /// The kind.
    public let code: Code
    /// The history file.
    public let path: String
    /// What went wrong and what to try.
    public let problem: String

    /// An error.
    public init(_ code: Code, path: String, problem: String) {
        self.code = code
        self.path = path
        self.problem = problem
    }

    public var description: String { "history file \(path): \(problem)" }

    public var category: ErrorCategory {
        switch code {
        case .readOnly: .denied
        case .full, .busy, .unusable: .unavailable
        case .outOfOrder: .badInput
        }
    }
}
