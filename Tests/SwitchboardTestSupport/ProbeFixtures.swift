import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The local HTTP target of the probe tests (Tests/Fixtures/health/http_target.py) on a free
/// loopback port; it ends when this object goes (its standard input closes). Shared by the
/// Transport, HealthMonitor and healthd tests.
public final class ProbeHTTPTarget: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let input = Pipe()

    /// `script`: a file in Tests/Fixtures/health/ that prints its port first.
    public init(script name: String = "http_target.py") throws {
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

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    deinit {
        process.terminate()
        try? input.fileHandleForWriting.close()
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost that expires in `days` days, served by
/// `openssl s_server -www` (a TLS handshake, and an HTTP status page for a GET) on a free port.
public final class SelfSignedTLSServer {
    public var port: Int { server.port }
    /// The certificate (its own CA): give it as `caFile` to trust it.
    public let certificate: String
    public let folder: String
    private let server: TLSTestServer

    public init(days: Int) throws {
        folder = try ScratchFolder.make("probe-tls")
        certificate = folder + "/cert.pem"
        let key = folder + "/key.pem"
        try ProcessRunner.runChecked("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", String(days), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", certificate,
        ])
        server = try TLSTestServer(certificate: certificate, key: key, web: true)
    }

    deinit {
        _ = ScratchFolder.remove(folder)
    }
}
