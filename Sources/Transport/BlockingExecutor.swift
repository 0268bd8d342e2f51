import Foundation

/// Runs blocking libcurl work on a serial queue of its own, off Swift's cooperative thread pool.
///
/// A transfer blocks its thread for as long as the server takes; on the cooperative pool (two
/// threads on a two-core machine) that would stall every other task. Each connection gets one
/// executor, so its handle is only ever used by one thread at a time, in order.
final class BlockingExecutor: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: "switchboard.transport.\(label)")
    }

    /// Runs `work` on the executor's queue and resumes the caller with its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
