import Foundation
import SwitchboardTestSupport
import Testing

/// The operations files shipped for healthd (ops/prometheus, ops/grafana, ops/systemd) as their
/// own tools read them: Prometheus's promtool (Debian `prometheus`), systemd-analyze, a JSON parser.
@Suite struct OpsFilesTests {
    static let prometheusDir = Repository.path("ops/prometheus")
    static let unitFile = Repository.path("ops/systemd/healthd.service")
    static let dashboardFile = Repository.path("ops/grafana/healthd-dashboard.json")

    /// The metrics healthd serves that dashboards and rules are built on (blackbox's names and its own).
    static let healthdMetrics = [
        "probe_success", "probe_duration_seconds", "probe_http_status_code", "probe_ssl_earliest_cert_expiry",
        "healthd_service_state", "healthd_probes_total", "healthd_scheduler_lag_seconds", "healthd_sla_ratio", "healthd_up",
    ]

    static func promtool() throws -> String {
        for candidate in ["/usr/bin/promtool", "/usr/local/bin/promtool"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw TestSetupError("promtool is missing: install the Debian package prometheus (make deps installs it)")
    }

    static let systemdAnalyze = "/usr/bin/systemd-analyze"

    /// promtool's verdict on a file, with what it printed when it is not a success.
    static func promtool(_ arguments: [String]) throws -> CommandRun {
        let run = try ProcessRunner.run(try promtool(), arguments, in: prometheusDir)
        #expect(run.status == 0, "promtool \(arguments.joined(separator: " ")) failed (exit \(run.status)): \(run.stdout) \(run.stderr)")
        return run
    }

    @Test func prometheusConfigIsValidAndLoadsTheRules() throws {
        let run = try Self.promtool(["check", "config", "prometheus.yml"])
        #expect(run.stdout.contains("SUCCESS: 1 rule files found"), "prometheus.yml should load healthd-rules.yml: \(run.stdout)")
        // Several healthd instances, and `instance` relabelled.
        let config = try String(contentsOfFile: Self.prometheusDir + "/prometheus.yml", encoding: .utf8)
        let healthdTargets = config.components(separatedBy: "\n").filter { $0.contains(":9470") }
            .flatMap { $0.components(separatedBy: ",") }.filter { $0.contains(":9470") }
        #expect(healthdTargets.count >= 2, "prometheus.yml should scrape several healthd instances")
        #expect(config.contains("target_label: instance"))
    }

    @Test func alertRulesAreValidAndCoverTheDaemonsMetrics() throws {
        let run = try Self.promtool(["check", "rules", "healthd-rules.yml"])
        #expect(run.stdout.contains("SUCCESS"))
        let rules = try String(contentsOfFile: Self.prometheusDir + "/healthd-rules.yml", encoding: .utf8)
        for metric in ["probe_success", "probe_ssl_earliest_cert_expiry", "healthd_sla_ratio", "healthd_up", "healthd_scheduler_lag_seconds"] {
            #expect(rules.contains(metric), "healthd-rules.yml has no rule on \(metric)")
        }
    }

    /// The rules fire when they must and stay silent otherwise (maintenance, a healthy service,
    /// a certificate with 30 days left): healthd-rules.test.yml, run by promtool.
    @Test func alertRulesPassTheirUnitTests() throws {
        let run = try Self.promtool(["test", "rules", "healthd-rules.test.yml"])
        #expect(run.stdout.contains("SUCCESS"), "\(run.stdout)")
        #expect(!run.stdout.contains("FAILED"), "\(run.stdout)")
    }

    /// A rule file whose expectations are wrong must fail: the unit tests can fail.
    @Test func aBrokenRuleFailsItsUnitTests() throws {
        let folder = try ScratchFolder.make("healthd-rules")
        defer { if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) } }
        let rules = try String(contentsOfFile: Self.prometheusDir + "/healthd-rules.yml", encoding: .utf8)
        // Maintenance no longer silences a failing service.
        let broken = rules.replacingOccurrences(of: "unless on (instance, service)", with: "or on (instance, service)")
        #expect(broken != rules)
        try broken.write(toFile: folder + "/healthd-rules.yml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Self.prometheusDir + "/healthd-rules.test.yml", toPath: folder + "/healthd-rules.test.yml")
        let run = try ProcessRunner.run(try Self.promtool(), ["test", "rules", "healthd-rules.test.yml"], in: folder)
        #expect(run.status != 0)
        #expect((run.stdout + run.stderr).contains("HealthdServiceDown"), "\(run.stdout) \(run.stderr)")
    }

    /// The unit as a reader checks it: the hardening the issue asks for is there.
    @Test func systemdUnitIsHardened() throws {
        let unit = try String(contentsOfFile: Self.unitFile, encoding: .utf8)
        var settings: [String: [String]] = [:]
        for line in unit.components(separatedBy: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        let expected: [String: String] = [
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "CapabilityBoundingSet": "",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "SystemCallFilter": "@system-service",
            "ReadWritePaths": "/var/lib/switchboard", "ExecReload": "/bin/kill -HUP $MAINPID", "Group": "switchboard",
        ]
        for (key, value) in expected {
            #expect(settings[key]?.contains(value) == true, "healthd.service: \(key)=\(value) expected, found \(settings[key] ?? [])")
        }
        #expect(settings["TimeoutStopSec"]?.isEmpty == false, "healthd.service needs TimeoutStopSec")
        #expect(settings["ExecStart"]?.first?.hasSuffix("healthd serve") == true)
    }

    /// systemd's own check, where systemd is installed, with ExecStart pointing at the built
    /// healthd (systemd-analyze refuses a unit whose program does not exist).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: OpsFilesTests.systemdAnalyze)))
    func systemdAnalyzeVerifiesTheUnit() throws {
        let folder = try ScratchFolder.make("healthd-unit")
        defer { if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) } }
        let healthd = ProcessRunner.product("healthd")
        #expect(FileManager.default.isExecutableFile(atPath: healthd), "build healthd first (swift build --build-tests)")
        let unit = try String(contentsOfFile: Self.unitFile, encoding: .utf8)
        try unit.replacingOccurrences(of: "/usr/local/bin/healthd", with: healthd)
            .write(toFile: folder + "/healthd.service", atomically: true, encoding: .utf8)
        let run = try ProcessRunner.run(Self.systemdAnalyze, ["verify", "--man=no", folder + "/healthd.service"])
        #expect(run.status == 0, "systemd-analyze verify failed (exit \(run.status)): \(run.stderr)")
        // An unknown or misspelt key is only a warning ("Unknown key ..., ignoring"): fail on it too.
        let aboutUnit = run.stderr.components(separatedBy: "\n").filter { $0.contains("healthd.service") }
        #expect(aboutUnit.isEmpty, "systemd-analyze complains about the unit: \(aboutUnit.joined(separator: "\n"))")
    }

    /// The dashboard is valid JSON Grafana imports, every panel queries Prometheus with a valid
    /// PromQL expression (checked by promtool as recording rules, the variables filled in), every
    /// variable used is defined, and the daemon's metrics all appear.
    @Test func grafanaDashboardParsesAndItsQueriesAreValid() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.dashboardFile))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "the dashboard is not a JSON object")
        #expect((dashboard["title"] as? String)?.isEmpty == false)
        #expect((dashboard["uid"] as? String)?.isEmpty == false)
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == panels.count && Set(ids).count == ids.count, "every panel needs a unique id")
        let templating = dashboard["templating"] as? [String: Any]
        let variables = Set(((templating?["list"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })

        var expressions: [String] = []
        for panel in panels where panel["type"] as? String != "row" {
            let title = panel["title"] as? String ?? "?"
            #expect(panel["gridPos"] is [String: Any], "panel \(title) has no gridPos")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "panel \(title) has no query")
            for target in targets {
                let expression = try #require(target["expr"] as? String, "panel \(title) has a target without expr")
                expressions.append(expression)
            }
        }
        let allText = expressions.joined(separator: "\n")
        for metric in Self.healthdMetrics {
            #expect(allText.contains(metric), "no panel shows \(metric)")
        }
        // Every $variable used is defined (Grafana's own $__ variables aside).
        let used = try Regex(#"\$([A-Za-z_][A-Za-z0-9_]*)"#)
        for match in allText.matches(of: used) {
            let name = String(allText[match.range].dropFirst())
            if name.hasPrefix("__") { continue }
            #expect(variables.contains(name), "the dashboard uses $\(name) but defines no such variable")
        }

        // promtool parses each expression as a recording rule.
        let folder = try ScratchFolder.make("healthd-dashboard")
        defer { if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) } }
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        for (number, expression) in expressions.enumerated() {
            let filled = expression.replacingOccurrences(of: "$__rate_interval", with: "5m")
                .replacingOccurrences(of: "$instance", with: ".*").replacingOccurrences(of: "$group", with: ".*")
                .replacingOccurrences(of: "$window", with: "30d")
            let quoted = String(decoding: try JSONSerialization.data(withJSONObject: filled, options: [.fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
            rules += "      - record: dashboard:panel\(number)\n        expr: \(quoted)\n"
        }
        try rules.write(toFile: folder + "/dashboard-rules.yml", atomically: true, encoding: .utf8)
        let run = try ProcessRunner.run(try Self.promtool(), ["check", "rules", folder + "/dashboard-rules.yml"])
        #expect(run.status == 0, "a dashboard query is not valid PromQL: \(run.stdout) \(run.stderr)")
    }
}
