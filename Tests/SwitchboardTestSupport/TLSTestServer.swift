import Foundation

/// A TLS server of the test's own on a free loopback port: `openssl s_server` presenting a given
/// certificate (one for another host name, an expired one). It completes no protocol: a client
/// that checks the certificate gives up during the handshake, which is all such a test needs.
/// Stopped (SIGKILL to its own process) when released.
public final class TLSTestServer {
    /// The port it accepts on, at 127.0.0.1.
    public let port: Int
    private let process: Process
    private let input = Pipe()

    /// Starts `openssl s_server` with `certificate` and `key` (PEM files) on 127.0.0.1, port
    /// chosen by the kernel, and returns once it accepts connections. With `web`, it also
    /// answers an HTTP GET after the handshake (`-www`: a status page).
    public init(certificate: String, key: String, web: Bool = false) throws {
        let openssl = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: openssl) else {
            throw TestSetupError("\(openssl) not found: install the openssl package (ops/mailstack/start --tls needs it too)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key] + (web ? ["-www"] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // Kept open: s_server reads its standard input and would shut down a connection on EOF.
        process.standardInput = input
        try process.run()
        // It prints "ACCEPT 127.0.0.1:PORT" once listening; EOF means it failed to start.
        var seen = ""
        var port: Int?
        while port == nil {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            for line in seen.split(separator: "\n") where line.hasPrefix("ACCEPT ") {
                port = line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            }
        }
        guard let port else {
            process.terminate()
            process.waitUntilExit()
            throw TestSetupError("openssl s_server with \(certificate) did not start (said: \(seen.isEmpty ? "nothing" : seen))")
        }
        self.port = port
        self.process = process
    }

    deinit {
        // SIGKILL: s_server started through Foundation's Process was seen to outlive SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
    }
}
