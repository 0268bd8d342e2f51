#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback TCP port that accepts connections (the kernel completes them from the backlog)
/// and never says a word: a server that hangs before its greeting.
final class SilentListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let (descriptor, port) = try Self.bound()
        guard listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw SocketFailure(what: "listen")
        }
        self.descriptor = descriptor
        self.port = port
    }

    deinit {
        close(descriptor)
    }

    /// A port nothing listens on: bound to get a free number, then closed again.
    static func closedPort() throws -> Int {
        let (descriptor, port) = try bound()
        close(descriptor)
        return port
    }

    struct SocketFailure: Error {
        let what: String
    }

    /// A socket bound to a free port on 127.0.0.1 (not yet listening), and that port.
    static func bound() throws -> (Int32, Int) {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw SocketFailure(what: "socket") }
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
            throw SocketFailure(what: "bind")
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
