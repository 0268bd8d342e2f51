import ArgumentParser
import Foundation
import HealthMonitor
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore
import Transport

/// `healthd check`: probe once, as a Nagios/Icinga plugin.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Probe services once and exit with a Nagios code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).",
        discussion: """
            Probes the named services (all of them when none is named) once, right now,
            with their configured conditions, and prints the Nagios plugin format: the
            first line sums up, with performance data after `|`; then one line per service.
            Degraded (a warning condition failed) is WARNING, down is CRITICAL; a service
            that is not configured, or a configuration that does not load, is UNKNOWN.
            Needs neither the daemon nor the directory.

            Examples:
              healthd check portal
              healthd check mail-smtp mail-imap
              healthd check                   # every service
              # Icinga: command_line = "/usr/local/bin/healthd check $ARG1$"
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The services to probe (default: all).") var services: [String] = []

    func run() async throws {
        let settings: HealthSettings
        do {
            settings = try HealthSettings(try CommandContext.loadConfig(global))
        } catch {
            print("HEALTHD UNKNOWN - \(ExitStatus.oneLine(error))")
            throw ExitCode(NagiosStatus.unknown.rawValue)
        }
        var chosen: [ServiceDefinition] = []
        for name in services {
            guard let service = settings.services.first(where: { $0.name == name }) else {
                print("HEALTHD UNKNOWN - no service named \(Quoting.quoted(name)) in the health: section (configured: \(settings.services.map(\.name).joined(separator: ", ")))")
                throw ExitCode(NagiosStatus.unknown.rawValue)
            }
            chosen.append(service)
        }
        if chosen.isEmpty { chosen = settings.services }
        guard !chosen.isEmpty else {
            print("HEALTHD UNKNOWN - no service is configured in the health: section")
            throw ExitCode(NagiosStatus.unknown.rawValue)
        }
        let prober = CurlServiceProber(transport: try ProbeTransport())
        let results = await withTaskGroup(of: (Int, ProbeResult).self) { group in
            for (index, service) in chosen.enumerated() {
                group.addTask {
                    let start = Date()
                    let observation = await prober.observe(service)
                    return (index, ConditionEvaluator.evaluate(observation, for: service, at: start))
                }
            }
            var results = [ProbeResult?](repeating: nil, count: chosen.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
        let report = NagiosReport(services: chosen, results: results)
        for line in report.lines { print(line) }
        if report.status != .ok { throw ExitCode(report.status.rawValue) }
    }
}

/// Nagios plugin statuses.
enum NagiosStatus: Int32, Comparable {
    case ok = 0, warning = 1, critical = 2, unknown = 3

    static func < (lhs: NagiosStatus, rhs: NagiosStatus) -> Bool { lhs.severity < rhs.severity }

    /// UNKNOWN ranks below CRITICAL but above WARNING when summing up several services.
    private var severity: Int {
        switch self {
        case .ok: 0
        case .warning: 1
        case .unknown: 2
        case .critical: 3
        }
    }

    var word: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    init(_ outcome: ProbeOutcome) {
        switch outcome {
        case .up: self = .ok
        case .degraded: self = .warning
        case .down: self = .critical
        }
    }
}

/// The plugin output for a set of results.
struct NagiosReport {
    let status: NagiosStatus
    let lines: [String]

    init(services: [ServiceDefinition], results: [ProbeResult]) {
        let pairs = zip(services, results).map { ($0, $1) }
        status = pairs.map { NagiosStatus($0.1.outcome) }.max() ?? .unknown
        let perfdata = pairs.map { Self.perfdata($0.0, $0.1, prefix: pairs.count > 1) }.joined(separator: " ")
        let summary: String
        if pairs.count == 1, let (service, result) = pairs.first {
            summary = "\(Self.label(service.name)) \(status.word) - \(Self.clean(result.detail))"
        } else {
            let counts = Dictionary(grouping: pairs, by: { NagiosStatus($0.1.outcome) }).mapValues(\.count)
            let bad = pairs.filter { $0.1.outcome != .up }.map { "\($0.0.name): \(Self.clean($0.1.detail))" }
            summary = "HEALTHD \(status.word) - \(counts[.ok] ?? 0) of \(pairs.count) services OK"
                + (bad.isEmpty ? "" : "; " + bad.joined(separator: "; "))
        }
        var lines = ["\(summary) | \(perfdata)"]
        if pairs.count > 1 {
            lines += pairs.map { "\($0.0.name) \(NagiosStatus($0.1.outcome).word) - \(Self.clean($0.1.detail))" }
        }
        self.lines = lines
    }

    /// `PORTAL` from `portal`.
    static func label(_ name: String) -> String { name.uppercased() }

    /// The detail on one line, without the `|` that starts perfdata.
    static func clean(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "/").split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// `time=0.035s;0.8;;0 cert_days=5;14;;0` (warning and critical thresholds from the conditions).
    static func perfdata(_ service: ServiceDefinition, _ result: ProbeResult, prefix: Bool) -> String {
        let name = prefix ? "\(service.name)_" : ""
        var warnTime = "", critTime = "", warnDays = "", critDays = ""
        for condition in service.conditions {
            switch condition.check {
            case .responseTimeBelow(let limit):
                let text = String(format: "%.3f", limit.inSeconds)
                if condition.severity == .warning { warnTime = text } else { critTime = text }
            case .certificateValidDays(let days):
                if condition.severity == .warning { warnDays = "\(days):" } else { critDays = "\(days):" }
            default: break
            }
        }
        var parts = ["'\(name)time'=\(String(format: "%.6f", result.durationSeconds))s;\(warnTime);\(critTime);0;"]
        if let expiry = result.certificateExpiry {
            let days = Int((expiry.timeIntervalSince(result.at) / 86_400).rounded(.down))
            parts.append("'\(name)cert_days'=\(days);\(warnDays);\(critDays);;")
        }
        if let status = result.httpStatus { parts.append("'\(name)http_status'=\(status);;;;") }
        return parts.joined(separator: " ")
    }
}
