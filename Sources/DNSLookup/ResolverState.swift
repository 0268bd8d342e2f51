internal import CResolv
import SwitchboardBase

#if canImport(Glibc)
import Glibc
#endif

/// One glibc resolver state (`res_ninit`), owned by one lookup: never shared between threads,
/// freed (`res_nclose`) with the object.
final class ResolverState {
    private let state: res_state

    /// A state from /etc/resolv.conf, asking each server `tries` times, `seconds` each.
    init(seconds: Int, tries: Int) throws(DNSError) {
        var error: Int32 = 0
        guard let state = CResolv_state_new(&error) else {
            throw DNSError(.resolverFailure, "cannot set up the DNS resolver (res_ninit: \(Self.text(errno: error))): check /etc/resolv.conf and the memory left on this host")
        }
        self.state = state
        CResolv_set_tries(state, Int32(clamping: seconds), Int32(clamping: tries))
    }

    deinit { CResolv_state_free(state) }

    /// Makes `server` (an address literal) the one server asked, in place of resolv.conf's.
    func use(_ server: DNSServer) throws(DNSError) {
        let status = SocketAddress.withAddress(host: server.host, port: server.port) { address, length in
            CResolv_set_server(state, address, length) == 0 ? 0 : errno
        }
        guard let status else {
            throw DNSError(.invalidInput, "the DNS server \(Quoting.quoted(server.host)) is not an IP address with a port from 1 to 65535: give one (e.g. 127.0.0.1:53 or [::1]:53)")
        }
        guard status == 0 else {
            throw DNSError(.resolverFailure, "cannot ask the DNS server \(server) (\(Self.text(errno: status)))")
        }
    }

    /// The servers asked, `HOST:PORT` each, in order.
    var servers: [String] {
        var list: [String] = []
        for index in 0..<CResolv_server_count(state) {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            var port: Int32 = 0
            guard CResolv_server_text(state, index, &text, socklen_t(text.count), &port) == 0 else { continue }
            let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            list.append(DNSServer(host: host, port: Int(port)).description)
        }
        return list
    }

    /// Why a query got no reply.
    enum QueryFailure: Error, Equatable {
        /// The name cannot be put into a query.
        case badName
        /// No reply: errno of the last try (ETIMEDOUT, ECONNREFUSED, ...).
        case noReply(errno: Int32)
    }

    /// Sends one query for `name` and `type`; the reply's bytes (UDP, or TCP after a truncated
    /// UDP reply).
    func query(_ name: String, _ type: DNSRecordType) -> Result<[UInt8], QueryFailure> {
        // The largest DNS message (TCP's two-byte length): no reply is cut to fit the buffer.
        var answer = [UInt8](repeating: 0, count: 65_536)
        let length = answer.withUnsafeMutableBufferPointer { buffer in
            CResolv_query(state, name, type.code, buffer.baseAddress, Int32(buffer.count))
        }
        if length == -2 { return .failure(.badName) }
        if length < 0 { return .failure(.noReply(errno: errno)) }
        return .success(Array(answer.prefix(Int(length))))
    }

    /// strerror's text.
    static func text(errno code: Int32) -> String {
        guard let message = strerror(code) else { return "error \(code)" }
        return String(cString: message)
    }
}

extension DNSRecordType {
    /// The type's number in a query (RFC 1035, RFC 3596).
    var code: Int32 {
        switch self {
        case .a: 1
        case .ns: 2
        case .cname: 5
        case .mx: 15
        case .txt: 16
        case .aaaa: 28
        }
    }
}
