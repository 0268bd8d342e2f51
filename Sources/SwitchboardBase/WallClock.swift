public import Foundation

/// Where calendar time comes from: audit timestamps, retention, password expiry.
///
/// Injected wherever the date matters so tests can set it; monotonic durations (timings,
/// timeouts) use a Swift `Clock` instead.
public protocol WallClock: Sendable {
    /// The current date.
    func now() -> Date
}

/// The system's clock.
public struct SystemWallClock: WallClock {
    /// The system clock.
    public init() {}

    public func now() -> Date { Date() }
}

/// A clock that always says the same date (for tests and replays).
public struct FixedWallClock: WallClock {
    /// The date it says.
    public let date: Date

    /// A clock stopped at `date`.
    public init(_ date: Date) {
        self.date = date
    }

    public func now() -> Date { date }
}
