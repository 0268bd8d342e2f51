import Foundation
import HealthMonitor
import Testing

/// The state machine driven with injected times: every event the daemon would act on.
@Suite struct EngineTests {
    static let t0 = Date(timeIntervalSince1970: 1_796_000_000)

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static func service(_ name: String, dependsOn: [String] = [], failures: Int = 2, successes: Int = 2, interval: Int = 60) -> ServiceDefinition {
        ServiceDefinition(name: name, title: name.uppercased(), kind: .http, target: "http://127.0.0.1:9/\(name)", interval: .seconds(interval),
                          timeout: .seconds(10), dependsOn: dependsOn, failureThreshold: failures, successThreshold: successes)
    }

    static func result(_ name: String, _ outcome: ProbeOutcome, _ seconds: Double, _ detail: String? = nil) -> ProbeResult {
        ProbeResult(service: name, at: at(seconds), outcome: outcome, durationSeconds: 0.01,
                    detail: detail ?? (outcome == .up ? "HTTP 200" : outcome == .down ? "HTTP 503, expected 2xx" : "response took 900 ms, expected below 800ms"))
    }

    /// The mails an event list asks for.
    static func mails(_ events: [HealthEvent]) -> [HealthEvent] {
        events.filter {
            switch $0 {
            case .alert, .digest, .reminder: true
            case .resolved(_, _, _, let wasAlerted): wasAlerted
            default: false
            }
        }
    }

    static func alerts(_ events: [HealthEvent]) -> [String] {
        events.compactMap { if case let .alert(service, _, _) = $0 { service } else { nil } }
    }

    @Test func failureThresholdAlertsOnceFromTheFirstFailedProbeAndSuccessThresholdResolves() {
        var engine = HealthEngine(services: [Self.service("web")], reminderInterval: .seconds(3600))
        #expect(engine.record(Self.result("web", .up, -60), inMaintenance: false) == [.stateChanged(service: "web", from: .unknown, to: .up, at: Self.at(-60))])
        #expect(engine.record(Self.result("web", .down, 0), inMaintenance: false)
            == [.incidentOpened(service: "web", at: Self.at(0), severity: .down, cause: "HTTP 503, expected 2xx")])
        #expect(engine.view(of: "web")?.state == .up)
        #expect(engine.view(of: "web")?.incidentStart == Self.at(0))
        let confirmed = engine.record(Self.result("web", .down, 60, "connection refused by 127.0.0.1:9"), inMaintenance: false)
        #expect(confirmed == [
            .stateChanged(service: "web", from: .up, to: .down, at: Self.at(60)),
            .alert(service: "web", incidentStart: Self.at(0), cause: "connection refused by 127.0.0.1:9"),
        ])
        #expect(engine.view(of: "web")?.since == Self.at(60))
        var later: [HealthEvent] = []
        for minute in 2...5 { later += engine.record(Self.result("web", .down, Double(minute) * 60), inMaintenance: false) }
        #expect(later.isEmpty, "no second alert while it stays down: \(later)")
        #expect(engine.record(Self.result("web", .up, 360), inMaintenance: false).isEmpty)
        #expect(engine.view(of: "web")?.state == .down, "one good probe is below the success threshold")
        #expect(engine.record(Self.result("web", .up, 420), inMaintenance: false) == [
            .stateChanged(service: "web", from: .down, to: .up, at: Self.at(420)),
            .resolved(service: "web", incidentStart: Self.at(0), at: Self.at(420), wasAlerted: true),
        ])
        #expect(engine.view(of: "web")?.incidentStart == nil)
        let resolved = engine.notice(for: .resolved(service: "web", incidentStart: Self.at(0), at: Self.at(420), wasAlerted: true))
        #expect(resolved?.kind == .resolved && resolved?.cause == "HTTP 503, expected 2xx" && resolved?.resolvedAt == Self.at(420) && resolved?.state == .up)
    }

    @Test func aFlappingServiceKeepsOneIncidentAndIsNeverAlerted() {
        var engine = HealthEngine(services: [Self.service("web")], reminderInterval: .seconds(60))
        var events: [HealthEvent] = []
        for step in 0..<40 {
            events += engine.record(Self.result("web", step.isMultiple(of: 2) ? .down : .up, Double(step) * 60), inMaintenance: false)
            events += engine.tick(now: Self.at(Double(step) * 60 + 30))
        }
        #expect(Self.mails(events).isEmpty, "\(events)")
        #expect(events.filter { if case .incidentOpened = $0 { true } else { false } }.count == 1)
        #expect(engine.view(of: "web")?.state == .up)
        #expect(engine.view(of: "web")?.incidentStart == Self.at(0))
        // It settles: two good probes in a row end the incident, which was never mailed.
        let settled = engine.record(Self.result("web", .up, 40 * 60), inMaintenance: false)
        #expect(settled == [.resolved(service: "web", incidentStart: Self.at(0), at: Self.at(40 * 60), wasAlerted: false)])
    }

    @Test func thresholdsCountDegradedAndDownTogetherAndAnIncidentStartingDegradedEscalates() {
        var engine = HealthEngine(services: [Self.service("web")], reminderInterval: .seconds(3600))
        _ = engine.record(Self.result("web", .up, -60), inMaintenance: false)
        #expect(engine.record(Self.result("web", .degraded, 0), inMaintenance: false)
            == [.incidentOpened(service: "web", at: Self.at(0), severity: .degraded, cause: "response took 900 ms, expected below 800ms")])
        // One warning, then a hard failure: two failures in a row, not all warnings: down.
        #expect(engine.record(Self.result("web", .down, 60), inMaintenance: false) == [
            .incidentEscalated(service: "web", severity: .down),
            .stateChanged(service: "web", from: .up, to: .down, at: Self.at(60)),
            .alert(service: "web", incidentStart: Self.at(0), cause: "HTTP 503, expected 2xx"),
        ])
        // Down -> degraded takes failure_threshold warnings in a row.
        #expect(engine.record(Self.result("web", .degraded, 120), inMaintenance: false).isEmpty)
        #expect(engine.record(Self.result("web", .degraded, 180), inMaintenance: false)
            == [.stateChanged(service: "web", from: .down, to: .degraded, at: Self.at(180))])
        #expect(engine.view(of: "web")?.incidentSeverity == .down, "the incident keeps its worst severity")
    }

    @Test func warningsAloneMakeItDegradedAndAConfirmedHardFailureAlertsAgain() {
        var engine = HealthEngine(services: [Self.service("web")], reminderInterval: .seconds(3600))
        _ = engine.record(Self.result("web", .up, -60), inMaintenance: false)
        _ = engine.record(Self.result("web", .degraded, 0), inMaintenance: false)
        let degraded = engine.record(Self.result("web", .degraded, 60), inMaintenance: false)
        #expect(degraded == [
            .stateChanged(service: "web", from: .up, to: .degraded, at: Self.at(60)),
            .alert(service: "web", incidentStart: Self.at(0), cause: "response took 900 ms, expected below 800ms"),
        ])
        let down = engine.record(Self.result("web", .down, 120), inMaintenance: false)
        #expect(down == [
            .incidentEscalated(service: "web", severity: .down),
            .stateChanged(service: "web", from: .degraded, to: .down, at: Self.at(120)),
            .alert(service: "web", incidentStart: Self.at(0), cause: "HTTP 503, expected 2xx"),
        ])
        #expect(Self.mails(engine.record(Self.result("web", .down, 180), inMaintenance: false)).isEmpty)
    }

    /// Ten services behind one gateway, probed in `parentFirst` order each round.
    static func gatewayOutage(parentFirst: Bool) -> (events: [HealthEvent], children: [String]) {
        let children = (1...10).map { "app\($0)" }
        var engine = HealthEngine(services: [service("gateway")] + children.map { service($0, dependsOn: ["gateway"]) }, reminderInterval: .seconds(3600))
        var events: [HealthEvent] = []
        func round(_ index: Int, _ outcome: ProbeOutcome, childOutcome: ProbeOutcome? = nil) {
            let base = Double(index) * 60
            let parent = { events += engine.record(result("gateway", outcome, base + (parentFirst ? 0 : 30)), inMaintenance: false) }
            if parentFirst { parent() }
            for (offset, child) in children.enumerated() {
                events += engine.record(result(child, childOutcome ?? outcome, base + 1 + Double(offset), "timed out after 10 s waiting for \(child)"),
                                        inMaintenance: false)
            }
            if !parentFirst { parent() }
            events += engine.tick(now: at(base + 50))
        }
        round(0, .up)
        for index in 1...4 { round(index, .down) }
        for index in 5...7 { round(index, .up) }
        return (events, children)
    }

    @Test(arguments: [true, false])
    func aGatewayOutageSendsOneDigestListingTheTenChildrenAndNoChildAlert(parentFirst: Bool) {
        let (events, children) = Self.gatewayOutage(parentFirst: parentFirst)
        let digests = events.compactMap { if case let .digest(parent, start, _, affected) = $0 { (parent, start, affected) } else { nil } }
        #expect(digests.count == 1, "\(events)")
        #expect(digests.first?.0 == "gateway")
        #expect(digests.first?.1 == Self.at(60 + (parentFirst ? 0 : 30)), "the incident starts at the gateway's first failed probe")
        #expect(digests.first?.2 == children)
        #expect(Self.alerts(events).isEmpty, "no child (and no gateway) alert besides the digest: \(events)")
        let suppressed = events.compactMap { if case let .suppressed(service, by) = $0 { "\(service)<\(by)" } else { nil } }
        #expect(Set(suppressed) == Set(children.map { "\($0)<gateway" }))
        #expect(suppressed.count == children.count, "each child suppressed once")
        let resolved = events.compactMap { if case let .resolved(service, _, _, wasAlerted) = $0 { (service, wasAlerted) } else { nil } }
        #expect(resolved.count == 11)
        #expect(resolved.filter(\.1).map(\.0) == ["gateway"], "one resolved mail: the gateway's")
    }

    @Test func aChainOfAncestorsGoesIntoTheTopmostDigest() {
        var engine = HealthEngine(services: [Self.service("gateway"), Self.service("router", dependsOn: ["gateway"]), Self.service("app", dependsOn: ["router"])],
                                  reminderInterval: .seconds(3600))
        var events: [HealthEvent] = []
        for round in 0..<3 {
            for name in ["app", "router", "gateway"] { events += engine.record(Self.result(name, round == 0 ? .up : .down, Double(round * 60)), inMaintenance: false) }
        }
        #expect(Self.mails(events) == [.digest(parent: "gateway", incidentStart: Self.at(60), cause: "HTTP 503, expected 2xx", affected: ["router", "app"])])
        #expect(engine.view(of: "app")?.suppressedBy == "gateway")
    }

    @Test func aChildAlertsItselfWhenItsParentRecoveredBeforeTheChildsThreshold() {
        var engine = HealthEngine(services: [Self.service("gateway"), Self.service("app", dependsOn: ["gateway"])], reminderInterval: .seconds(3600))
        _ = engine.record(Self.result("gateway", .up, -60), inMaintenance: false)
        _ = engine.record(Self.result("app", .up, -59), inMaintenance: false)
        var events = engine.record(Self.result("gateway", .down, 0), inMaintenance: false)
        events += engine.record(Self.result("app", .down, 1), inMaintenance: false)
        events += engine.record(Self.result("gateway", .up, 60), inMaintenance: false)
        events += engine.record(Self.result("app", .down, 61), inMaintenance: false)
        #expect(Self.mails(events) == [.alert(service: "app", incidentStart: Self.at(1), cause: "HTTP 503, expected 2xx")])
        #expect(!events.contains { if case .suppressed = $0 { true } else { false } })
    }

    @Test func aParentThatRecoversBelowItsThresholdReleasesTheChildItSuppressed() {
        var engine = HealthEngine(services: [Self.service("gateway", failures: 3), Self.service("app", dependsOn: ["gateway"])], reminderInterval: .seconds(3600))
        _ = engine.record(Self.result("gateway", .up, -60), inMaintenance: false)
        _ = engine.record(Self.result("app", .up, -59), inMaintenance: false)
        var events = engine.record(Self.result("gateway", .down, 0), inMaintenance: false)
        events += engine.record(Self.result("app", .down, 1), inMaintenance: false)
        events += engine.record(Self.result("gateway", .down, 60), inMaintenance: false)
        let suppressed = engine.record(Self.result("app", .down, 61), inMaintenance: false)
        #expect(suppressed.contains(.suppressed(service: "app", by: "gateway")))
        #expect(Self.mails(events + suppressed).isEmpty)
        // The gateway answers again before its third failure: nothing explains app any more.
        let released = engine.record(Self.result("gateway", .up, 120), inMaintenance: false)
        #expect(Self.mails(released) == [.alert(service: "app", incidentStart: Self.at(1), cause: "HTTP 503, expected 2xx")])
        #expect(engine.view(of: "app")?.suppressedBy == nil)
    }

    @Test func aChildStillDownWhenItsParentResolvesAlertsItselfThen() {
        var engine = HealthEngine(services: [Self.service("gateway"), Self.service("app", dependsOn: ["gateway"])], reminderInterval: .seconds(3600))
        var events: [HealthEvent] = []
        for round in 0..<3 {
            events += engine.record(Self.result("gateway", round == 0 ? .up : .down, Double(round * 60)), inMaintenance: false)
            events += engine.record(Self.result("app", round == 0 ? .up : .down, Double(round * 60 + 1)), inMaintenance: false)
        }
        #expect(Self.mails(events) == [.digest(parent: "gateway", incidentStart: Self.at(60), cause: "HTTP 503, expected 2xx", affected: ["app"])])
        events = []
        for round in 3..<5 {
            events += engine.record(Self.result("gateway", .up, Double(round * 60)), inMaintenance: false)
            events += engine.record(Self.result("app", .down, Double(round * 60 + 1)), inMaintenance: false)
        }
        #expect(Self.mails(events) == [
            .resolved(service: "gateway", incidentStart: Self.at(60), at: Self.at(240), wasAlerted: true),
            .alert(service: "app", incidentStart: Self.at(61), cause: "HTTP 503, expected 2xx"),
        ])
    }

    @Test func aChildAlertWaitsForItsParentsNextResult() {
        let services = [Self.service("gateway", interval: 300), Self.service("app", dependsOn: ["gateway"])]
        // The parent's next result comes, and it is down: the child is suppressed, never alerted.
        var engine = HealthEngine(services: services, reminderInterval: .seconds(3600))
        _ = engine.record(Self.result("gateway", .up, 0), inMaintenance: false)
        var events = engine.record(Self.result("app", .down, 10), inMaintenance: false)
        events += engine.record(Self.result("app", .down, 70), inMaintenance: false)
        events += engine.tick(now: Self.at(100))
        #expect(Self.mails(events).isEmpty, "held: the gateway has no result since app's incident began")
        #expect(engine.view(of: "app")?.state == .down)
        events = engine.record(Self.result("gateway", .down, 300), inMaintenance: false)
        #expect(events.contains(.suppressed(service: "app", by: "gateway")))
        #expect(Self.mails(events).isEmpty)

        // The parent's result does not come within its interval and timeout: the child alerts.
        var lonely = HealthEngine(services: services, reminderInterval: .seconds(3600))
        _ = lonely.record(Self.result("gateway", .up, 0), inMaintenance: false)
        _ = lonely.record(Self.result("app", .down, 10), inMaintenance: false)
        _ = lonely.record(Self.result("app", .down, 70), inMaintenance: false)
        #expect(Self.mails(lonely.tick(now: Self.at(70 + 309))).isEmpty)
        #expect(Self.mails(lonely.tick(now: Self.at(70 + 310))) == [.alert(service: "app", incidentStart: Self.at(10), cause: "HTTP 503, expected 2xx")])
    }

    @Test func aChildFailingAfterTheDigestIsSuppressedSilentlyAndTheReminderListsIt() {
        var engine = HealthEngine(services: [Self.service("gateway"), Self.service("a", dependsOn: ["gateway"]), Self.service("b", dependsOn: ["gateway"])],
                                  reminderInterval: .seconds(3600))
        var events: [HealthEvent] = []
        for round in 0..<3 {
            let outcome: ProbeOutcome = round == 0 ? .up : .down
            events += engine.record(Self.result("gateway", outcome, Double(round * 60)), inMaintenance: false)
            events += engine.record(Self.result("a", outcome, Double(round * 60 + 1)), inMaintenance: false)
            events += engine.record(Self.result("b", .up, Double(round * 60 + 2)), inMaintenance: false)
        }
        #expect(Self.mails(events) == [.digest(parent: "gateway", incidentStart: Self.at(60), cause: "HTTP 503, expected 2xx", affected: ["a"])])
        events = []
        for round in 3..<6 {
            events += engine.record(Self.result("gateway", .down, Double(round * 60)), inMaintenance: false)
            events += engine.record(Self.result("b", .down, Double(round * 60 + 2)), inMaintenance: false)
        }
        #expect(Self.mails(events).isEmpty, "\(events)")
        #expect(events.contains(.suppressed(service: "b", by: "gateway")))
        #expect(engine.tick(now: Self.at(120 + 3600)) == [.reminder(service: "gateway", incidentStart: Self.at(60), affected: ["a", "b"])])
    }

    @Test func remindersComeEveryIntervalUntilAcknowledged() {
        var engine = HealthEngine(services: [Self.service("web")], reminderInterval: .seconds(3600))
        _ = engine.record(Self.result("web", .down, 0), inMaintenance: false)
        #expect(Self.alerts(engine.record(Self.result("web", .down, 60), inMaintenance: false)) == ["web"])
        var minute = 2.0
        func downUntil(_ seconds: Double) {
            while minute * 60 <= seconds {
                _ = engine.record(Self.result("web", .down, minute * 60), inMaintenance: false)
                minute += 1
            }
        }
        downUntil(60 + 3599)
        #expect(engine.tick(now: Self.at(60 + 3599)).isEmpty)
        downUntil(60 + 3600)
        #expect(engine.tick(now: Self.at(60 + 3600)) == [.reminder(service: "web", incidentStart: Self.at(0), affected: [])])
        #expect(engine.tick(now: Self.at(60 + 5400)).isEmpty, "at most one per interval")
        downUntil(60 + 7200)
        #expect(engine.tick(now: Self.at(60 + 7200)) == [.reminder(service: "web", incidentStart: Self.at(0), affected: [])])
        engine.acknowledge(service: "web")
        #expect(engine.view(of: "web")?.acknowledged == true)
        downUntil(60 + 20_000)
        #expect(engine.tick(now: Self.at(60 + 20_000)).isEmpty, "acknowledged: no more reminders")
        // The acknowledgement belongs to that incident: the next one reminds again.
        _ = engine.record(Self.result("web", .up, 30_000), inMaintenance: false)
        _ = engine.record(Self.result("web", .up, 30_060), inMaintenance: false)
        _ = engine.record(Self.result("web", .down, 30_120), inMaintenance: false)
        _ = engine.record(Self.result("web", .down, 30_180), inMaintenance: false)
        #expect(engine.view(of: "web")?.acknowledged == false)
        #expect(engine.tick(now: Self.at(30_180 + 3600)).count == 1)
    }

    @Test func maintenanceShowsMaintenanceAndNeverAlerts() {
        var engine = HealthEngine(services: [Self.service("web")], reminderInterval: .seconds(600))
        _ = engine.record(Self.result("web", .up, -60), inMaintenance: false)
        var events: [HealthEvent] = []
        for minute in 0..<10 {
            events += engine.record(Self.result("web", .down, Double(minute * 60)), inMaintenance: true)
            events += engine.tick(now: Self.at(Double(minute * 60 + 30)))
        }
        #expect(events == [.stateChanged(service: "web", from: .up, to: .maintenance, at: Self.at(0))], "no incident, no mail: \(events)")
        #expect(engine.view(of: "web")?.state == .maintenance)
        // Still down after the window: an incident starts at the first failed probe outside it.
        let after = engine.record(Self.result("web", .down, 600), inMaintenance: false)
        #expect(after == [
            .incidentOpened(service: "web", at: Self.at(600), severity: .down, cause: "HTTP 503, expected 2xx"),
            .stateChanged(service: "web", from: .maintenance, to: .up, at: Self.at(600)),
        ])
        #expect(Self.alerts(engine.record(Self.result("web", .down, 660), inMaintenance: false)) == ["web"])
    }

    @Test func anIncidentOpenWhenMaintenanceStartsStaysOpenSilentAndMayResolveInside() {
        var engine = HealthEngine(services: [Self.service("web")], reminderInterval: .seconds(600))
        _ = engine.record(Self.result("web", .down, 0), inMaintenance: false)
        _ = engine.record(Self.result("web", .down, 60), inMaintenance: false)
        var events: [HealthEvent] = []
        for minute in 2..<30 {
            events += engine.record(Self.result("web", .down, Double(minute * 60)), inMaintenance: true)
            events += engine.tick(now: Self.at(Double(minute * 60 + 30)))
        }
        #expect(Self.mails(events).isEmpty, "no reminder inside the window: \(events)")
        #expect(engine.view(of: "web")?.incidentStart == Self.at(0))
        // Fixed during the window: resolved there, and those alerted are told.
        events = engine.record(Self.result("web", .up, 1800), inMaintenance: true)
        events += engine.record(Self.result("web", .up, 1860), inMaintenance: true)
        #expect(events == [.resolved(service: "web", incidentStart: Self.at(0), at: Self.at(1860), wasAlerted: true)])
        #expect(engine.view(of: "web")?.state == .maintenance)
        #expect(engine.record(Self.result("web", .up, 1920), inMaintenance: false)
            == [.stateChanged(service: "web", from: .maintenance, to: .up, at: Self.at(1920))])
    }

    @Test func anIncidentConfirmedInsideMaintenanceAlertsWhenTheWindowEndsIfStillFailing() {
        var engine = HealthEngine(services: [Self.service("web", failures: 3)], reminderInterval: .seconds(600))
        _ = engine.record(Self.result("web", .down, 0), inMaintenance: false)
        var events = engine.record(Self.result("web", .down, 60), inMaintenance: true)
        events += engine.record(Self.result("web", .down, 120), inMaintenance: true)
        #expect(Self.mails(events).isEmpty)
        #expect(Self.alerts(engine.record(Self.result("web", .down, 180), inMaintenance: false)) == ["web"])
    }

    @Test func aParentInMaintenanceSilencesItsFailingChildren() {
        var engine = HealthEngine(services: [Self.service("gateway"), Self.service("app", dependsOn: ["gateway"])], reminderInterval: .seconds(600))
        var events: [HealthEvent] = []
        for round in 0..<5 {
            events += engine.record(Self.result("gateway", .down, Double(round * 60)), inMaintenance: true)
            events += engine.record(Self.result("app", .down, Double(round * 60 + 1)), inMaintenance: false)
        }
        #expect(Self.mails(events).isEmpty, "\(events)")
        #expect(engine.view(of: "app")?.suppressedBy == "gateway")
        #expect(engine.view(of: "app")?.state == .down)
    }

    @Test func reloadKeepsTheStateOfServicesThatStayAndReportsRemovedOpenIncidents() {
        var engine = HealthEngine(services: [Self.service("web"), Self.service("old")], reminderInterval: .seconds(3600))
        for second in [0.0, 60] {
            _ = engine.record(Self.result("web", .down, second), inMaintenance: false)
            _ = engine.record(Self.result("old", .down, second + 1), inMaintenance: false)
        }
        var changed = Self.service("web", failures: 5)
        changed.title = "Cổng thông tin"
        let dropped = engine.reload(services: [changed, Self.service("new")])
        #expect(dropped == [DroppedIncident(service: "old", incidentStart: Self.at(1), wasAlerted: true)])
        #expect(engine.view(of: "old") == nil)
        #expect(engine.view(of: "new")?.state == .unknown)
        let view = engine.view(of: "web")
        #expect(view?.state == .down && view?.incidentStart == Self.at(0) && view?.alerted == true)
        #expect(engine.services.map(\.title) == ["Cổng thông tin", "NEW"])
        #expect(engine.record(Self.result("web", .down, 120), inMaintenance: false).isEmpty, "same incident, no new alert")
        #expect(engine.tick(now: Self.at(60 + 3600)).count == 1, "reminders continue across the reload")
    }

    @Test func aReloadThatRemovesTheParentReleasesTheChildrenItSuppressed() {
        var engine = HealthEngine(services: [Self.service("gateway"), Self.service("app", dependsOn: ["gateway"])], reminderInterval: .seconds(3600))
        var events: [HealthEvent] = []
        for round in 0..<3 {
            events += engine.record(Self.result("gateway", round == 0 ? .up : .down, Double(round * 60)), inMaintenance: false)
            events += engine.record(Self.result("app", round == 0 ? .up : .down, Double(round * 60 + 1)), inMaintenance: false)
        }
        #expect(Self.mails(events).count == 1)
        let dropped = engine.reload(services: [Self.service("app")])
        #expect(dropped == [DroppedIncident(service: "gateway", incidentStart: Self.at(60), wasAlerted: true)])
        #expect(Self.mails(engine.record(Self.result("app", .down, 181), inMaintenance: false))
            == [.alert(service: "app", incidentStart: Self.at(61), cause: "HTTP 503, expected 2xx")])
    }

    @Test func restoreAfterARestartContinuesTheOpenIncidents() {
        let services = [Self.service("web"), Self.service("api"), Self.service("db")]
        var engine = HealthEngine(services: services, reminderInterval: .seconds(3600))
        let dropped = engine.restore(incidents: [
            IncidentRecord(id: 1, service: "web", severity: .down, startedAt: Self.at(0), cause: "HTTP 503, expected 2xx", alertedAt: Self.at(60)),
            IncidentRecord(id: 2, service: "api", severity: .degraded, startedAt: Self.at(100), cause: "slow"),
            IncidentRecord(id: 3, service: "gone", severity: .down, startedAt: Self.at(5), cause: "x", alertedAt: Self.at(65)),
        ], last: [
            "web": Self.result("web", .down, 600), "api": Self.result("api", .degraded, 610), "db": Self.result("db", .up, 620),
        ])
        #expect(dropped == [DroppedIncident(service: "gone", incidentStart: Self.at(5), wasAlerted: true)])
        #expect(engine.view(of: "web")?.state == .down)
        #expect(engine.view(of: "web")?.alerted == true)
        #expect(engine.view(of: "db")?.state == .up)
        // No new incident nor alert for web; its next reminder counts from the restart, not the old alert.
        #expect(engine.record(Self.result("web", .down, 660), inMaintenance: false).isEmpty)
        #expect(engine.tick(now: Self.at(600 + 3599)).isEmpty)
        #expect(engine.tick(now: Self.at(600 + 3600)) == [.reminder(service: "web", incidentStart: Self.at(0), affected: [])])
        // api was never alerted: one more failure reaches its threshold, with the old start.
        let api = engine.record(Self.result("api", .degraded, 670), inMaintenance: false)
        #expect(Self.mails(api) == [.alert(service: "api", incidentStart: Self.at(100), cause: "response took 900 ms, expected below 800ms")])
        var events = engine.record(Self.result("web", .up, 700), inMaintenance: false)
        events += engine.record(Self.result("web", .up, 760), inMaintenance: false)
        #expect(Self.mails(events) == [.resolved(service: "web", incidentStart: Self.at(0), at: Self.at(760), wasAlerted: true)])
    }

    @Test func resultsOfUnknownServicesAreIgnored() {
        var engine = HealthEngine(services: [Self.service("web")], reminderInterval: .seconds(3600))
        #expect(engine.record(Self.result("ghost", .down, 0), inMaintenance: false).isEmpty)
        #expect(engine.view(of: "ghost") == nil)
        _ = engine.record(Self.result("web", .up, 60), inMaintenance: false)
        #expect(engine.record(Self.result("web", .down, 0), inMaintenance: false).isEmpty, "older than the last result")
        #expect(engine.view(of: "web")?.lastResult?.at == Self.at(60))
    }

    @Test func noticesCarryTitlesStatesAndTheAffectedServices() throws {
        var engine = HealthEngine(services: [Self.service("gateway"), Self.service("app", dependsOn: ["gateway"])], reminderInterval: .seconds(3600))
        var events: [HealthEvent] = []
        for round in 0..<3 {
            events += engine.record(Self.result("gateway", round == 0 ? .up : .down, Double(round * 60)), inMaintenance: false)
            events += engine.record(Self.result("app", round == 0 ? .up : .down, Double(round * 60 + 1), "timed out after 10 s"), inMaintenance: false)
        }
        let digest = try #require(events.first { if case .digest = $0 { true } else { false } })
        let notice = try #require(engine.notice(for: digest))
        #expect(notice.kind == .digest && notice.title == "GATEWAY" && notice.state == .down && notice.incidentStart == Self.at(60))
        #expect(notice.affected == [AlertNotice.Affected(name: "app", title: "APP", group: "Services", state: .down, cause: "timed out after 10 s")])
        #expect(engine.notice(for: .resolved(service: "app", incidentStart: Self.at(61), at: Self.at(400), wasAlerted: false)) == nil)
        #expect(engine.notice(for: .stateChanged(service: "app", from: .up, to: .down, at: Self.at(61))) == nil)
    }
}
