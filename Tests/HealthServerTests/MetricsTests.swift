import Foundation
import Synchronization
import HealthMonitor
import HealthServer
import SwitchboardTestSupport
import Testing

/// `/metrics`: valid for promtool, blackbox-compatible names, escaped labels, one body per snapshot.
@Suite struct MetricsTests {
    @Test func metricsPassPromtoolAndCarryTheBlackboxNames() async throws {
        let promtool = try Tool.require("promtool", package: "prometheus")
        let source = FixtureSource(Fixture.snapshot())
        let response = try await TestServer.with(source) { try await $0.request("GET", "/metrics") }
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = response.text

        let check = try ProcessRunner.start(promtool, ["check", "metrics"])
        try check.closeInput(writing: text)
        let result = try check.finish(timeout: 60)
        #expect(result.status == 0, "promtool check metrics: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "promtool found problems: \(result.stdout) \(result.stderr)")

        let lines = Set(text.split(separator: "\n").map(String.init))
        let smtpGroup = #"group="Thư \"điện tử\"\\ns""#
        for expected in [
            #"probe_success{service="portal",group="Cổng",kind="http"} 1"#,
            #"probe_success{service="gateway",group="Cổng",kind="tcp"} 0"#,
            #"probe_success{service="mail-smtp",\#(smtpGroup),kind="smtp"} 1"#,
            #"probe_duration_seconds{service="portal",group="Cổng",kind="http"} 0.125"#,
            #"probe_http_status_code{service="portal",group="Cổng",kind="http"} 200"#,
            #"probe_ssl_earliest_cert_expiry{service="portal",group="Cổng",kind="http"} \#(Int(Fixture.now.timeIntervalSince1970) + 40 * 86_400)"#,
            #"healthd_service_state{service="gateway",group="Cổng",kind="tcp",state="down"} 1"#,
            #"healthd_service_state{service="gateway",group="Cổng",kind="tcp",state="up"} 0"#,
            #"healthd_service_state{service="meet",group="Họp",kind="http",state="unknown"} 1"#,
            #"healthd_sla_ratio{service="portal",window="24h"} 0.9981"#,
            #"healthd_sla_ratio{service="portal",window="30d"} 1"#,
            #"healthd_probes_total{result="down"} 45"#,
            #"healthd_scheduler_lag_seconds 0.2"#,
            #"healthd_up 1"#,
            #"healthd_build_info{version="0.10.0"} 1"#,
            #"healthd_services{state="down"} 2"#,
            #"healthd_incidents_open 1"#,
            "# TYPE healthd_probes_total counter",
            "# TYPE probe_success gauge",
        ] {
            #expect(lines.contains(expected), "missing line: \(expected)")
        }
        // a service never probed has a state but no probe_* sample
        #expect(!text.contains(#"probe_success{service="meet""#))
        // targets and details never become labels
        #expect(!text.contains("example.vn"))
        #expect(!text.contains("connection refused"))
    }

    @Test func promtoolRejectsABrokenExposition() throws {
        // The check above can fail: promtool refuses what a careless renderer writes.
        let promtool = try Tool.require("promtool", package: "prometheus")
        let check = try ProcessRunner.start(promtool, ["check", "metrics"])
        try check.closeInput(writing: "# TYPE probe_success gauge\nprobe_success{group=\"a\"b\"} 1\n")
        #expect(try check.finish(timeout: 60).status != 0)
    }

    @Test func oneBodyPerSnapshot() async throws {
        let source = FixtureSource(Fixture.snapshot())
        try await TestServer.with(source) { server in
            let first = try await server.request("GET", "/metrics")
            // the same snapshot with other data but the same generatedAt: the cached body is served
            source.state.withLock { $0.snapshot.daemon.schedulerLagSeconds = 9 }
            let cached = try await server.request("GET", "/metrics")
            #expect(cached.body == first.body)
            // a new snapshot: a new body
            source.state.withLock { $0.snapshot.generatedAt = Fixture.now.addingTimeInterval(10) }
            let fresh = try await server.request("GET", "/metrics")
            #expect(fresh.text.contains("healthd_scheduler_lag_seconds 9\n"))

            let statusBefore = try await server.request("GET", "/api/v1/status")
            source.state.withLock { $0.snapshot.title = "Changed" }
            #expect(try await server.request("GET", "/api/v1/status").body == statusBefore.body)
            source.state.withLock { $0.snapshot.generatedAt = Fixture.now.addingTimeInterval(20) }
            #expect(try await server.request("GET", "/api/v1/status").text.contains("\"title\":\"Changed\""))
        }
    }

    @Test func valuesAndLabelsAreWrittenAsPrometheusReadsThem() async throws {
        var snapshot = Fixture.snapshot()
        snapshot.services[0].lastResult?.durationSeconds = 0.00001
        snapshot.services[0].group = "line\nbreak"
        let source = FixtureSource(snapshot)
        let text = try await TestServer.with(source) { try await $0.request("GET", "/metrics").text }
        #expect(text.contains(#"probe_duration_seconds{service="portal",group="line\nbreak",kind="http"} 1e-05"#))
    }
}
