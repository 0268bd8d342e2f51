public import Foundation
import Synchronization

/// The history file as the daemon holds it: opened on first use, and opened again later when
/// opening failed (a full disk, a folder not yet writable), so that a history that cannot be
/// written never stops the probing and the alerts: the daemon reports not ready meanwhile.
public final class HistoryAccess: Sendable {
    /// The file and what is kept.
    public let path: String
    /// See ``path``.
    public let retention: Retention
    /// How long after a failed open the next attempt waits.
    static let retrySeconds: Double = 5

    private struct State {
        var store: HistoryStore?
        var failedAt: Date?
        var failure: (any Error)?
    }
    private let state = Mutex(State())

    /// Access to the file at `path`; nothing is opened yet.
    public init(path: String, retention: Retention) {
        self.path = path
        self.retention = retention
    }

    /// The open store, opening it first when needed (at most once every few seconds after a
    /// failure, which is thrown again meanwhile).
    public func store(now: Date) throws -> HistoryStore {
        try state.withLock { state in
            if let store = state.store { return store }
            if let failedAt = state.failedAt, let failure = state.failure, now.timeIntervalSince(failedAt) < Self.retrySeconds {
                throw failure
            }
            do {
                let store = try HistoryStore(path: path, retention: retention)
                state.store = store
                state.failedAt = nil
                state.failure = nil
                return store
            } catch {
                state.failedAt = now
                state.failure = error
                throw error
            }
        }
    }
}
