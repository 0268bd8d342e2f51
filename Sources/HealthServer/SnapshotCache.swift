import Foundation
import Synchronization

/// Values computed once per key and snapshot: the rendered bodies of `/metrics`,
/// `/api/v1/status`, `/health` and the status page, and the status page's uptime figures.
///
/// The first request after a new snapshot (a new `generatedAt`) starts the work in a task; every
/// request for the same key and snapshot, concurrent or later, awaits that one task, so a burst
/// of scrapes renders the body once and the rest only copy a reference to its bytes.
final class SnapshotCache<Value: Sendable>: Sendable {
    private struct Entry {
        var stamp: Date
        var task: Task<Value, Never>
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The value for `key` at `stamp`, computed by `make` unless it already was (or is being).
    func value(_ key: String, stamp: Date, make: @escaping @Sendable () async -> Value) async -> Value {
        let task = entries.withLock { entries -> Task<Value, Never> in
            if let entry = entries[key], entry.stamp == stamp { return entry.task }
            let task = Task { await make() }
            entries[key] = Entry(stamp: stamp, task: task)
            return task
        }
        return await task.value
    }
}
