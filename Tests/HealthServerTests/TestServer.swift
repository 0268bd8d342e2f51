import Foundation
import HealthMonitor
import HealthServer
import Logging
import ServiceLifecycle
import SwitchboardTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `HealthHTTPService` on a free loopback port, run in a `ServiceGroup` as the daemon runs it.
struct TestServer {
    let port: Int
    let group: ServiceGroup
    let running: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits until it listens.
    static func start(_ source: any HealthStatusSource, tokenFile: String? = nil) async throws -> TestServer {
        var logger = Logger(label: "healthd-test")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let service = HealthHTTPService(source: source, host: "127.0.0.1", port: 0, tokenFile: tokenFile, logger: logger) { port in
            continuation.yield(port)
        }
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        let running = Task { try await group.run() }
        let waiter = Task {
            for await port in ports { return port }
            return 0
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(20))
            continuation.finish()
        }
        let port = await waiter.value
        timeout.cancel()
        guard port > 0 else {
            running.cancel()
            throw TestSetupError("the health HTTP service did not start listening within 20 s")
        }
        return TestServer(port: port, group: group, running: running)
    }

    /// Shuts down gracefully (as SIGTERM does) and waits for `run()` to return.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Runs `body` against a server for `source`, stopping it afterwards.
    static func with<T>(_ source: any HealthStatusSource, tokenFile: String? = nil, _ body: (TestServer) async throws -> T) async throws -> T {
        let server = try await start(source, tokenFile: tokenFile)
        do {
            let value = try await body(server)
            try await server.stop()
            return value
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// One request on a fresh connection.
    func request(_ method: String = "GET", _ path: String, headers: [(String, String)] = [], body: String? = nil) async throws -> RawResponse {
        try await RawHTTP.send(port: port, method: method, path: path, headers: headers, body: body)
    }
}

/// A response as it came over the wire.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body as the API's error document.
    func error() throws -> APIErrorDocument {
        try HealthJSON.decoder().decode(APIErrorDocument.self, from: Data(body))
    }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw TestSetupError("not a JSON object: \(text.prefix(200))") }
        return object
    }
}

/// A minimal HTTP/1.1 client over a plain socket (any method, any header, `Connection: close`),
/// so the tests see exactly what the server sends.
enum RawHTTP {
    static func send(port: Int, method: String, path: String, headers: [(String, String)], body: String?) async throws -> RawResponse {
        // Blocking socket calls run on a thread of their own: on the cooperative pool (two
        // threads on a two-core machine) they would starve the server they wait for.
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try exchange(port: port, method: method, path: path, headers: headers, body: body) })
            }.start()
        }
    }

    private static func exchange(port: Int, method: String, path: String, headers: [(String, String)], body: String?) throws -> RawResponse {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError("socket() failed") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSetupError("cannot connect to 127.0.0.1:\(port)") }
        let payload = Array((body ?? "").utf8)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if body != nil { head += "Content-Length: \(payload.count)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + payload
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw TestSetupError("write to 127.0.0.1:\(port) failed") }
            sent += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw TestSetupError("read from 127.0.0.1:\(port) failed or timed out") }
            if count == 0 { break }
            received += buffer[0..<count]
        }
        return try parse(received, method: method)
    }

    private static func parse(_ bytes: [UInt8], method: String) throws -> RawResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw TestSetupError("no complete HTTP head in \(bytes.count) bytes")
        }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestSetupError("bad status line \(lines[0])") }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[(end + 4)...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            body = try dechunk(body)
        }
        return RawResponse(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16)
            else { throw TestSetupError("bad chunked body") }
            if size == 0 { break }
            output += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            index = lineEnd + 2 + size + 2
        }
        return output
    }
}
