#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwitchboardTestSupport

/// A loopback TCP port that accepts connections (the kernel completes them from the backlog)
/// and never says a word: a server that hangs before its greeting.
final class SilentListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let (descriptor, port) = try LoopbackPort.bound()
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

    struct SocketFailure: Error {
        let what: String
    }
}
