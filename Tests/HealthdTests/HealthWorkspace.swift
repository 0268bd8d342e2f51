import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A healthd of a test's own: a mail domain on the test run's mail stack (MailWorkspace), people
/// with mailboxes who receive alerts, a `health:` section, and `healthd serve` started on a free
/// port with its own history file.
final class HealthWorkspace {
    let mail: MailWorkspace
    let token = "t0k-" + UUID().uuidString

    var folder: String { mail.folder }
    var config: String { mail.config }
    var historyFile: String { folder + "/health.sqlite" }
    var tokenFile: String { folder + "/api.token" }

    init() throws {
        mail = try MailWorkspace()
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
    }

    /// A unique login for this workspace (the stack's database is shared by the test run).
    func login(_ base: String) -> String { "\(base)-\(mail.domain.prefix(9))" }

    /// Adds a person with a mailbox in this domain; returns the address.
    @discardableResult
    func person(_ login: String, _ name: String, language: String = "vi", role: String? = nil) throws -> String {
        let run = try ProcessRunner.run(ProcessRunner.product("dirctl"),
                                        ["person", "add", login, "--name", name, "--language", language] + (role.map { ["--role", $0] } ?? [])
                                            + ["--config", config], in: folder)
        #expect(run.status == 0, "dirctl person add \(login): \(run.stderr)")
        let address = mail.address(login)
        try mail.expectOK(["account", "create", address, "--person", login, "--password-stdin"], stdin: "Gi0-mua-thu-Ha-Noi\n")
        return address
    }

    /// Writes the config: the mail stack's, and a `health:` section with `services` (YAML list
    /// items, already indented by four spaces) and extra `health:` keys.
    func configure(services: String, extra: String = "", apiActor: String = "root") throws {
        try mail.writeConfig(sections: """
            health:
              history_file: \(historyFile)
              token_file: \(tokenFile)
              api_actor: \(apiActor)
              language: en
              alerts:
                from: healthd@\(mail.domain)
                templates_dir: \(Repository.path("Templates/health"))
                status_url: http://status.\(mail.domain)/
            \(extra)
              services:
            \(services)
            """)
    }

    /// Runs a healthd command (not serve) to its end.
    @discardableResult
    func healthd(_ arguments: [String], stdin: String? = nil) throws -> CommandRun {
        try ProcessRunner.run(ProcessRunner.product("healthd"), arguments + ["--config", config], in: folder, stdin: stdin)
    }

    /// Starts `healthd serve` on a free port and waits until it listens.
    func serve(extra: [String] = []) throws -> Daemon {
        let portFile = folder + "/port-\(UUID().uuidString.prefix(6))"
        let process = try ProcessRunner.start(ProcessRunner.product("healthd"),
                                              ["serve", "--config", config, "--listen", "127.0.0.1:0", "--port-file", portFile] + extra,
                                              in: folder)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return Daemon(process: process, port: port)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.kill()
        throw TestSetupError("healthd serve did not listen within 30 s; its stderr: \(process.standardError.suffix(2000))")
    }

    /// Starts the local HTTP target (Tests/Fixtures/health/http_target.py) and returns its port.
    func httpTarget() throws -> (process: RunningProcess, port: Int) {
        let process = try ProcessRunner.start("/usr/bin/python3", [Repository.path("Tests/Fixtures/health/http_target.py")], in: folder)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let line = process.standardOutput.split(separator: "\n").first, let port = Int(line.trimmingCharacters(in: .whitespaces)) {
                return (process, port)
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.kill()
        throw TestSetupError("the HTTP target did not print its port; stderr: \(process.standardError)")
    }

    /// Rows of the outbox of this workspace's domain, of one kind.
    func outboxRows(kind: String) throws -> [String] {
        try SQLite.run(mail.database, "SELECT message_id FROM outbox WHERE kind = '\(kind)' AND recipients LIKE '%@\(mail.domain)%' ORDER BY id")
            .split(separator: "\n").map(String.init)
    }

    /// The audit events matching a SQL condition.
    func events(_ condition: String) throws -> Int { try mail.events(condition) }
}

/// A running `healthd serve`.
final class Daemon {
    let process: RunningProcess
    let port: Int

    init(process: RunningProcess, port: Int) {
        self.process = process
        self.port = port
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// GET (or another method) on the daemon; status and body.
    func request(_ path: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:]) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, "--max-time", "10"]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body { arguments += ["--data-binary", body, "-H", "Content-Type: application/json"] }
        let run = try ProcessRunner.run("/usr/bin/curl", arguments + [base + path], in: "/")
        let text = run.stdout
        guard let split = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: split)...]) else {
            throw TestSetupError("curl \(path) gave no status: \(run.stderr)")
        }
        return (status, String(text[..<split]))
    }

    /// The JSON of a GET.
    func json(_ path: String) throws -> [String: Any] {
        let (status, body) = try request(path)
        #expect(status == 200, "\(path): HTTP \(status) \(body.prefix(300))")
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(path) is not a JSON object: \(body.prefix(300))")
    }

    /// The state of one component in /api/v1/status.
    func state(of service: String) throws -> String? {
        let document = try json("/api/v1/status")
        let components = document["components"] as? [[String: Any]] ?? []
        return components.first { $0["name"] as? String == service }?["state"] as? String
    }

    /// Waits until `condition` holds (polled), up to `timeout` seconds.
    func waitUntil(_ what: String, timeout: Double = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw TestSetupError("\(what) did not happen within \(Int(timeout)) s; healthd's log: \(process.standardError.suffix(3000))")
    }

    /// SIGTERM and the exit.
    func stop(timeout: Double = 15) throws -> CommandRun {
        process.kill(SIGTERM)
        return try process.finish(timeout: timeout)
    }

    deinit { process.kill() }
}

/// A TCP service a test switches on and off: listening (and accepting) on a fixed loopback
/// port, or closed (connection refused).
final class TCPSwitch: @unchecked Sendable {
    let port: Int
    private var descriptor: Int32 = -1
    private let lock = NSLock()

    init() throws {
        port = try LoopbackPort.free()
        try on()
    }

    /// Listens (again) on the port, accepting and closing every connection.
    func on() throws {
        lock.lock()
        defer { lock.unlock() }
        guard descriptor < 0 else { return }
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, listen(socketDescriptor, 64) == 0 else {
            close(socketDescriptor)
            throw TestSetupError("cannot listen on 127.0.0.1:\(port) again")
        }
        descriptor = socketDescriptor
        Thread {
            while true {
                let client = accept(socketDescriptor, nil, nil)
                if client < 0 { break }
                close(client)
            }
        }.start()
    }

    /// Stops listening: connections are refused.
    func off() {
        lock.lock()
        defer { lock.unlock() }
        guard descriptor >= 0 else { return }
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        descriptor = -1
    }

    deinit { off() }
}
