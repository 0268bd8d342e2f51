public import Foundation
import SwitchboardBase

/// The state machine of every service: thresholds, incidents, maintenance, dependencies and
/// reminders. Pure: time comes in with the inputs (a result's `at`, `tick(now:)`), so tests
/// drive it with any clock; the daemon acts on the ``HealthEvent``s it returns.
///
/// Rules:
/// - An incident starts at the first failed probe (`degraded` or `down`); a failure inside a
///   maintenance window opens none, but one already open stays open, silent.
/// - `failure_threshold` failures in a row confirm it: the state becomes `down`, or `degraded`
///   when the last `failure_threshold` results were all only warnings. The state is re-judged
///   on every further failure the same way (so degraded -> down takes one hard failure, down ->
///   degraded `failure_threshold` warnings in a row).
/// - `success_threshold` good probes in a row end the incident (confirmed or not): until then a
///   service that alternates (flaps) keeps one incident open and is never alerted.
/// - A confirmed incident is alerted once its ancestors (`depends_on`, at any depth) have each a
///   result at or after its start (held until then, at most one interval plus timeout of the
///   slowest one): an ancestor failing (state `down`, or its last probe down) suppresses it, and
///   it goes into that ancestor's digest; otherwise it alerts itself, as a digest when
///   descendants of its own are failing. An ancestor that recovers releases what it suppressed:
///   one still failing then alerts itself.
/// - Reminders at most every `reminderInterval` per incident, for its own alerted, unacknowledged,
///   unsuppressed incidents outside maintenance.
public struct HealthEngine: Sendable {
    /// See ``HealthEvent``.
    public typealias HealthEvent = HealthEngineEvent
    /// See ``ServiceView``.
    public typealias ServiceView = HealthEngineServiceView

    /// The least time between two mails about one incident.
    public var reminderInterval: Duration

    private var tracks: [String: Track] = [:]
    /// The services whose track has an open incident (see ``store(_:as:)``).
    private var withIncident: Set<String> = []
    /// Names, ancestors first (by depth), then in configuration order: the order decisions are made in.
    private var decisionOrder: [String] = []
    /// Every ancestor of each service (`depends_on`, transitively; configured ones only).
    private var ancestors: [String: [String]] = [:]
    /// Every descendant of each service, in configuration order.
    private var descendants: [String: [String]] = [:]

    /// A machine for `services`, each `unknown` until its first result.
    public init(services: [ServiceDefinition], reminderInterval: Duration) {
        self.reminderInterval = reminderInterval
        reload(services: services)
    }

    /// The services, in configuration order.
    public var services: [ServiceDefinition] {
        tracks.values.sorted { $0.order < $1.order }.map(\.definition)
    }

    /// Takes a new configuration: a service keeps its state, streaks and incident when its name
    /// stays (its new thresholds apply from its next result); a new one starts `unknown`. Returns
    /// the open incidents of services that are gone, for the daemon to close.
    @discardableResult
    public mutating func reload(services: [ServiceDefinition]) -> [DroppedIncident] {
        var next: [String: Track] = [:]
        for (order, definition) in services.enumerated() where next[definition.name] == nil {
            var track = tracks[definition.name] ?? Track(definition: definition, order: order)
            track.definition = definition
            track.order = order
            if track.recent.count > definition.failureThreshold { track.recent.removeFirst(track.recent.count - definition.failureThreshold) }
            next[definition.name] = track
        }
        let dropped = tracks.values.filter { next[$0.definition.name] == nil }.sorted { $0.order < $1.order }.compactMap { track in
            track.incident.map { DroppedIncident(service: track.definition.name, incidentStart: $0.start, wasAlerted: $0.ownAlerted) }
        }
        tracks = next
        withIncident = Set(next.filter { $0.value.incident != nil }.keys)
        rebuildGraph()
        return dropped
    }

    /// Takes up where a previous run left off: its open incidents (from the directory database)
    /// and each service's last result (from the history). An incident that was alerted is
    /// confirmed at its severity, and its next reminder is due `reminderInterval` after the
    /// later of its alert and the last result (no burst of reminders after a restart); one never
    /// alerted waits for its threshold again. Returns the open incidents of services no longer
    /// configured, for the daemon to close.
    @discardableResult
    public mutating func restore(incidents: [IncidentRecord], last: [String: ProbeResult]) -> [DroppedIncident] {
        for (name, result) in last {
            guard var track = tracks[name] else { continue }
            track.lastResult = result
            if result.outcome == .up, track.underlying == .unknown {
                track.underlying = .up
                track.state = .up
            }
            store(track, as: name)
        }
        var dropped: [DroppedIncident] = []
        for record in incidents where record.endedAt == nil {
            guard var track = tracks[record.service] else {
                dropped.append(DroppedIncident(service: record.service, incidentStart: record.startedAt, wasAlerted: record.alertedAt != nil))
                continue
            }
            let severity: ServiceState = record.severity == .degraded ? .degraded : .down
            var incident = Incident(start: record.startedAt, severity: severity, cause: record.cause)
            incident.ownAlerted = record.alertedAt != nil
            incident.confirmed = record.alertedAt != nil
            incident.alertedSeverity = record.alertedAt != nil ? severity : nil
            incident.suppressedBy = record.suppressedBy
            incident.acknowledged = record.ackedAt != nil
            if let alertedAt = record.alertedAt { incident.lastMailAt = max(alertedAt, track.lastResult?.at ?? alertedAt) }
            let lastFailed = track.lastResult.map { $0.outcome != .up } ?? false
            if incident.confirmed {
                track.underlying = severity
                track.state = severity
                track.since = record.startedAt
                track.failStreak = lastFailed ? track.definition.failureThreshold : 0
                track.recent = lastFailed ? Array(repeating: severity == .down ? .down : .degraded, count: track.definition.failureThreshold) : []
                track.okStreak = lastFailed ? 0 : 1
            } else {
                track.failStreak = lastFailed ? 1 : 0
                track.recent = lastFailed ? [track.lastResult?.outcome ?? .down] : []
            }
            track.incident = incident
            store(track, as: record.service)
        }
        return dropped
    }

    /// Takes one probe's result; `inMaintenance` when a window covers the service at its time.
    /// A result of a service not configured, or older than the service's last one, is ignored.
    public mutating func record(_ result: ProbeResult, inMaintenance: Bool) -> [HealthEvent] {
        guard var track = tracks[result.service], track.lastResult.map({ $0.at <= result.at }) ?? true else { return [] }
        let name = result.service
        let definition = track.definition
        var events: [HealthEvent] = []
        var resolvedIncident: Incident?
        track.lastResult = result
        track.inMaintenance = inMaintenance
        if result.outcome == .up {
            track.failStreak = 0
            track.recent = []
            track.okStreak += 1
            if let incident = track.incident {
                if track.okStreak >= definition.successThreshold {
                    resolvedIncident = incident
                    track.resolvedCause = incident.cause
                    track.incident = nil
                    track.underlying = .up
                } else if !incident.confirmed {
                    track.underlying = .up
                }
            } else {
                track.underlying = .up
            }
        } else if track.incident == nil && inMaintenance {
            // Planned work: no incident opens; counting starts afresh after the window.
            track.failStreak = 0
            track.recent = []
            track.okStreak = 0
        } else {
            track.okStreak = 0
            track.failStreak += 1
            track.recent.append(result.outcome)
            if track.recent.count > definition.failureThreshold { track.recent.removeFirst(track.recent.count - definition.failureThreshold) }
            let severity: ServiceState = result.outcome == .down ? .down : .degraded
            if var incident = track.incident {
                if severity == .down, incident.severity == .degraded {
                    incident.severity = .down
                    events.append(.incidentEscalated(service: name, severity: .down))
                }
                track.incident = incident
            } else {
                track.incident = Incident(start: result.at, severity: severity, cause: result.detail)
                events.append(.incidentOpened(service: name, at: result.at, severity: severity, cause: result.detail))
            }
            if track.failStreak >= definition.failureThreshold {
                track.incident?.confirmed = true
                track.underlying = track.recent.contains(.down) ? .down : .degraded
            }
        }
        let shown: ServiceState = inMaintenance ? .maintenance : track.underlying
        if shown != track.state {
            events.append(.stateChanged(service: name, from: track.state, to: shown, at: result.at))
            track.state = shown
            track.since = result.at
        }
        if let resolvedIncident {
            events.append(.resolved(service: name, incidentStart: resolvedIncident.start, at: result.at, wasAlerted: resolvedIncident.ownAlerted))
        }
        store(track, as: name)
        events += settle(now: result.at)
        return events
    }

    /// Time passing: reminders that are due, and alerts held for an ancestor's result that did
    /// not come in time.
    public mutating func tick(now: Date) -> [HealthEvent] {
        var events = settle(now: now)
        let interval = reminderInterval.inSeconds
        for name in decisionOrder {
            guard var track = tracks[name], var incident = track.incident, incident.ownAlerted, incident.confirmed, !incident.acknowledged,
                  incident.suppressedBy == nil, !track.inMaintenance, track.underlying == .down || track.underlying == .degraded,
                  track.lastResult?.outcome != .up
            else { continue }
            guard now.timeIntervalSince(incident.lastMailAt ?? incident.start) >= interval else { continue }
            incident.lastMailAt = now
            track.incident = incident
            store(track, as: name)
            events.append(.reminder(service: name, incidentStart: incident.start, affected: failingDescendants(of: name)))
        }
        return events
    }

    /// An operator acknowledged the service's open incident: no more reminders for it.
    public mutating func acknowledge(service: String) {
        tracks[service]?.incident?.acknowledged = true
    }

    /// The service now, or nil when it is not configured.
    public func view(of service: String) -> ServiceView? {
        guard let track = tracks[service] else { return nil }
        return ServiceView(state: track.state, since: track.since, suppressedBy: track.incident?.suppressedBy, incidentStart: track.incident?.start,
                           lastResult: track.lastResult, acknowledged: track.incident?.acknowledged ?? false,
                           incidentSeverity: track.incident?.severity, incidentCause: track.incident?.cause,
                           incidentConfirmed: track.incident?.confirmed ?? false, alerted: track.incident?.ownAlerted ?? false)
    }

    /// The cause (first failed probe's detail) of the service's last resolved incident.
    public func lastResolvedCause(of service: String) -> String? {
        tracks[service]?.resolvedCause
    }

    /// The definition of a configured service.
    public func definition(of service: String) -> ServiceDefinition? {
        tracks[service]?.definition
    }

    // MARK: - Decisions

    /// Decides every open incident that can be decided at `now`, ancestors first.
    /// Writes a service's track back, keeping ``withIncident`` in step.
    private mutating func store(_ track: Track, as name: String) {
        tracks[name] = track
        if track.incident != nil { withIncident.insert(name) } else { withIncident.remove(name) }
    }

    private mutating func settle(now: Date) -> [HealthEvent] {
        var events: [HealthEvent] = []
        // Only services with an open incident have anything to decide: a thousand services'
        // tracks are not copied for every result.
        guard !withIncident.isEmpty else { return events }
        for name in decisionOrder where withIncident.contains(name) {
            guard let track = tracks[name], track.incident != nil, !track.inMaintenance else { continue }
            events += decide(name, now: now)
        }
        return events
    }

    private mutating func decide(_ name: String, now: Date) -> [HealthEvent] {
        guard var track = tracks[name], var incident = track.incident else { return [] }
        defer {
            track.incident = incident
            store(track, as: name)
        }
        let failing = (ancestors[name] ?? []).filter(isFailing)
        if let by = incident.suppressedBy {
            if failing.isEmpty {
                incident.suppressedBy = nil  // released: its ancestors recovered
            } else {
                if !failing.contains(by), let top = topmost(failing) {
                    incident.suppressedBy = top
                    return [.suppressed(service: name, by: top)]
                }
                return []
            }
        }
        guard incident.confirmed else { return [] }
        if incident.ownAlerted {
            if let top = topmost(failing) {
                // An ancestor failed after this one alerted: its reminders now come from that one.
                incident.suppressedBy = top
                return [.suppressed(service: name, by: top)]
            }
            guard incident.alertedSeverity == .degraded, track.underlying == .down, track.lastResult?.outcome == .down else { return [] }
            incident.alertedSeverity = .down
            incident.lastMailAt = now
            track.incident = incident
            store(track, as: name)
            return announce(name, incident: incident, now: now)
        }
        guard let last = track.lastResult, last.outcome != .up else { return [] }
        // Hold until every ancestor has a result at or after this incident's start.
        let missing = (ancestors[name] ?? []).filter { (tracks[$0]?.lastResult?.at).map { $0 < incident.start } ?? true }
        if !missing.isEmpty {
            let held = incident.heldSince ?? now
            incident.heldSince = held
            let wait = missing.compactMap { tracks[$0]?.definition }.map { ($0.interval + $0.timeout).inSeconds }.max() ?? 0
            if now.timeIntervalSince(held) < wait { return [] }
        }
        incident.heldSince = nil
        if let top = topmost(failing) {
            incident.suppressedBy = top
            return [.suppressed(service: name, by: top)]
        }
        incident.ownAlerted = true
        incident.alertedSeverity = track.underlying
        incident.lastMailAt = now
        track.incident = incident
        store(track, as: name)
        return announce(name, incident: incident, now: now)
    }

    /// The alert or digest of `name`, marking its failing descendants as explained by it.
    private mutating func announce(_ name: String, incident: Incident, now: Date) -> [HealthEvent] {
        let cause = tracks[name]?.lastResult?.detail ?? incident.cause
        let affected = failingDescendants(of: name)
        guard !affected.isEmpty else { return [.alert(service: name, incidentStart: incident.start, cause: cause)] }
        var events: [HealthEvent] = [.digest(parent: name, incidentStart: incident.start, cause: cause, affected: affected)]
        for child in affected {
            guard var track = tracks[child], var childIncident = track.incident else { continue }
            childIncident.heldSince = nil
            if childIncident.suppressedBy == nil {
                childIncident.suppressedBy = name
                events.append(.suppressed(service: child, by: name))
            }
            track.incident = childIncident
            store(track, as: child)
        }
        return events
    }

    /// Down, or its last probe failed hard: it explains its descendants' failures.
    private func isFailing(_ name: String) -> Bool {
        guard let track = tracks[name] else { return false }
        return track.underlying == .down || track.lastResult?.outcome == .down
    }

    /// The failing ancestor no failing ancestor explains (the one whose digest covers the rest).
    private func topmost(_ failing: [String]) -> String? {
        failing.first { candidate in !(ancestors[candidate] ?? []).contains { failing.contains($0) } } ?? failing.first
    }

    /// Descendants with an open incident whose last probe failed, outside maintenance.
    private func failingDescendants(of name: String) -> [String] {
        (descendants[name] ?? []).filter { child in
            guard let track = tracks[child] else { return false }
            return track.incident != nil && !track.inMaintenance && (track.lastResult.map { $0.outcome != .up } ?? false)
        }
    }

    private mutating func rebuildGraph() {
        let ordered = tracks.values.sorted { $0.order < $1.order }.map(\.definition)
        var ancestors: [String: [String]] = [:]
        for service in ordered {
            var found: [String] = []
            var stack = service.dependsOn
            while let next = stack.popLast() {
                guard next != service.name, tracks[next] != nil, !found.contains(next) else { continue }
                found.append(next)
                stack += tracks[next]?.definition.dependsOn ?? []
            }
            ancestors[service.name] = found
        }
        var descendants: [String: [String]] = [:]
        for service in ordered {
            for ancestor in ancestors[service.name] ?? [] { descendants[ancestor, default: []].append(service.name) }
        }
        self.ancestors = ancestors
        self.descendants = descendants
        decisionOrder = ordered.map(\.name).enumerated()
            .sorted { (ancestors[$0.element]?.count ?? 0, $0.offset) < (ancestors[$1.element]?.count ?? 0, $1.offset) }
            .map(\.element)
    }
}

/// ``HealthEvent`` by the name the engine's declaration uses.
public typealias HealthEngineEvent = HealthEvent
/// ``ServiceView`` by the name the engine's declaration uses.
public typealias HealthEngineServiceView = ServiceView

extension HealthEngine {
    /// One service's running state.
    struct Track: Sendable {
        var definition: ServiceDefinition
        var order: Int
        /// What is shown: `maintenance` inside a window, else ``underlying``.
        var state: ServiceState = .unknown
        /// The state judged from results alone.
        var underlying: ServiceState = .unknown
        var since: Date?
        var lastResult: ProbeResult?
        var inMaintenance = false
        /// Failed (degraded or down) results in a row, and the last `failure_threshold` of them.
        var failStreak = 0
        var recent: [ProbeOutcome] = []
        /// Good results in a row.
        var okStreak = 0
        var incident: Incident?
        /// The cause of its last resolved incident (for the resolved mail).
        var resolvedCause: String?

        init(definition: ServiceDefinition, order: Int) {
            self.definition = definition
            self.order = order
        }
    }

    /// An open incident.
    struct Incident: Sendable, Equatable {
        var start: Date
        /// The worst probe seen in it (`down` or `degraded`).
        var severity: ServiceState
        /// The first failed probe's detail.
        var cause: String
        /// Reached the failure threshold.
        var confirmed = false
        /// Its own alert or digest went out, and at what state.
        var ownAlerted = false
        var alertedSeverity: ServiceState?
        /// The last mail about it (alert, digest, reminder): reminders count from it.
        var lastMailAt: Date?
        var acknowledged = false
        /// The ancestor whose outage explains it.
        var suppressedBy: String?
        /// Since when its alert waits for an ancestor's result.
        var heldSince: Date?

        init(start: Date, severity: ServiceState, cause: String) {
            self.start = start
            self.severity = severity
            self.cause = cause
        }
    }
}
