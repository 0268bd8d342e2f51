import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// `healthd serve` end to end: real probes of real local targets, the endpoints on a real port,
/// SIGHUP reloads, SIGTERM, and a history file that cannot be written.
@Suite(.serialized) struct ServeTests {
    /// Three services against the local HTTP target: one up, one answering 503, one port closed.
    func threeServices(_ w: HealthWorkspace, httpPort: Int, closedPort: Int, extra: String = "") -> String {
        """
            - name: web-ok
              title: Cổng thông tin
              group: Web
              kind: http
              target: http://127.0.0.1:\(httpPort)/ok
              interval: 1s
              timeout: 800ms
              conditions:
                - status: [200]
                - body_contains: ok
            - name: web-503
              group: Web
              kind: http
              target: http://127.0.0.1:\(httpPort)/down
              interval: 1s
              timeout: 800ms
            - name: closed
              group: Network
              kind: tcp
              target: 127.0.0.1:\(closedPort)
              interval: 1s
              timeout: 800ms
        \(extra)
        """
    }

    @Test func endpointsShowRealProbesAndMetricsPassPromtool() throws {
        let w = try HealthWorkspace()
        let target = try ProbeHTTPTarget()
        try w.configure(services: threeServices(w, httpPort: target.port, closedPort: try LoopbackPort.free()))
        let daemon = try w.serve()
        let livez = try daemon.request("/livez")
        #expect(livez.status == 200 && livez.body.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        try daemon.waitUntil("all three judged") {
            try daemon.state(of: "web-ok") == "up" && daemon.state(of: "web-503") == "down" && daemon.state(of: "closed") == "down"
        }
        // (Incidents left open by earlier runs show down at once: wait for this run's results.)
        try daemon.waitUntil("every service's first result in the metrics") {
            let metrics = try daemon.request("/metrics").body
            return ["web-ok", "web-503", "closed"].allSatisfy { metrics.contains("probe_success{service=\"\($0)\"") }
        }
        let status = try daemon.json("/api/v1/status")
        let overall = try #require(status["status"] as? [String: Any])
        #expect(overall["indicator"] as? String != "none", "two of three services down: \(overall)")

        let (metricsStatus, metrics) = try daemon.request("/metrics")
        #expect(metricsStatus == 200)
        #expect(metrics.contains("probe_success{") && metrics.contains("service=\"web-ok\""))
        let webOK = metrics.split(separator: "\n").first { $0.hasPrefix("probe_success{") && $0.contains("service=\"web-ok\"") }
        #expect(webOK?.hasSuffix(" 1") == true, "\(webOK ?? "no probe_success line for web-ok")")
        let closed = metrics.split(separator: "\n").first { $0.hasPrefix("probe_success{") && $0.contains("service=\"closed\"") }
        #expect(closed?.hasSuffix(" 0") == true, "\(closed ?? "no probe_success line for closed")")
        #expect(metrics.contains("probe_http_status_code{") && metrics.contains("503"))
        let promtool = "/usr/bin/promtool"
        try #require(FileManager.default.isExecutableFile(atPath: promtool), "promtool is missing: `make deps` installs it (Debian package prometheus)")
        let check = try ProcessRunner.run(promtool, ["check", "metrics"], in: w.folder, stdin: metrics)
        #expect(check.status == 0, "promtool check metrics: \(check.stdout) \(check.stderr)")

        let (readyStatus, ready) = try daemon.request("/readyz?verbose")
        #expect(readyStatus == 200, "\(ready)")
        let health = try daemon.request("/health")
        #expect(health.status == 200)
        #expect(health.body.contains("\"status\""))
        // A monitored service down never fails the monitor's own health.
        #expect(!health.body.contains("\"status\":\"fail\"") && !health.body.contains("\"status\" : \"fail\""), "\(health.body)")

        let detail = try daemon.json("/api/v1/services/web-ok")
        #expect(detail["name"] as? String == "web-ok" || (detail["component"] as? [String: Any])?["name"] as? String == "web-ok", "\(detail)")
        #expect(try daemon.request("/api/v1/services/no-such-service").status == 404)
        #expect(try daemon.request("/api/v1/services/web-ok/sla?from=yesterday-ish").status == 400)
        let sla = try daemon.request("/api/v1/services/web-ok/sla?from=2026-11-01")
        #expect(sla.status == 200, "\(sla.body)")
        // A window longer than the history kept is refused at once (it would be walked hour by hour).
        let huge = try daemon.request("/api/v1/services/web-ok/sla?from=1990-01-01&to=2090-01-01")
        #expect(huge.status == 400 && huge.body.contains("days of history kept"), "\(huge.body)")
        // One daemon per history file.
        let second = try ProcessRunner.run(ProcessRunner.product("healthd"), ["serve", "--config", w.config, "--listen", "127.0.0.1:0"], in: w.folder)
        #expect(second.status == 69 && second.stderr.contains("another healthd serve"), "\(second.status): \(second.stderr)")
        let history = try daemon.request("/api/v1/services/web-503/history?limit=5")
        #expect(history.status == 200 && history.body.contains("503"), "\(history.body.prefix(500).description)")
        let page = try daemon.request("/")
        #expect(page.status == 200 && page.body.contains("lang=\"en\"") && page.body.contains("web-ok") || page.body.contains("Cổng thông tin"))
        let stopped = try daemon.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(800).description)")
    }

    @Test func sighupReloadsAndABadFileIsRefusedWithFileLineAndKeyWhileTheRunningOneStays() throws {
        let w = try HealthWorkspace()
        let target = try ProbeHTTPTarget()
        let closedPort = try LoopbackPort.free()
        try w.configure(services: threeServices(w, httpPort: target.port, closedPort: closedPort))
        let daemon = try w.serve()
        try daemon.waitUntil("web-503 down") { try daemon.state(of: "web-503") == "down" }

        // A bad file: an unknown kind. Refused; the three services go on being probed.
        let good = try String(contentsOfFile: w.config, encoding: .utf8)
        try good.replacingOccurrences(of: "kind: tcp", with: "kind: telnet").write(toFile: w.config, atomically: true, encoding: .utf8)
        daemon.process.kill(SIGHUP)
        #expect(daemon.process.waitForStandardError(containing: "telnet", timeout: 10), "\(daemon.process.standardError.suffix(1500).description)")
        let log = daemon.process.standardError
        #expect(log.contains(w.config + ":"), "the refusal names the file and line: \(log.suffix(800))")
        #expect(try daemon.state(of: "closed") == "down" && daemon.state(of: "web-503") == "down", "state kept across a refused reload")
        let health = try daemon.request("/health")
        #expect(health.body.contains("warn"), "a refused reload makes the monitor's health warn: \(health.body)")

        // A good file with one more service: it appears; the others keep their state (no unknown).
        try w.configure(services: threeServices(w, httpPort: target.port, closedPort: closedPort, extra: """
                - name: web-json
                  group: Web
                  kind: http
                  target: http://127.0.0.1:\(target.port)/json
                  interval: 1s
                  timeout: 800ms
                  conditions:
                    - json: {path: data.version, equals: "1.2"}
            """))
        daemon.process.kill(SIGHUP)
        try daemon.waitUntil("web-json probed") { try daemon.state(of: "web-json") == "up" }
        #expect(try daemon.state(of: "web-503") == "down")
        _ = try daemon.stop()
    }

    @Test func sigtermWithProbesInFlightExitsPromptlyAndLeavesTheHistoryWhole() throws {
        let w = try HealthWorkspace()
        let target = try ProbeHTTPTarget()
        // Targets that accept and never answer: every probe is in flight for its whole timeout.
        let hanging = (1...20).map { index in
            """
                - name: hold-\(index)
                  group: Hold
                  kind: http
                  target: http://127.0.0.1:\(target.port)/hold
                  interval: 10s
                  timeout: 8s
            """
        }
        try w.configure(services: """
                - name: web-ok
                  kind: http
                  target: http://127.0.0.1:\(target.port)/ok
                  interval: 1s
                  timeout: 800ms
            \(hanging.joined(separator: "\n"))
            """)
        let testStart = ISO8601DateFormatter().string(from: Date())
        let daemon = try w.serve()
        try daemon.waitUntil("web-ok probed") { try daemon.state(of: "web-ok") == "up" }
        Thread.sleep(forTimeInterval: 10.5) // every hold-N started its first probe
        let (_, metrics) = try daemon.request("/metrics")
        let inFlight = metrics.split(separator: "\n").first { $0.hasPrefix("healthd_probes_in_flight") }
        let started = Date()
        let stopped = try daemon.stop(timeout: 20)
        let took = Date().timeIntervalSince(started)
        #expect(stopped.status == 0, "exit \(stopped.status): \(stopped.stderr.suffix(800))")
        #expect(took < 5, "SIGTERM took \(took) s with probes in flight (\(inFlight ?? "?"))")
        #expect(try SQLite.scalar(w.historyFile, "PRAGMA integrity_check") == "ok")
        // A probe cut short by the shutdown is no result: it opens no incident and is not stored.
        #expect(try SQLite.scalar(w.mail.database, "SELECT count(*) FROM health_incident WHERE service LIKE 'hold-%' AND cause LIKE '%cancel%' AND started_at >= '\(testStart)'") == "0")
        let tables = try SQLite.run(w.historyFile, "SELECT name FROM sqlite_master WHERE type = 'table'")
        #expect(!tables.isEmpty)
    }

    @Test func aTargetThatAcceptsAndNeverAnswersIsDownWithinItsTimeout() throws {
        let w = try HealthWorkspace()
        let target = try ProbeHTTPTarget()
        try w.configure(services: """
                - name: hold
                  kind: http
                  target: http://127.0.0.1:\(target.port)/hold
                  interval: 3s
                  timeout: 1s
                  failure_threshold: 1
            """)
        let daemon = try w.serve()
        // (An incident left open by an earlier run shows down at once: wait for this run's result.)
        func component() throws -> [String: Any]? { (try daemon.json("/api/v1/status")["components"] as? [[String: Any]])?.first }
        try daemon.waitUntil("hold probed and down") { try component()?["response_time_seconds"] != nil && daemon.state(of: "hold") == "down" }
        let component = try #require(try component())
        let seconds = try #require(component["response_time_seconds"] as? Double, "\(component)")
        #expect(seconds < 1.5, "the 1 s timeout held: \(seconds) s")
        let detail = component["last_detail"] as? String ?? ""
        #expect(detail.lowercased().contains("time"), "says it timed out: \(detail)")
        _ = try daemon.stop()
    }

    @Test func aFullHistoryDiskMakesTheDaemonNotReadyWhileItKeepsProbing() throws {
        let w = try HealthWorkspace()
        let target = try ProbeHTTPTarget()
        try w.configure(services: """
                - name: web-ok
                  kind: http
                  target: http://127.0.0.1:\(target.port)/ok
                  interval: 1s
                  timeout: 800ms
            """)
        // The history file exists (made by a first run); then its write-ahead log is a device
        // that is always full, so the file cannot be opened for writing, as on a full disk.
        let first = try w.serve()
        try first.waitUntil("a first result") { try first.state(of: "web-ok") == "up" }
        #expect(try first.stop().status == 0)
        try? FileManager.default.removeItem(atPath: w.historyFile + "-wal")
        try FileManager.default.createSymbolicLink(atPath: w.historyFile + "-wal", withDestinationPath: "/dev/full")
        defer { try? FileManager.default.removeItem(atPath: w.historyFile + "-wal") }

        let daemon = try w.serve()
        try daemon.waitUntil("not ready") { try daemon.request("/readyz").status == 503 }
        let verbose = try daemon.request("/readyz?verbose")
        #expect(verbose.body.contains("history"), "\(verbose.body)")
        func probes() throws -> Double {
            let (_, metrics) = try daemon.request("/metrics")
            return metrics.split(separator: "\n").filter { $0.hasPrefix("healthd_probes_total{") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        }
        let before = try probes()
        Thread.sleep(forTimeInterval: 3)
        #expect(try probes() >= before + 2, "probing goes on while the history cannot be written")
        #expect(try daemon.state(of: "web-ok") == "up")
        #expect(try daemon.request("/livez").status == 200)
        // The disk has room again: the daemon opens the file by itself and is ready.
        try FileManager.default.removeItem(atPath: w.historyFile + "-wal")
        try daemon.waitUntil("ready again", timeout: 30) { try daemon.request("/readyz").status == 200 }
        _ = try daemon.stop()
        #expect(try SQLite.scalar(w.historyFile, "PRAGMA integrity_check") == "ok")
    }
}
