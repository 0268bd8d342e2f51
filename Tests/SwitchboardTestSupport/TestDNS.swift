import Foundation

/// The test run's DNS server: Debian's knot, started by `ops/testdns/start` (as `make test`
/// does), serving the zones tests give it. The one reader of its env file (DIR/env).
public struct TestDNS: Sendable {
    /// How to get a server when there is none.
    public static let howToStart = "no test DNS server: start it with `make test`, or ops/testdns/start --dir DIR --port N and SWITCHBOARD_TESTDNS_ENV=DIR/env"

    /// The server's IPv4 address (127.0.0.1).
    public let host: String
    /// Its UDP and TCP port.
    public let port: Int
    /// The folder `ops/testdns/start` ran on (`--dir`).
    public let folder: String
    /// The IPv6 address it also answers on (`::1`), when this host has IPv6 loopback.
    public let host6: String?

    /// `HOST:PORT`, as `--server` takes it.
    public var server: String { "\(host):\(port)" }

    /// The server named by SWITCHBOARD_TESTDNS_ENV; throws, saying how to start one, when there is none.
    public static func current() throws -> TestDNS {
        guard let file = ProcessInfo.processInfo.environment["SWITCHBOARD_TESTDNS_ENV"], !file.isEmpty else {
            throw TestSetupError(howToStart)
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TestSetupError("cannot read \(file) (\(error.localizedDescription)): \(howToStart)")
        }
        let values = MailStackEnvironment.parse(text)
        guard let host = values["TESTDNS_HOST"], !host.isEmpty,
              let portText = values["TESTDNS_PORT"], let port = Int(portText),
              let folder = values["TESTDNS_DIR"], !folder.isEmpty
        else {
            throw TestSetupError("\(file) lacks TESTDNS_HOST, TESTDNS_PORT or TESTDNS_DIR: \(howToStart)")
        }
        let host6 = values["TESTDNS_HOST6"].flatMap { $0.isEmpty ? nil : $0 }
        return TestDNS(host: host, port: port, folder: folder, host6: host6)
    }

    /// Serves `zone` with `records` (zone-file lines: absolute names with a trailing dot, as
    /// `mailctl domain dns` prints them) in place of what it served before; returns once the
    /// server answers with them (`ops/testdns/zone`).
    public func serve(zone: String, records: String) throws {
        try zoneScript([zone, "-"], stdin: records)
    }

    /// Stops serving `zone` (the server then refuses questions about it).
    public func remove(zone: String) throws {
        try zoneScript([zone, "--remove"], stdin: nil)
    }

    private func zoneScript(_ arguments: [String], stdin: String?) throws {
        let script = Repository.path("ops/testdns/zone")
        let run = try ProcessRunner.run(script, ["--dir", folder] + arguments, stdin: stdin, timeout: 180)
        guard run.status == 0 else {
            let said = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw TestSetupError("ops/testdns/zone \(arguments.joined(separator: " ")) failed with exit \(run.status): \(said.isEmpty ? "no message" : said)")
        }
    }
}
