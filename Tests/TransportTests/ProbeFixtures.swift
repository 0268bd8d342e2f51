import Foundation
import SwitchboardTestSupport

/// The local HTTP target of the probe tests (Tests/Fixtures/health/http_target.py) on a free
/// loopback port; it ends when this object goes (its standard input closes).
final class ProbeHTTPTarget: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let input = Pipe()

    /// `script`: a file in Tests/Fixtures/health/ that prints its port first.
    init(script name: String = "http_target.py") throws {
        let script = Repository.path("Tests/Fixtures/health/\(name)")
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = [script]
        let output = Pipe()
        python.standardOutput = output
        python.standardInput = input
        python.standardError = FileHandle.nullDevice
        try python.run()
        let line = output.fileHandleForReading.availableData
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            python.terminate()
            throw TestSetupError("\(script) did not start (is /usr/bin/python3 installed?)")
        }
        self.port = port
        process = python
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    deinit {
        process.terminate()
        try? input.fileHandleForWriting.close()
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost that expires in `days` days, served by
/// `openssl s_server -www` (a TLS handshake, and an HTTP status page for a GET) on a free port.
final class SelfSignedTLSServer: @unchecked Sendable {
    let port: Int
    /// The certificate (its own CA): give it as `caFile` to trust it.
    let certificate: String
    let folder: String
    private let process: Process
    private let input = Pipe()

    init(days: Int) throws {
        folder = try ScratchFolder.make("probe-tls")
        certificate = folder + "/cert.pem"
        let key = folder + "/key.pem"
        try ProcessRunner.runChecked("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", String(days), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", certificate,
        ])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-www"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try process.run()
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
            throw TestSetupError("openssl s_server did not start (said: \(seen.isEmpty ? "nothing" : seen))")
        }
        self.port = port
        self.process = process
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? input.fileHandleForWriting.close()
        _ = ScratchFolder.remove(folder)
    }
}

/// Client-side TCP connections (not in TIME_WAIT) from this machine to a loopback port: the
/// probes' sockets that are still open.
func openConnections(toPort port: Int) throws -> Int {
    var count = 0
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, let remotePort = fields[2].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                  remotePort == port else { continue }
            // 06 TIME_WAIT holds no descriptor.
            if fields[3] != "06" { count += 1 }
        }
    }
    return count
}

/// The descriptors this process holds.
func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
