import Foundation
import HealthMonitor

/// `GET /metrics`: a snapshot in the Prometheus text format. The per-service families use
/// blackbox_exporter's names (`probe_success`, `probe_duration_seconds`, `probe_http_status_code`,
/// `probe_ssl_earliest_cert_expiry`) so its dashboards and alert rules work unchanged; the
/// daemon's own are `healthd_*`. Labels stay low-cardinality: service, group, kind, state,
/// window, result, version; never a target, a detail or a secret.
enum MetricsRenderer {
    /// The exposition's content type.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The text of `snapshot`.
    static func render(_ snapshot: MonitorSnapshot) -> String {
        let services = snapshot.services
        var out = PrometheusText(reservingCapacity: 1_024 + services.count * 1_100)
        let identity: [(ServiceSnapshot, [(String, String)])] = services.map {
            ($0, [("service", $0.name), ("group", $0.group), ("kind", $0.kind.rawValue)])
        }
        let probed = identity.filter { $0.0.lastResult != nil }

        out.family("probe_success", .gauge, help: "Whether the last probe of the service succeeded (1: up or degraded, 0: down).")
        for (service, labels) in probed {
            out.sample("probe_success", labels, service.lastResult?.outcome == .down ? 0 : 1)
        }
        out.family("probe_duration_seconds", .gauge, help: "How long the last probe of the service took, in seconds.")
        for (service, labels) in probed {
            out.sample("probe_duration_seconds", labels, service.lastResult?.durationSeconds ?? 0)
        }
        out.family("probe_http_status_code", .gauge, help: "The HTTP status the last probe of the service got.")
        for (service, labels) in probed {
            if let status = service.lastResult?.httpStatus { out.sample("probe_http_status_code", labels, Double(status)) }
        }
        out.family("probe_ssl_earliest_cert_expiry", .gauge, help: "When the certificate the last probe of the service saw expires, in Unix seconds.")
        for (service, labels) in probed {
            if let expiry = service.lastResult?.certificateExpiry {
                out.sample("probe_ssl_earliest_cert_expiry", labels, expiry.timeIntervalSince1970.rounded())
            }
        }

        out.family("healthd_service_state", .gauge, help: "The state of the service: 1 for the state it is in, 0 for the others.")
        for (service, labels) in identity {
            for state in ServiceState.allCases {
                out.sample("healthd_service_state", labels + [("state", state.rawValue)], service.state == state ? 1 : 0)
            }
        }
        out.family("healthd_service_state_since_timestamp_seconds", .gauge, help: "Since when the service is in its state, in Unix seconds.")
        for (service, labels) in identity {
            if let since = service.since { out.sample("healthd_service_state_since_timestamp_seconds", labels, since.timeIntervalSince1970.rounded()) }
        }
        out.family("healthd_sla_ratio", .gauge, help: "Time-weighted availability of the service over the window (0 to 1), maintenance excluded.")
        for service in services {
            for window in service.sla.keys.sorted() {
                if let ratio = service.sla[window] { out.sample("healthd_sla_ratio", [("service", service.name), ("window", window)], ratio) }
            }
        }
        out.family("healthd_services", .gauge, help: "How many services are in each state.")
        var counts: [ServiceState: Int] = [:]
        for service in services { counts[service.state, default: 0] += 1 }
        for state in ServiceState.allCases {
            out.sample("healthd_services", [("state", state.rawValue)], Double(counts[state] ?? 0))
        }
        out.family("healthd_incidents_open", .gauge, help: "How many incidents are open.")
        out.sample("healthd_incidents_open", [], Double(snapshot.incidents.filter { $0.endedAt == nil }.count))

        let daemon = snapshot.daemon
        out.family("healthd_probes_total", .counter, help: "Probes finished since the daemon started, by result.")
        for outcome in ProbeOutcome.allCases {
            out.sample("healthd_probes_total", [("result", outcome.rawValue)], Double(daemon.probesTotal[outcome] ?? 0))
        }
        out.family("healthd_probes_in_flight", .gauge, help: "Probes running now.")
        out.sample("healthd_probes_in_flight", [], Double(daemon.probesInFlight))
        out.family("healthd_scheduler_lag_seconds", .gauge, help: "How late the scheduler started its last probes, in seconds.")
        out.sample("healthd_scheduler_lag_seconds", [], daemon.schedulerLagSeconds)
        out.family("healthd_alerts_queued", .gauge, help: "Alert mails waiting in the outbox.")
        out.sample("healthd_alerts_queued", [], Double(daemon.alertsQueued))
        out.family("healthd_history_writable", .gauge, help: "Whether the history file took the last write (1) or not (0).")
        out.sample("healthd_history_writable", [], daemon.historyWritable ? 1 : 0)
        out.family("healthd_config_last_reload_successful", .gauge, help: "Whether the last configuration reload worked (1) or was refused (0).")
        out.sample("healthd_config_last_reload_successful", [], daemon.configError == nil ? 1 : 0)
        out.family("healthd_config_last_reload_success_timestamp_seconds", .gauge, help: "When the running configuration was loaded, in Unix seconds.")
        out.sample("healthd_config_last_reload_success_timestamp_seconds", [], daemon.configLoadedAt.timeIntervalSince1970.rounded())
        out.family("healthd_start_time_seconds", .gauge, help: "When the daemon started, in Unix seconds.")
        out.sample("healthd_start_time_seconds", [], daemon.startedAt.timeIntervalSince1970.rounded())
        out.family("healthd_up", .gauge, help: "1 while the daemon serves its metrics.")
        out.sample("healthd_up", [], 1)
        out.family("healthd_build_info", .gauge, help: "The version of the running daemon, in the label.")
        out.sample("healthd_build_info", [("version", daemon.version)], 1)
        return out.text
    }
}
