import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// `healthd check` as a Nagios plugin, and the operator commands: maintenance (CLI and the
/// bearer-token API), acknowledgements, the monthly report, the config check.
@Suite(.serialized) struct CheckAndOperatorTests {
    func services(httpPort: Int, closedPort: Int) -> String {
        """
            - name: web
              kind: http
              target: http://127.0.0.1:\(httpPort)/ok
              interval: 5s
              timeout: 2s
              conditions:
                - status: [200]
                - response_time_below: 1500ms
            - name: slow
              kind: http
              target: http://127.0.0.1:\(httpPort)/slow?ms=400
              interval: 5s
              timeout: 2s
              conditions:
                - response_time_below: 100ms
            - name: wrong-body
              kind: http
              target: http://127.0.0.1:\(httpPort)/wrong
              interval: 5s
              timeout: 2s
              conditions:
                - body_contains: "all systems go"
            - name: closed-port
              kind: tcp
              target: 127.0.0.1:\(closedPort)
              interval: 5s
              timeout: 2s
        """
    }

    @Test func checkSpeaksTheNagiosPluginProtocol() throws {
        let w = try HealthWorkspace()
        let target = try ProbeHTTPTarget()
        try w.configure(services: services(httpPort: target.port, closedPort: try LoopbackPort.free()))

        let ok = try w.healthd(["check", "web"])
        #expect(ok.status == 0, "\(ok.stdout) \(ok.stderr)")
        let okLine = try #require(ok.stdout.split(separator: "\n").first.map(String.init))
        #expect(okLine.hasPrefix("WEB OK - "), "\(okLine)")
        // Perfdata after `|`: 'time'=0.001234s;1.500;;0;
        let perfdata = try #require(okLine.split(separator: "|").last.map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(perfdata.range(of: #"^'time'=[0-9.]+s;1\.500;;0;"#, options: .regularExpression) != nil, "\(perfdata)")

        let slow = try w.healthd(["check", "slow"])
        #expect(slow.status == 1, "a warning condition is WARNING: \(slow.stdout)")
        #expect(slow.stdout.hasPrefix("SLOW WARNING - "), "\(slow.stdout)")

        let wrong = try w.healthd(["check", "wrong-body"])
        #expect(wrong.status == 2, "\(wrong.stdout)")
        #expect(wrong.stdout.hasPrefix("WRONG-BODY CRITICAL - ") && wrong.stdout.contains("all systems go"), "\(wrong.stdout)")

        let closed = try w.healthd(["check", "closed-port"])
        #expect(closed.status == 2, "\(closed.stdout)")

        let unknown = try w.healthd(["check", "no-such"])
        #expect(unknown.status == 3 && unknown.stdout.hasPrefix("HEALTHD UNKNOWN - "), "\(unknown.stdout)")

        let all = try w.healthd(["check"])
        #expect(all.status == 2, "the worst of all: \(all.stdout)")
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.count == 5 && lines[0].hasPrefix("HEALTHD CRITICAL - 1 of 4 services OK"), "\(all.stdout)")

        // A configuration that does not load: UNKNOWN with the file and line, never a crash.
        try String(contentsOfFile: w.config, encoding: .utf8).replacingOccurrences(of: "interval: 5s", with: "interval: soon")
            .write(toFile: w.config, atomically: true, encoding: .utf8)
        let broken = try w.healthd(["check"])
        #expect(broken.status == 3 && broken.stdout.contains(w.config + ":"), "\(broken.stdout)")
    }

    @Test func maintenanceFromTheCommandLineAndTheAPIIsAuditedAndTheTokenIsRequired() throws {
        let w = try HealthWorkspace()
        let target = try ProbeHTTPTarget()
        try w.configure(services: services(httpPort: target.port, closedPort: try LoopbackPort.free()))

        let add = try w.healthd(["maintenance", "add", "--service", "closed-port", "--start", "now", "--duration", "1h", "--reason", "Thay switch lõi"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(try w.events("action = 'health.maintenance' AND details LIKE '%closed-port%'") >= 1)
        let list = try w.healthd(["maintenance", "list"])
        #expect(list.stdout.contains("Thay switch lõi"), "\(list.stdout)")
        let unknown = try w.healthd(["maintenance", "add", "--service", "nope", "--start", "now", "--duration", "1h", "--reason", "x"])
        #expect(unknown.status == 65, "\(unknown.status): \(unknown.stderr)")

        let daemon = try w.serve()
        // The closed port is in maintenance: shown so, and no alert for it.
        try daemon.waitUntil("closed-port in maintenance") { try daemon.state(of: "closed-port") == "maintenance" }

        let body = #"{"services": ["web"], "start": "2030-01-01T00:00:00Z", "end": "2030-01-01T01:00:00Z", "reason": "Nâng cấp"}"#
        let before = try w.events("action = 'health.maintenance'")
        let noToken = try daemon.request("/api/v1/maintenance", method: "POST", body: body)
        #expect(noToken.status == 401, "\(noToken.body)")
        let wrongToken = try daemon.request("/api/v1/maintenance", method: "POST", body: body, headers: ["Authorization": "Bearer wrong"])
        #expect(wrongToken.status == 401, "\(wrongToken.body)")
        #expect(try w.events("action = 'health.maintenance'") == before, "nothing changed without the token")
        let accepted = try daemon.request("/api/v1/maintenance", method: "POST", body: body, headers: ["Authorization": "Bearer \(w.token)"])
        #expect([200, 201].contains(accepted.status), "\(accepted.status) \(accepted.body)")
        #expect(try w.events("action = 'health.maintenance'") == before + 1)
        #expect(try w.events("action = 'health.maintenance' AND actor = 'root' AND details LIKE '%127.0.0.1%'") >= 1)
        let list2 = try w.healthd(["maintenance", "list", "--days", "366", "--json"])
        _ = list2
        #expect(try daemon.request("/api/v1/maintenance", method: "POST", body: "{not json", headers: ["Authorization": "Bearer \(w.token)"]).status == 400)
        // Back-dated maintenance would take recorded downtime out of the SLA: refused.
        let backdated = #"{"services": ["web"], "start": "2020-01-01T00:00:00Z", "end": "2030-01-01T01:00:00Z", "reason": "x"}"#
        let refused = try daemon.request("/api/v1/maintenance", method: "POST", body: backdated, headers: ["Authorization": "Bearer \(w.token)"])
        #expect(refused.status == 400 && refused.body.contains("past"), "\(refused.status) \(refused.body)")
        // Staff may read status but not run the daemon.
        let staff = w.login("staff")
        try w.person(staff, "Nhân viên")
        let staffServe = try w.healthd(["serve", "--listen", "127.0.0.1:0", "--as", staff])
        #expect(staffServe.status == 77, "\(staffServe.status): \(staffServe.stderr)")
        #expect(try w.healthd(["status", "--recorded", "--as", staff]).status == 0)
        _ = try daemon.stop()
        #expect(try w.outboxRows(kind: "health.alert").isEmpty && w.outboxRows(kind: "health.digest").isEmpty)
    }

    @Test func reportWritesTextCSVAndASelfContainedPage() throws {
        let w = try HealthWorkspace()
        let target = try ProbeHTTPTarget()
        try w.configure(services: """
                - name: web
                  title: Cổng thông tin
                  kind: http
                  target: http://127.0.0.1:\(target.port)/ok
                  interval: 1s
                  timeout: 800ms
                - name: web-down
                  kind: http
                  target: http://127.0.0.1:\(target.port)/down
                  interval: 1s
                  timeout: 800ms
            """)
        let daemon = try w.serve()
        try daemon.waitUntil("both probed a few times", timeout: 20) {
            let history = try daemon.request("/api/v1/services/web-down/history?limit=50").body
            return history.components(separatedBy: "503").count > 4
        }
        _ = try daemon.stop()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        let parts = calendar.dateComponents([.year, .month], from: Date())
        let month = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
        let out = w.folder + "/reports"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let run = try w.healthd(["report", "--month", month, "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let csv = try String(contentsOfFile: "\(out)/health-\(month).csv", encoding: .utf8)
        let rows = csv.split(whereSeparator: \.isNewline)
        #expect(rows.count >= 3, "\(csv)")
        let web = try #require(rows.first { $0.hasPrefix("web,") || $0.hasPrefix("\"web\",") }, "\(csv)")
        let web503 = try #require(rows.first { $0.hasPrefix("web-down,") || $0.hasPrefix("\"web-down\",") }, "\(csv)")
        #expect(web.contains("100"), "web was always up: \(web)")
        // The running month is reported up to now: the days still to come are not "unknown".
        let monthStart = try #require(calendar.date(from: parts))
        let unknown = try #require(web.split(separator: ",").dropFirst(5).first.flatMap { Double($0) }, "\(web)")
        #expect(unknown <= Date().timeIntervalSince(monthStart) + 60, "unknown \(unknown) s in a month begun \(Date().timeIntervalSince(monthStart)) s ago")
        #expect(!web503.contains("100.0"), "web-down was never up: \(web503)")
        let html = try String(contentsOfFile: "\(out)/health-\(month).html", encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("lang=") && !html.contains("<script src") && !html.contains("<link "))
        #expect(run.stdout.contains("web-down"))
        #expect(try w.healthd(["report", "--month", "2026-13", "--out", out]).status == 64)
    }

    @Test func configCheckNamesTheFileLineAndKeyOfAnUnknownRecipient() throws {
        let w = try HealthWorkspace()
        try w.configure(services: """
                - name: web
                  kind: tcp
                  target: 127.0.0.1:9
                  owners: [nobody-by-this-login]
            """)
        let run = try w.healthd(["config", "check"])
        #expect(run.status == 78, "\(run.status): \(run.stderr)")
        #expect(run.stderr.contains(w.config + ":") && run.stderr.contains("nobody-by-this-login"), "\(run.stderr)")
        let serve = try ProcessRunner.run(ProcessRunner.product("healthd"), ["serve", "--config", w.config, "--listen", "127.0.0.1:0"], in: w.folder)
        #expect(serve.status == 78, "serve refuses to start: \(serve.stderr)")
    }
}
