import Foundation
import Synchronization
import HealthMonitor
import HealthServer
import Testing

/// The endpoints on a real port: liveness, readiness, the status document, the service detail,
/// history and SLA windows, and the refusals (400 naming the parameter, 404, 405).
@Suite struct EndpointTests {
    @Test func livenessAnswersOkAndReadinessFollowsTheChecks() async throws {
        let source = FixtureSource(Fixture.snapshot())
        try await TestServer.with(source) { server in
            let live = try await server.request("GET", "/livez")
            #expect(live.status == 200)
            #expect(live.text == "ok\n")

            let ready = try await server.request("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(ready.text == "ok\n")

            source.state.withLock { $0.readiness[1] = ReadinessCheck(name: "history", ok: false, detail: "history file is read-only") }
            let notReady = try await server.request("GET", "/readyz")
            #expect(notReady.status == 503)
            #expect(notReady.text.contains("history: history file is read-only"))

            let verbose = try await server.request("GET", "/readyz?verbose")
            #expect(verbose.status == 503)
            #expect(verbose.text == "[+]config ok: loaded\n[-]history failed: history file is read-only\nreadyz check failed\n")
        }
    }

    @Test func statusDocumentHasTheStatusPageShape() async throws {
        let source = FixtureSource(Fixture.snapshot())
        try await TestServer.with(source) { server in
            let response = try await server.request("GET", "/api/v1/status")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            let document = try HealthJSON.decoder().decode(StatusDocument.self, from: Data(response.body))
            #expect(document.page == .init(title: "Trung tâm CNTT", language: "vi", timeZone: Fixture.zone, updatedAt: Fixture.now))
            #expect(document.status.indicator == .major)
            #expect(document.status.description == "Một số dịch vụ đang ngừng hoạt động")
            let statuses = Dictionary(uniqueKeysWithValues: document.components.map { ($0.name, $0.status) })
            #expect(statuses == [
                "portal": .operational, "gateway": .majorOutage, "intranet": .majorOutage, "mail-smtp": .degradedPerformance,
                "mail-imap": .underMaintenance, "meet": .unknown,
            ])
            #expect(document.components.map(\.name) == ["portal", "gateway", "intranet", "mail-smtp", "mail-imap", "meet"])
            #expect(document.components[2].suppressedBy == "gateway")
            #expect(document.groups.map(\.status) == [.partialOutage, .degradedPerformance, .unknown])
            #expect(document.incidents.map(\.id) == [7])
            #expect(document.incidents.first?.title == "Cổng mạng")
            #expect(document.resolvedIncidents.map(\.id) == [5])
            #expect(document.resolvedIncidents.first?.acknowledgedBy == "an.nguyen")
            #expect(document.scheduledMaintenances.map(\.active) == [true, false])
            #expect(document.scheduledMaintenances.first?.createdBy == "binh.tran")

            // snake_case keys on the wire, as status-page clients read them
            let json = try response.json()
            #expect(Set(json.keys) == ["page", "status", "components", "groups", "incidents", "resolved_incidents", "scheduled_maintenances"])
            let component = try #require((json["components"] as? [[String: Any]])?.first)
            #expect(component["last_checked_at"] as? String == "2026-12-04T15:59:40Z")
            #expect(component["status"] as? String == "operational")
        }
    }

    @Test func englishSnapshotAndIndicatorRules() {
        #expect(StatusDocument(snapshot: Fixture.snapshot(language: "en")).status.description == "Some services are down")
        var allUp = Fixture.snapshot(language: "en")
        allUp.services = allUp.services.map { var service = $0; service.state = .up; return service }
        #expect(StatusDocument(snapshot: allUp).status == .init(indicator: .none, description: "All systems operational"))
        allUp.services[0].state = .maintenance
        #expect(StatusDocument(snapshot: allUp).status.indicator == .maintenance)
        allUp.services[1].state = .degraded
        #expect(StatusDocument(snapshot: allUp).status.indicator == .minor)
        allUp.services = allUp.services.map { var service = $0; service.state = .down; return service }
        allUp.services[0].state = .unknown
        #expect(StatusDocument(snapshot: allUp).status.indicator == .critical)
        #expect(StatusDocument(snapshot: allUp).groups.first?.status == .majorOutage)
    }

    @Test func serviceDetailAndUnknownService() async throws {
        let source = FixtureSource(Fixture.snapshot())
        try await TestServer.with(source) { server in
            let response = try await server.request("GET", "/api/v1/services/gateway")
            #expect(response.status == 200)
            let detail = try HealthJSON.decoder().decode(ServiceDetailDocument.self, from: Data(response.body))
            #expect(detail.component.status == .majorOutage)
            #expect(detail.incident?.cause == "connection refused by 10.0.0.1:443")
            #expect(detail.lastResult?.detail == "connection refused by 10.0.0.1:443")
            #expect(detail.maintenance.map(\.reason) == ["Bảo trì định kỳ hằng tuần"])

            let imap = try HealthJSON.decoder().decode(ServiceDetailDocument.self, from: Data(try await server.request("GET", "/api/v1/services/mail-imap").body))
            #expect(imap.maintenance.map(\.reason) == ["Nâng cấp Dovecot", "Bảo trì định kỳ hằng tuần"])

            for path in ["/api/v1/services/nosuch", "/api/v1/services/nosuch/history?from=2026-12-01&to=2026-12-02", "/api/v1/services/nosuch/sla?from=2026-12-01&to=2026-12-02"] {
                let missing = try await server.request("GET", path)
                #expect(missing.status == 404, "\(path)")
                #expect(try missing.error().error.contains("no service named nosuch"))
            }
            #expect(source.state.withLock { $0.historyCalls.isEmpty && $0.slaCalls.isEmpty })
        }
    }

    @Test func historyAndSLATakeInstantsOrLocalDays() async throws {
        let source = FixtureSource(Fixture.snapshot())
        try await TestServer.with(source) { server in
            let sla = try await server.request("GET", "/api/v1/services/portal/sla?from=2026-11-01&to=2026-11-30")
            #expect(sla.status == 200)
            let figure = try HealthJSON.decoder().decode(SLADocument.self, from: Data(sla.body))
            // days are local (Asia/Ho_Chi_Minh, +07:00) and `to`'s day is included
            #expect(figure.from == (try Date("2026-10-31T17:00:00Z", strategy: .iso8601)))
            #expect(figure.to == (try Date("2026-11-30T17:00:00Z", strategy: .iso8601)))
            #expect(figure.ratio == 0.95)
            #expect(try sla.json()["maintenance_seconds"] as? Double == 100)

            let history = try await server.request("GET", "/api/v1/services/portal/history?from=2026-12-05T00:00:00Z&to=2026-12-05T15:00:00+07:00&limit=1")
            #expect(history.status == 200)
            let document = try HealthJSON.decoder().decode(HistoryDocument.self, from: Data(history.body))
            #expect(document.results.count == 1)
            #expect(document.results.first?.httpStatus == 503)
            let call = try #require(source.state.withLock { $0.historyCalls.last })
            #expect(call.0 == "portal")
            #expect(call.2 == (try Date("2026-12-05T08:00:00Z", strategy: .iso8601)))
            #expect(call.3 == 1)

            let escaped = try await server.request("GET", "/api/v1/services/portal/sla?from=2026-12-05T00%3A00%3A00.250Z&to=2026-12-06")
            #expect(escaped.status == 200)
        }
    }

    @Test(arguments: [
        ("/api/v1/services/portal/sla?to=2026-11-30", "from"),
        ("/api/v1/services/portal/sla?from=2026-11-01", "to"),
        ("/api/v1/services/portal/sla?from=yesterday&to=2026-11-30", "from"),
        ("/api/v1/services/portal/sla?from=2026-11-01&to=2026-02-30", "to"),
        ("/api/v1/services/portal/sla?from=2026-11-01T00:00:00&to=2026-11-30", "from"),
        ("/api/v1/services/portal/sla?from=2026-11-30&to=2026-11-01", "to"),
        ("/api/v1/services/portal/sla?from=2026-11-01&to=2026-11-30&form=x", "form"),
        ("/api/v1/services/portal/sla?from=2026-11-01&from=2026-11-02&to=2026-11-30", "from"),
        ("/api/v1/services/portal/history?from=2026-11-01&to=2026-11-30&limit=0", "limit"),
        ("/api/v1/services/portal/history?from=2026-11-01&to=2026-11-30&limit=ten", "limit"),
        ("/api/v1/services/portal/history?from=%ZZ&to=2026-11-30", "from"),
        ("/metrics?debug=1", "debug"),
        ("/?lang=fr", "lang"),
        ("/?refresh=sometimes", "refresh"),
    ])
    func badQueryParametersAre400NamingTheParameter(path: String, parameter: String) async throws {
        let source = FixtureSource(Fixture.snapshot())
        try await TestServer.with(source) { server in
            let response = try await server.request("GET", path)
            #expect(response.status == 400, "\(path): \(response.text)")
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            let error = try response.error()
            #expect(error.status == 400)
            #expect(error.parameter == parameter, "\(path): \(error.error)")
            #expect(error.error.contains(parameter))
            #expect(source.state.withLock { $0.historyCalls.isEmpty && $0.slaCalls.isEmpty })
        }
    }

    @Test func unknownPathsAre404AndWrongMethods405WithAllow() async throws {
        try await TestServer.with(FixtureSource(Fixture.snapshot())) { server in
            for path in ["/nosuch", "/metrics/", "/api/v1", "/api/v1/services/", "/api/v1/services/portal/uptime", "/api/v1/services/portal/sla/x"] {
                let response = try await server.request("GET", path)
                #expect(response.status == 404, "\(path)")
                #expect(try response.error().status == 404)
            }
            for (method, path, allow) in [
                ("POST", "/metrics", "GET, HEAD"), ("DELETE", "/api/v1/status", "GET, HEAD"), ("PUT", "/", "GET, HEAD"),
                ("GET", "/api/v1/maintenance", "POST"), ("POST", "/api/v1/services/portal", "GET, HEAD"),
            ] {
                let response = try await server.request(method, path, body: method == "GET" ? nil : "")
                #expect(response.status == 405, "\(method) \(path)")
                #expect(response.header("Allow") == allow)
            }
        }
    }

    @Test func headAnswersTheHeadersOfGetWithoutABody() async throws {
        try await TestServer.with(FixtureSource(Fixture.snapshot())) { server in
            let get = try await server.request("GET", "/metrics")
            let head = try await server.request("HEAD", "/metrics")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == String(get.body.count))
            #expect(head.header("Content-Type") == get.header("Content-Type"))
        }
    }

    @Test func gracefulShutdownStopsServingAndFreesThePort() async throws {
        let server = try await TestServer.start(FixtureSource(Fixture.snapshot()))
        #expect(try await server.request("GET", "/livez").status == 200)
        try await server.stop()
        await #expect(throws: (any Error).self) { try await server.request("GET", "/livez") }
    }
}
