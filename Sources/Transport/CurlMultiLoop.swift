internal import CCurl
import Foundation
import Synchronization

/// One transfer handed to a ``CurlMultiLoop``: its easy handle, what its callbacks fill, what
/// must live as long as it runs (header lists), and what to do once it ends.
///
/// Built and configured by the caller's task, then handed over (once) to the loop's thread, which
/// alone touches it from then on, and drops it after `finish`: `@unchecked Sendable` for that
/// one hand-over.
final class CurlTransfer: @unchecked Sendable {
    /// How a transfer ended.
    enum Ending {
        /// libcurl finished it with this code (`CURLE_OK` or the failure).
        case finished(CURLcode)
        /// Its task was cancelled: the handle was removed unfinished.
        case cancelled
        /// The loop shut down (its ``ProbeTransport`` went away) before the transfer ended.
        case shutDown
    }

    let easy: CurlEasy
    let exchange: CurlExchange
    /// Lists libcurl reads during the transfer (CURLOPT_HTTPHEADER): freed with the transfer.
    var keepAlive: [CurlStringList] = []
    /// Called once, on the loop's thread, with the handle still valid (infos readable).
    private var onEnd: ((CurlTransfer, Ending) -> Void)?
    /// Loop-thread state: cancelled before the loop took it in.
    var cancelRequested = false
    /// Loop-thread state: in the multi handle.
    var running = false

    /// Transfers alive in this process (each owns one easy handle): tests check that it falls
    /// back to where it was once the probes are done.
    static let alive = Atomic<Int>(0)

    init(easy: CurlEasy, exchange: CurlExchange) {
        self.easy = easy
        self.exchange = exchange
        Self.alive.add(1, ordering: .relaxed)
    }

    deinit {
        Self.alive.subtract(1, ordering: .relaxed)
    }

    /// Sets what runs when it ends (before it is submitted).
    func whenDone(_ body: @escaping (CurlTransfer, Ending) -> Void) {
        onEnd = body
    }

    /// Runs the ending once; later calls do nothing.
    func end(_ ending: Ending) {
        guard let onEnd else { return }
        self.onEnd = nil
        onEnd(self, ending)
        // What cleanup still receives (a QUIT's reply) must not reach the exchange.
        try? easy.detach()
    }
}

/// libcurl's multi interface on a thread of its own: many transfers in flight, none of them
/// holding a thread while it waits for its server.
///
/// The thread sleeps in `curl_multi_poll` until a socket is ready, libcurl's next timer (a
/// timeout) is due, or another thread hands it work (`curl_multi_wakeup`): an idle loop costs
/// no CPU. Transfers come in and cancellations go through `inbox` (a lock); the multi handle
/// and `running` are touched by the loop's thread only.
final class CurlMultiLoop: @unchecked Sendable {
    private struct Inbox {
        var adds: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
        var stopping = false
        /// Set by the loop's thread just before it cleans up the multi handle.
        var closed = false
    }

    private let api: UnsafePointer<CCurl_api>
    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    /// Loop-thread only: transfers in the multi handle, by easy handle.
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// How many transfers are in the multi handle (read by any thread).
    private let inFlight = Atomic<Int>(0)
    /// The loop thread's name, unique in the process (tests find its CPU time in /proc by it).
    let threadName: String
    private static let loopsMade = Atomic<Int>(0)

    /// Starts the loop's thread.
    init() throws(CurlError) {
        api = try CurlGlobal.library()
        guard let multi = CCurl_multi_init(api) else {
            throw CurlError(code: CURLE_FAILED_INIT, detail: "libcurl could not create a multi handle (out of memory?)", osErrno: 0)
        }
        self.multi = multi
        // Linux keeps 15 bytes of a thread's name.
        threadName = "probes-\(Self.loopsMade.add(1, ordering: .relaxed).newValue)"
        let thread = Thread { [self] in self.run() }
        thread.name = threadName
        thread.start()
    }

    /// Transfers currently in the multi handle.
    var transfersInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Hands a configured transfer to the loop; it ends through its `whenDone` body, on the
    /// loop's thread (at once with `.shutDown` when the loop is stopping).
    func submit(_ transfer: CurlTransfer) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopping else { return false }
            inbox.adds.append(transfer)
            wakeUp(inbox)
            return true
        }
        if !accepted {
            transfer.end(.shutDown)
        }
    }

    /// Asks the loop to remove a transfer unfinished (its task was cancelled); it ends with
    /// `.cancelled` unless it ended already.
    func cancel(_ transfer: CurlTransfer) {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.cancels.append(transfer)
            wakeUp(inbox)
        }
    }

    /// Ends every transfer (`.shutDown`) and the thread; the multi handle is cleaned up there.
    func stop() {
        inbox.withLock { inbox in
            inbox.stopping = true
            wakeUp(inbox)
        }
    }

    /// Wakes the loop from `curl_multi_poll`. Called with the inbox locked: the loop marks it
    /// closed under the same lock before it cleans the multi handle up, so no wakeup can reach
    /// a freed handle.
    private func wakeUp(_ inbox: borrowing Inbox) {
        guard !inbox.closed else { return }
        _ = CCurl_multi_wakeup(api, multi)
    }

    // MARK: The loop's thread

    private func run() {
        // Set from the thread itself: that is when Foundation names the kernel's thread.
        Thread.current.name = threadName
        var active: Int32 = 0
        while true {
            let (adds, cancels, stopping) = inbox.withLock { inbox in
                defer { inbox.adds = []; inbox.cancels = [] }
                return (inbox.adds, inbox.cancels, inbox.stopping)
            }
            for transfer in adds {
                start(transfer)
            }
            for transfer in cancels {
                if transfer.running {
                    remove(transfer, ending: .cancelled)
                } else {
                    // Not taken in yet (its cancellation overtook it), or already ended.
                    transfer.cancelRequested = true
                }
            }
            if stopping {
                for transfer in Array(running.values) {
                    remove(transfer, ending: .shutDown)
                }
                inbox.withLock { $0.closed = true }
                break
            }
            _ = CCurl_multi_perform(api, multi, &active)
            collectFinished()
            // An idle loop sleeps until woken; libcurl shortens the wait to its own next timer.
            _ = CCurl_multi_poll(api, multi, running.isEmpty ? 3_600_000 : 1_000)
        }
        _ = CCurl_multi_cleanup(api, multi)
    }

    private func start(_ transfer: CurlTransfer) {
        guard !transfer.cancelRequested else {
            transfer.end(.cancelled)
            return
        }
        let code = CCurl_multi_add_handle(api, multi, transfer.easy.handle)
        guard code == CURLM_OK else {
            // Only a programming error gets here (a handle added twice); the transfer still ends.
            transfer.end(.finished(CURLE_FAILED_INIT))
            return
        }
        transfer.running = true
        running[transfer.easy.handle] = transfer
        inFlight.store(running.count, ordering: .relaxed)
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = CCurl_multi_info_read(api, multi, &left) {
            guard CCurl_msg_is_done(message) != 0, let handle = CCurl_msg_handle(message),
                  let transfer = running[handle] else { continue }
            remove(transfer, ending: .finished(CCurl_msg_result(message)))
        }
    }

    /// Takes a transfer out of the multi handle and ends it (its infos are still readable).
    private func remove(_ transfer: CurlTransfer, ending: CurlTransfer.Ending) {
        _ = CCurl_multi_remove_handle(api, multi, transfer.easy.handle)
        running[transfer.easy.handle] = nil
        transfer.running = false
        inFlight.store(running.count, ordering: .relaxed)
        transfer.end(ending)
    }
}
