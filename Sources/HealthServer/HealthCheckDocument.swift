import Foundation
import HealthMonitor

/// `GET /health`: the daemon's own health as `application/health+json`
/// (draft-inadarei-api-health-check): `status` pass|warn|fail and `checks` keyed
/// `component:measurement`. It describes the monitor only: a monitored service being down
/// never makes it warn or fail.
struct HealthCheckDocument: Encodable {
    /// The media type.
    static let contentType = "application/health+json"

    /// pass, warn or fail; fail answers 503, the others 200.
    enum Status: String, Encodable {
        case pass, warn, fail

        /// The worse of two.
        func worse(_ other: Status) -> Status {
            let order: [Status] = [.pass, .warn, .fail]
            return (order.firstIndex(of: other) ?? 0) > (order.firstIndex(of: self) ?? 0) ? other : self
        }
    }

    /// One measurement of one component.
    struct Check: Encodable {
        var componentType: String
        var observedValue: Observed
        var observedUnit: String?
        var status: Status
        var time: Date
        var output: String?
    }

    /// A check's observed value: a number, a boolean or text.
    enum Observed: Encodable {
        case number(Double)
        case bool(Bool)
        case text(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .text(let value): try container.encode(value)
            }
        }
    }

    var status: Status
    var version: String
    var releaseId: String
    var serviceId: String
    var description: String
    var output: String?
    var checks: [String: [Check]]

    /// The document of a snapshot's daemon part. The scheduler warns when it starts probes later
    /// than the shortest probe interval (it cannot keep up); the history file not taking writes
    /// fails; a refused configuration reload warns (the previous one keeps running); alerts
    /// waiting in the outbox warn.
    init(snapshot: MonitorSnapshot) {
        let daemon = snapshot.daemon
        let now = snapshot.generatedAt
        let shortestInterval = snapshot.services.map(\.intervalSeconds).min() ?? 60
        var checks: [String: [Check]] = [:]
        checks["uptime"] = [
            Check(componentType: "system", observedValue: .number(max(0, now.timeIntervalSince(daemon.startedAt)).rounded()), observedUnit: "s", status: .pass, time: now)
        ]
        checks["config:reload"] = [
            Check(
                componentType: "component", observedValue: .bool(daemon.configError == nil), observedUnit: nil,
                status: daemon.configError == nil ? .pass : .warn, time: daemon.configLoadedAt,
                output: daemon.configError.map { "reload refused, the configuration loaded before keeps running: \($0)" })
        ]
        checks["history:writable"] = [
            Check(
                componentType: "datastore", observedValue: .bool(daemon.historyWritable), observedUnit: nil,
                status: daemon.historyWritable ? .pass : .fail, time: now, output: daemon.historyWritable ? nil : (daemon.historyError ?? "the history file refused the last write"))
        ]
        let lagging = daemon.schedulerLagSeconds >= shortestInterval
        checks["scheduler:lag"] = [
            Check(
                componentType: "component", observedValue: .number(daemon.schedulerLagSeconds), observedUnit: "s", status: lagging ? .warn : .pass, time: now,
                output: lagging ? "probes start \(daemon.schedulerLagSeconds) s late, more than the shortest interval (\(shortestInterval) s)" : nil)
        ]
        checks["probes:inFlight"] = [
            Check(componentType: "component", observedValue: .number(Double(daemon.probesInFlight)), observedUnit: "probes", status: .pass, time: now)
        ]
        checks["alerts:queued"] = [
            Check(
                componentType: "component", observedValue: .number(Double(daemon.alertsQueued)), observedUnit: "mails", status: daemon.alertsQueued > 0 ? .warn : .pass,
                time: now, output: daemon.alertsQueued > 0 ? "\(daemon.alertsQueued) alert mails wait in the outbox: is the mail relay reachable?" : nil)
        ]
        let status = checks.values.flatMap { $0 }.map(\.status).reduce(Status.pass) { $0.worse($1) }
        self.status = status
        self.version = "1"
        self.releaseId = daemon.version
        self.serviceId = "healthd"
        self.description = "healthd, the Switchboard service monitor"
        self.output = status == .pass ? nil : checks.keys.sorted().compactMap { key in checks[key]?.first?.output.map { "\(key): \($0)" } }.joined(separator: "; ")
        self.checks = checks
    }
}
