#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Free ports on 127.0.0.1, for servers a test starts.
public enum LoopbackPort {
    /// A socket bound to a free port on 127.0.0.1 (not yet listening), and that port; the caller
    /// closes the descriptor. TCP, or UDP when `udp`.
    public static func bound(udp: Bool = false) throws -> (descriptor: Int32, port: Int) {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32((udp ? SOCK_DGRAM : SOCK_STREAM).rawValue), 0)
        #else
        let descriptor = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw TestSetupError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw TestSetupError("bind to a free port on 127.0.0.1 failed")
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port nothing listens on: bound to get a free number, then closed again.
    public static func free() throws -> Int {
        let (descriptor, port) = try bound()
        close(descriptor)
        return port
    }
}

/// A UDP port on 127.0.0.1 that is bound but never read: a DNS server that is down or filtered
/// (queries sent there get no answer). Closed by `close()` or when released.
public final class SilentUDPPort: @unchecked Sendable {
    /// The port.
    public let port: Int
    private var descriptor: Int32

    /// Binds a free UDP port.
    public init() throws {
        (descriptor, port) = try LoopbackPort.bound(udp: true)
    }

    /// Closes the socket (once).
    public func close() {
        guard descriptor >= 0 else { return }
        #if canImport(Glibc)
        Glibc.close(descriptor)
        #else
        Darwin.close(descriptor)
        #endif
        descriptor = -1
    }

    deinit { close() }

    /// A UDP port nothing is bound to (bound, then closed again).
    public static func free() throws -> Int {
        let (descriptor, port) = try LoopbackPort.bound(udp: true)
        #if canImport(Glibc)
        Glibc.close(descriptor)
        #else
        Darwin.close(descriptor)
        #endif
        return port
    }
}
