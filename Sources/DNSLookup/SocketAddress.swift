internal import CResolv

#if canImport(Glibc)
import Glibc
#endif

/// IP address literals as socket addresses (`inet_pton`), and host names resolved to one.
enum SocketAddress {
    /// Runs `body` with `host` (an IPv4 or IPv6 literal) and `port` as a `sockaddr_in` or
    /// `sockaddr_in6`; nil when `host` is not a literal or `port` is outside 1...65535.
    static func withAddress<Result>(
        host: String, port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result
    ) -> Result? {
        guard (1...65_535).contains(port) else { return nil }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            return withUnsafePointer(to: &v4) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            return withUnsafePointer(to: &v6) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        return nil
    }

    /// True when `host` is an IPv4 literal (dotted quad).
    static func isIPv4(_ host: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    /// True when `host` is an IPv6 literal.
    static func isIPv6(_ host: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, host, &address) == 1
    }

    /// The IPv6 address in its canonical text form (RFC 5952, as `inet_ntop` writes it).
    static func ipv6Text(_ bytes: some Collection<UInt8>) -> String? {
        guard bytes.count == 16 else { return nil }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Why a host name gave no address.
    enum ResolveFailure: Error {
        /// The name does not exist, or has no address.
        case noAddress(String)
        /// The system's resolver could not answer now.
        case unavailable(String)
    }

    /// A host name's first address (`getaddrinfo`, in the system's order), or why there is none.
    static func resolve(_ name: String) -> Swift.Result<String, ResolveFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0 else {
            let reason = String(cString: gai_strerror(status))
            if status == EAI_NONAME {
                return .failure(.noAddress(reason))
            }
            return .failure(.unavailable(reason))
        }
        defer { freeaddrinfo(list) }
        var cursor = list
        while let entry = cursor {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = entry.pointee.ai_addr,
               getnameinfo(address, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                return .success(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = entry.pointee.ai_next
        }
        return .failure(.noAddress("no address"))
    }
}
