import Foundation
import Synchronization
import HealthMonitor
import Testing

/// `/health`: application/health+json about the daemon only.
@Suite struct HealthCheckTests {
    @Test func passesWhileMonitoredServicesAreDown() async throws {
        let snapshot = Fixture.snapshot()
        #expect(snapshot.services.contains { $0.state == .down })
        let response = try await TestServer.with(FixtureSource(snapshot)) { try await $0.request("GET", "/health") }
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/health+json")
        let json = try response.json()
        #expect(json["status"] as? String == "pass")
        #expect(json["releaseId"] as? String == "0.10.0")
        #expect(json["serviceId"] as? String == "healthd")
        let checks = try #require(json["checks"] as? [String: [[String: Any]]])
        #expect(Set(checks.keys) == ["uptime", "config:reload", "history:writable", "scheduler:lag", "probes:inFlight", "alerts:queued"])
        for (key, list) in checks {
            let check = try #require(list.first, "\(key)")
            #expect(["pass", "warn", "fail"].contains(check["status"] as? String ?? ""), "\(key)")
            #expect(check["time"] is String, "\(key)")
            #expect(check["observedValue"] != nil, "\(key)")
        }
        #expect(checks["uptime"]?.first?["observedValue"] as? Double == 3_600)
        #expect(checks["uptime"]?.first?["observedUnit"] as? String == "s")
        #expect(checks["scheduler:lag"]?.first?["observedValue"] as? Double == 0.2)
    }

    @Test func failsWith503WhenTheHistoryFileTakesNoWrite() async throws {
        let source = FixtureSource(Fixture.snapshot(historyWritable: false))
        let response = try await TestServer.with(source) { try await $0.request("GET", "/health") }
        #expect(response.status == 503)
        let json = try response.json()
        #expect(json["status"] as? String == "fail")
        #expect((json["output"] as? String)?.contains("disk full") == true)
        let history = try #require((json["checks"] as? [String: [[String: Any]]])?["history:writable"]?.first)
        #expect(history["status"] as? String == "fail")
        #expect(history["observedValue"] as? Bool == false)
    }

    @Test func warnsOnARefusedReloadOrAScheduleThatCannotKeepUp() async throws {
        var snapshot = Fixture.snapshot()
        snapshot.daemon.configError = "switchboard.yaml:42: services[3].kind: unknown kind pop3"
        snapshot.daemon.schedulerLagSeconds = 45
        let response = try await TestServer.with(FixtureSource(snapshot)) { try await $0.request("GET", "/health") }
        #expect(response.status == 200)
        let json = try response.json()
        #expect(json["status"] as? String == "warn")
        let checks = try #require(json["checks"] as? [String: [[String: Any]]])
        #expect(checks["config:reload"]?.first?["status"] as? String == "warn")
        #expect((checks["config:reload"]?.first?["output"] as? String)?.contains("switchboard.yaml:42") == true)
        #expect(checks["scheduler:lag"]?.first?["status"] as? String == "warn")
    }
}
