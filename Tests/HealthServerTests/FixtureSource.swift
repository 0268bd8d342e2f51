import Foundation
import HealthMonitor
import Synchronization
import SwitchboardBase

/// A refusal the fixture source throws, with a category like the monitor's errors.
struct FixtureError: SwitchboardError {
    var category: ErrorCategory
    var description: String
}

/// A `HealthStatusSource` with fixture data the tests set, recording what the server asked of it.
final class FixtureSource: HealthStatusSource {
    struct State {
        var snapshot: MonitorSnapshot
        var readiness: [ReadinessCheck] = [
            ReadinessCheck(name: "config", ok: true, detail: "loaded"), ReadinessCheck(name: "history", ok: true, detail: "writable"),
        ]
        var uptime: [String: [DayUptime]] = [:]
        var planned: [(MaintenanceRequest, String)] = []
        var historyCalls: [(String, Date, Date, Int)] = []
        var slaCalls: [(String, Date, Date)] = []
        var planError: FixtureError?
        var snapshotCalls = 0
    }

    let state: Mutex<State>

    init(_ snapshot: MonitorSnapshot, uptime: [String: [DayUptime]] = [:]) {
        state = Mutex(State(snapshot: snapshot, uptime: uptime))
    }

    func snapshot() async -> MonitorSnapshot {
        state.withLock {
            $0.snapshotCalls += 1
            return $0.snapshot
        }
    }

    func history(service: String, from: Date, to: Date, limit: Int) async throws -> [ProbeResult] {
        state.withLock { $0.historyCalls.append((service, from, to, limit)) }
        return [
            ProbeResult(service: service, at: to.addingTimeInterval(-60), outcome: .down, durationSeconds: 2, detail: "HTTP 503, expected 200", httpStatus: 503),
            ProbeResult(service: service, at: to.addingTimeInterval(-120), outcome: .up, durationSeconds: 0.1, detail: "HTTP 200", httpStatus: 200),
        ].filter { $0.at >= from }.prefix(limit).map { $0 }
    }

    func sla(service: String, from: Date, to: Date) async throws -> SLAFigure {
        state.withLock { $0.slaCalls.append((service, from, to)) }
        return SLAFigure(service: service, from: from, to: to, upSeconds: 9_000, degradedSeconds: 500, downSeconds: 500, maintenanceSeconds: 100)
    }

    func uptimeDays(_ days: Int) async throws -> [String: [DayUptime]] {
        state.withLock { $0.uptime }
    }

    func planMaintenance(_ request: MaintenanceRequest, origin: String) async throws -> MaintenanceEntry {
        try state.withLock {
            if let error = $0.planError { throw error }
            $0.planned.append((request, origin))
            return MaintenanceEntry(id: Int64($0.planned.count), services: request.services, start: request.start, end: request.end, reason: request.reason, createdBy: "healthd-api")
        }
    }

    func readiness() async -> [ReadinessCheck] {
        state.withLock { $0.readiness }
    }
}

/// The fixture data: a Vietnamese page with services in every state.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_796_400_000)  // 2026-12-04T16:00:00Z
    static let zone = "Asia/Ho_Chi_Minh"

    static func daemon(historyWritable: Bool = true, lag: Double = 0.2) -> DaemonHealth {
        DaemonHealth(
            startedAt: now.addingTimeInterval(-3_600), configLoadedAt: now.addingTimeInterval(-1_800), configFile: "/etc/switchboard/switchboard.yaml",
            historyWritable: historyWritable, historyError: historyWritable ? nil : "history file /var/lib/switchboard/health.sqlite: disk full",
            schedulerLagSeconds: lag, probesTotal: [.up: 1_200, .degraded: 30, .down: 45], probesInFlight: 3, alertsQueued: 0, version: "0.10.0")
    }

    static func service(
        _ name: String, title: String? = nil, group: String, kind: ProbeKind = .http, state: ServiceState, detail: String = "HTTP 200", outcome: ProbeOutcome? = nil,
        httpStatus: Int? = 200, certificate: Date? = nil, incident: IncidentRecord? = nil, suppressedBy: String? = nil, probed: Bool = true
    ) -> ServiceSnapshot {
        let result = ProbeResult(
            service: name, at: now.addingTimeInterval(-20), outcome: outcome ?? (state == .down ? .down : state == .degraded ? .degraded : .up), durationSeconds: 0.125,
            detail: detail, httpStatus: httpStatus, certificateExpiry: certificate, phases: ["connect": 0.01, "total": 0.125])
        return ServiceSnapshot(
            name: name, title: title ?? name, group: group, kind: kind, target: "https://\(name).example.vn/health", state: state,
            since: now.addingTimeInterval(-7_200), lastResult: probed ? result : nil, incident: incident, suppressedBy: suppressedBy, dependsOn: [], owners: ["helpdesk"],
            intervalSeconds: 30, sla: probed ? ["24h": 0.9981, "7d": 0.99953, "30d": 1] : [:])
    }

    static let gatewayIncident = IncidentRecord(
        id: 7, service: "gateway", severity: .down, startedAt: now.addingTimeInterval(-900), cause: "connection refused by 10.0.0.1:443", alertedAt: now.addingTimeInterval(-840))

    /// Services in every state, two groups, a hostile title and group (for escaping), an open
    /// incident, one resolved, one maintenance running and one coming.
    static func snapshot(language: String = "vi", historyWritable: Bool = true, at: Date = now) -> MonitorSnapshot {
        let services = [
            service("portal", title: "Cổng thông tin", group: "Cổng", state: .up, certificate: now.addingTimeInterval(40 * 86_400)),
            service("gateway", title: "Cổng mạng", group: "Cổng", kind: .tcp, state: .down, detail: "connection refused by 10.0.0.1:443", httpStatus: nil, incident: gatewayIncident),
            service("intranet", title: "Intranet <script>alert(1)</script> \"x\"", group: "Cổng", state: .down, detail: "timed out after 2 s \u{0600}<img onerror=alert(2)>", httpStatus: nil, suppressedBy: "gateway"),
            service("mail-smtp", title: "Thư điện tử (SMTP)", group: "Thư \"điện tử\"\\ns", kind: .smtp, state: .degraded, detail: "certificate expires in 5 days", httpStatus: nil,
                certificate: now.addingTimeInterval(5 * 86_400)),
            service("mail-imap", title: "Thư điện tử (IMAP)", group: "Thư \"điện tử\"\\ns", kind: .imap, state: .maintenance, httpStatus: nil),
            service("meet", title: "Họp trực tuyến", group: "Họp", state: .unknown, probed: false),
        ]
        let resolved = IncidentRecord(
            id: 5, service: "portal", severity: .degraded, startedAt: now.addingTimeInterval(-2 * 86_400), endedAt: now.addingTimeInterval(-2 * 86_400 + 600),
            cause: "response took 1.2 s, expected below 800 ms", ackedBy: "an.nguyen", ackedAt: now.addingTimeInterval(-2 * 86_400 + 120), ackNote: "đang xử lý")
        let maintenance = [
            MaintenanceEntry(id: 3, services: ["mail-imap"], start: now.addingTimeInterval(-600), end: now.addingTimeInterval(3_000), reason: "Nâng cấp Dovecot", createdBy: "binh.tran"),
            MaintenanceEntry(services: ["*"], start: now.addingTimeInterval(86_400), end: now.addingTimeInterval(90_000), reason: "Bảo trì định kỳ hằng tuần"),
        ]
        return MonitorSnapshot(
            generatedAt: at, title: "Trung tâm CNTT", language: language, timeZone: zone, services: services, incidents: [gatewayIncident, resolved],
            maintenance: maintenance, daemon: daemon(historyWritable: historyWritable))
    }

    /// 90 days of uptime for each service of `snapshot`: whole days up, with an outage on a few.
    static func uptime(for snapshot: MonitorSnapshot, days: Int = 90) -> [String: [DayUptime]] {
        var result: [String: [DayUptime]] = [:]
        for (serviceIndex, service) in snapshot.services.enumerated() where service.lastResult != nil {
            result[service.name] = (0..<days).map { index in
                let start = now.addingTimeInterval(Double(index - days + 1) * 86_400)
                let day = start.formatted(Date.ISO8601FormatStyle().year().month().day())
                let down: Double = (index + serviceIndex) % 17 == 0 ? 1_800 : index == days - 1 && service.state == .down ? 900 : 0
                let missing = serviceIndex == 0 && index < 10  // a service added 80 days ago: no data before
                return DayUptime(day: day, sla: SLAFigure(service: service.name, from: start, to: start.addingTimeInterval(86_400),
                    upSeconds: missing ? 0 : 86_400 - down, downSeconds: missing ? 0 : down, unknownSeconds: missing ? 86_400 : 0))
            }
        }
        return result
    }

    /// `count` services in 20 groups, all probed, some down: the size the performance goal names.
    static func large(count: Int, at: Date = now) -> MonitorSnapshot {
        let services = (0..<count).map { index in
            service(String(format: "svc-%04d", index), title: "Service \(index)", group: "Group \(index % 20)", kind: index % 3 == 0 ? .tls : .http,
                state: index % 50 == 0 ? .down : .up, certificate: index % 3 == 0 ? now.addingTimeInterval(30 * 86_400) : nil)
        }
        return MonitorSnapshot(
            generatedAt: at, title: "Load", language: "en", timeZone: zone, services: services, incidents: [], maintenance: [], daemon: daemon())
    }
}
