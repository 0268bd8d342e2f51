import Foundation
import Synchronization
import SwitchboardBase

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ProbeTransport {
    /// Resolves `host` with the system resolver (`getaddrinfo`, as every other program on this
    /// machine would): the addresses found, or the resolver's failure, within `timeout`.
    ///
    /// `getaddrinfo` cannot be interrupted: it runs on a Dispatch worker, and a lookup that
    /// outlives `timeout` is reported as timed out while the worker finishes on its own.
    public func resolve(host: String, timeout: Duration) async -> ProbeReport {
        if let refusal = Self.checkHost(host, port: 1) {
            return ProbeReport(target: host, failure: refusal, totalSeconds: 0)
        }
        let started = ContinuousClock.now
        let answer = OneAnswer()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ProbeReport, Never>) in
                answer.set(continuation)
                DispatchQueue.global().async {
                    let result = Self.lookUp(host)
                    let seconds = started.duration(to: .now).inSeconds
                    switch result {
                    case .success(let addresses):
                        let shown = addresses.prefix(4).joined(separator: ", ") + (addresses.count > 4 ? ", ..." : "")
                        answer.give(ProbeReport(
                            target: host, totalSeconds: seconds, phases: ["resolve": seconds, "total": seconds], addresses: addresses,
                            summary: "resolved to \(shown)"))
                    case .failure(let problem):
                        answer.give(ProbeReport(target: host, failure: problem.description, totalSeconds: seconds, phases: ["total": seconds]))
                    }
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout.inSeconds) {
                    let seconds = started.duration(to: .now).inSeconds
                    answer.give(ProbeReport(
                        target: host, failure: "timed out after \(Self.seconds(timeout)) resolving \(host) — check this machine's DNS servers",
                        totalSeconds: seconds, phases: ["total": seconds]))
                }
            }
        } onCancel: {
            answer.give(ProbeReport(target: host, failure: "the lookup of \(host) was cancelled", totalSeconds: 0))
        }
    }

    /// `getaddrinfo` (TCP, any family): the numeric addresses, without repeats.
    static func lookUp(_ host: String) -> Result<[String], ResolveFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            let reason = String(cString: gai_strerror(status))
            switch status {
            case EAI_NONAME:
                return .failure(ResolveFailure(description: "\(host) does not resolve: \(reason) — check the name and its DNS records"))
            case EAI_AGAIN:
                return .failure(ResolveFailure(description: "cannot resolve \(host) now: \(reason) — the DNS server did not answer; check it"))
            default:
                return .failure(ResolveFailure(description: "cannot resolve \(host): \(reason)"))
            }
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var cursor = list
        while let entry = cursor {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = entry.pointee.ai_addr,
               getnameinfo(address, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let numeric = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(numeric) { addresses.append(numeric) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            return .failure(ResolveFailure(description: "\(host) resolved to no address — check its DNS records"))
        }
        return .success(addresses)
    }

    /// A failed lookup, as the report's one line.
    struct ResolveFailure: Error {
        let description: String
    }
}

/// The first of several racing answers (lookup, timer, cancellation) resumes the waiter; the
/// others are dropped.
private final class OneAnswer: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<ProbeReport, Never>?, early: ProbeReport?, done: Bool)>((nil, nil, false))

    func set(_ continuation: CheckedContinuation<ProbeReport, Never>) {
        let early = state.withLock { state -> ProbeReport? in
            if let early = state.early {
                state.early = nil
                return early
            }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func give(_ report: ProbeReport) {
        let waiting = state.withLock { state -> CheckedContinuation<ProbeReport, Never>? in
            guard !state.done else { return nil }
            state.done = true
            guard let continuation = state.continuation else {
                state.early = report
                return nil
            }
            state.continuation = nil
            return continuation
        }
        waiting?.resume(returning: report)
    }
}
