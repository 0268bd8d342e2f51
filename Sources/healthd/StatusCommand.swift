import ArgumentParser
import Foundation
import HealthMonitor
import HealthServer
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore
import Transport

/// `healthd status`: every service's state, in the terminal.
struct StatusCommand: HealthdCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every service's state: from the running daemon, else from the recorded results.",
        discussion: """
            Asks the daemon on health.listen (GET /api/v1/status). When it does not
            answer, shows what is recorded instead: each service's last result in the
            history file and the open incidents in the directory, and says so.

            Examples:
              healthd status
              healthd status --recorded          # do not ask the daemon
              healthd status --json | jq '.components[] | select(.status != "operational")'
            """)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Read the history file and the directory; do not ask the daemon.") var recorded = false
    @Option(help: ArgumentHelp("Ask the daemon at this address (default: health.listen).", valueName: "host:port")) var daemon: String?

    func run(in context: CommandContext) async throws {
        try context.session.authorize(.healthRead, target: "health")
        let settings = try context.healthSettings
        var document: StatusDocument?
        var source = ""
        if !recorded {
            let address = daemon ?? Self.askable(settings)
            do {
                document = try await Self.fetch(address)
                source = "daemon at \(address)"
            } catch {
                source = "recorded results: the daemon did not answer at \(address) (\(error))"
            }
        }
        if document == nil {
            document = try Self.recordedDocument(settings: settings, session: context.session)
            if source.isEmpty { source = "recorded results" }
        }
        guard let document else { return }
        if global.json {
            let data = try HealthJSON.encoder().encode(document)
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        Console.error("healthd: \(source)")
        let zone = settings.timeZone
        let rows = document.components.map { component -> [String] in
            [component.name, component.group, Self.word(component.state) + (component.suppressedBy.map { " (via \($0))" } ?? ""),
             component.since.map { Timestamp.display(Timestamp.format($0), zone: zone) } ?? "-",
             component.lastCheckedAt.map { Timestamp.display(Timestamp.format($0), zone: zone, seconds: true) } ?? "-",
             component.sla["30d"].map { String(format: "%.3f%%", $0 * 100) } ?? "-",
             component.lastDetail ?? ""]
        }
        Console.table(["SERVICE", "GROUP", "STATE", "SINCE", "LAST CHECK", "30 DAYS", "DETAIL"], rows)
        let open = document.incidents
        if !open.isEmpty {
            Console.out("")
            Console.out("open incidents:")
            for incident in open {
                Console.out("  #\(incident.id) \(incident.service) \(incident.severity.rawValue) since "
                            + "\(Timestamp.display(Timestamp.format(incident.startedAt), zone: zone)): \(incident.cause)"
                            + (incident.acknowledgedBy.map { " (acknowledged by \($0))" } ?? ""))
            }
        }
        Console.out("")
        Console.out("overall: \(document.status.description)")
    }

    /// The address to ask: health.listen, with a wildcard bind asked on loopback.
    static func askable(_ settings: HealthSettings) -> String {
        switch settings.listenHost {
        case "0.0.0.0", "": "127.0.0.1:\(settings.listenPort)"
        case "::": "[::1]:\(settings.listenPort)"
        default: settings.listen
        }
    }

    /// GET /api/v1/status from the daemon.
    static func fetch(_ address: String) async throws -> StatusDocument {
        let response = try await CurlHTTPClient().send(HTTPRequest(url: "http://\(address)/api/v1/status", timeout: .seconds(3)))
        guard response.status == 200 else { throw MonitorError(.unavailable, "HTTP \(response.status)") }
        return try HealthJSON.decoder().decode(StatusDocument.self, from: Data(response.body))
    }

    /// What the history file and the directory say: each service's last result (its state as
    /// that result, or maintenance), the open incidents.
    static func recordedDocument(settings: HealthSettings, session: Session) throws -> StatusDocument {
        let history = try settings.readHistory()
        let last = try history.lastResults()
        // Only this configuration's services (several instances may share one directory).
        let names = Set(settings.services.map(\.name))
        let incidents = try IncidentLog(session: session).openIncidents().filter { names.contains($0.service) }
        let now = Date()
        let calendar = MaintenanceCalendar(windows: settings.allMaintenanceWindows
                                           + (try MaintenanceBook(session: session).stored(activeOrAfter: now)))
        let services = settings.services.map { service -> ServiceSnapshot in
            let result = last[service.name]
            let state: ServiceState
            if calendar.active(for: service.name, at: now) != nil {
                state = .maintenance
            } else if let result, now.timeIntervalSince(result.at) <= 2 * service.interval.inSeconds + service.timeout.inSeconds {
                state = ServiceState(rawValue: result.outcome.rawValue) ?? .unknown
            } else {
                state = .unknown
            }
            let incident = incidents.first { $0.service == service.name }
            return ServiceSnapshot(
                name: service.name, title: service.title, group: service.group, kind: service.kind, target: service.target, state: state,
                since: incident?.startedAt, lastResult: result, incident: incident, suppressedBy: incident?.suppressedBy,
                dependsOn: service.dependsOn, owners: service.owners.map(\.description), intervalSeconds: service.interval.inSeconds,
                sla: (try? history.sla(service: service.name, from: now.addingTimeInterval(-30 * 86_400), to: now, now: now).ratio)
                    .flatMap { $0 }.map { ["30d": $0] } ?? [:])
        }
        let snapshot = MonitorSnapshot(
            generatedAt: now, title: settings.title, language: settings.language, timeZone: settings.timeZone, services: services,
            incidents: incidents, maintenance: calendar.entries(from: now, to: now.addingTimeInterval(7 * 86_400)),
            daemon: DaemonHealth(startedAt: now, configLoadedAt: now, configFile: settings.configFile ?? "", historyWritable: true,
                                 schedulerLagSeconds: 0, probesTotal: [:], probesInFlight: 0, alertsQueued: 0, version: SwitchboardVersion.current))
        return StatusDocument(snapshot: snapshot)
    }

    /// The state as a word (never colour alone).
    static func word(_ state: ServiceState) -> String {
        switch state {
        case .up: "up"
        case .degraded: "DEGRADED"
        case .down: "DOWN"
        case .maintenance: "maintenance"
        case .unknown: "unknown"
        }
    }
}
