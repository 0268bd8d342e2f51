#if canImport(Glibc)
import Glibc
#endif

/// Lookups through glibc's stub resolver (libresolv), optionally against one named server.
///
/// Each lookup has a resolver state of its own (`res_ninit`), so one resolver may be used from
/// several threads at once. A reply cut short over UDP is asked again over TCP. A lookup
/// blocks its thread for at most `timeoutSeconds` × `attempts` (per server of resolv.conf).
public struct DNSResolver: DNSLookingUp {
    /// The server asked; nil: the system's (`/etc/resolv.conf`).
    public var server: DNSServer?
    /// Seconds to wait for each try.
    public var timeoutSeconds: Int
    /// Tries per server.
    public var attempts: Int

    /// A resolver.
    public init(server: DNSServer? = nil, timeoutSeconds: Int = 5, attempts: Int = 2) {
        self.server = server
        self.timeoutSeconds = timeoutSeconds
        self.attempts = attempts
    }

    /// See ``DNSLookingUp/lookup(_:_:)``.
    public func lookup(_ name: String, _ type: DNSRecordType) throws -> DNSAnswer {
        try answer(name, type)
    }

    /// The lookup, with its one error type.
    func answer(_ name: String, _ type: DNSRecordType) throws(DNSError) -> DNSAnswer {
        let queryName = try DNSName.checked(name, type)
        guard (1...300).contains(timeoutSeconds), (1...10).contains(attempts) else {
            throw DNSError(.invalidInput, "a DNS lookup needs a timeout from 1 to 300 seconds and 1 to 10 tries (given \(timeoutSeconds) s, \(attempts) tries)")
        }
        let state = try ResolverState(seconds: timeoutSeconds, tries: attempts)
        if let server { try state.use(server) }
        let asked = "\(type.rawValue) \(queryName)"
        let bytes: [UInt8]
        let started = ContinuousClock.now
        switch state.query(queryName, type) {
        case .success(let reply):
            bytes = reply
        case .failure(.badName):
            throw DNSError(.invalidInput, "cannot look up \(asked): the name does not fit in a DNS query; give a domain name such as example.org")
        case .failure(.noReply(let code)):
            throw noReply(code, asked: asked, servers: state.servers, waited: started.duration(to: .now))
        }
        let reply: DNSReply
        do {
            reply = try DNSReply(bytes: bytes, type: type)
        } catch {
            throw DNSError(.malformedReply, "the reply of \(describe(state.servers)) to \(asked) cannot be decoded (\(error.reason)); ask another server with --server HOST:PORT")
        }
        if reply.isReferral {
            throw DNSError(.serverFailure, "\(describe(state.servers)) answered \(asked) with a referral to other servers, not an answer: it does not serve that zone itself; ask a server that does with --server HOST:PORT")
        }
        switch reply.responseCode {
        case 0:
            return reply.records.isEmpty ? .noData : .records(reply.records)
        case 3:
            return .noSuchName
        case 2:
            throw DNSError(.serverFailure, "\(describe(state.servers)) answered SERVFAIL (server failure) to \(asked): the zone's servers may be down or broken; try again later, or ask another server with --server HOST:PORT")
        case 5:
            throw DNSError(.serverFailure, "\(describe(state.servers)) refused to answer \(asked) (REFUSED): it does not serve that zone and does not resolve for this host; ask one that does with --server HOST:PORT")
        case let code:
            throw DNSError(.serverFailure, "\(describe(state.servers)) answered \(Self.responseName(code)) to \(asked); ask another server with --server HOST:PORT")
        }
    }

    /// The error for a query that got no reply at all.
    private func noReply(_ code: Int32, asked: String, servers: [String], waited: Duration) -> DNSError {
        let who = describe(servers)
        switch code {
        case ETIMEDOUT:
            let tries = attempts == 1 ? "1 try" : "\(attempts) tries"
            let seconds = Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
            // glibc gives up at once, with the same ETIMEDOUT, on a server that answers REFUSED,
            // SERVFAIL or NOTIMP, or a referral instead of an answer (CResolv_set_tries): far
            // sooner than one try's timeout means the server did answer, with no usable reply.
            // glibc waits the whole timeout for every try at every server before a real timeout.
            if seconds < 0.75 * Double(timeoutSeconds * attempts * max(1, servers.count)) {
                return DNSError(.serverFailure, "\(who) gave no usable answer to \(asked) (REFUSED, SERVFAIL or a referral): it does not serve that zone, or it is broken; ask a server that answers for it with --server HOST:PORT")
            }
            let perServer = servers.count > 1 ? " per server" : ""
            return DNSError(.timeout, "no answer from \(who) to \(asked) in \(Self.shown(seconds)) s (\(tries) of \(timeoutSeconds) s\(perServer)): is it running, and does the network let DNS (UDP and TCP) through? Ask another server with --server HOST:PORT")
        case ECONNREFUSED:
            return DNSError(.serverFailure, "\(who) refused the connection for \(asked): nothing listens on that port; start the server, check its port (a large answer also needs TCP), or ask another with --server HOST:PORT")
        case ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, EAFNOSUPPORT:
            return DNSError(.serverFailure, "cannot reach \(who) for \(asked) (\(ResolverState.text(errno: code))): check this host's network, or ask another server with --server HOST:PORT")
        default:
            return DNSError(.resolverFailure, "the lookup of \(asked) at \(who) failed (\(ResolverState.text(errno: code))); check /etc/resolv.conf, or ask another server with --server HOST:PORT")
        }
    }

    /// "the DNS server H:P", or "the system's DNS servers (H:P, ... from /etc/resolv.conf)".
    private func describe(_ servers: [String]) -> String {
        if let server { return "the DNS server \(server)" }
        let list = servers.isEmpty ? "none listed" : servers.joined(separator: ", ")
        return "the system's DNS servers (\(list), from /etc/resolv.conf)"
    }

    /// Seconds with one decimal ("2.0").
    static func shown(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// The mnemonic of a response code (RFC 6895).
    static func responseName(_ code: Int) -> String {
        switch code {
        case 1: "FORMERR (the server could not read the query)"
        case 4: "NOTIMP (the server does not do this kind of query)"
        case 9: "NOTAUTH (the server is not authoritative)"
        default: "response code \(code)"
        }
    }
}
