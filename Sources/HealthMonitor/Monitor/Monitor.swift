public import Foundation
public import Logging
public import SwitchboardBase
import Outbox
public import SwitchboardCore

/// The running monitor: probes every service on its schedule, judges each result, keeps the
/// state machine, writes history, opens and closes incidents, sends alerts, and answers the
/// HTTP side (``HealthStatusSource``).
///
/// One actor owns all of it, so a result, the state it changes and the mail it causes are
/// decided in one place, in order. Probes run outside it (``ServiceProber`` is async and never
/// throws) and report back through ``complete(_:)``. Nothing here blocks on the network: mail
/// goes out from a task of its own, after its outbox row committed.
public actor Monitor: HealthStatusSource {
    /// What the monitor works with. Without a session the monitor keeps no incidents in the
    /// directory and reads no planned maintenance (a test, or a host with no directory).
    public struct Parts: Sendable {
        /// The daemon's own session (its directory account): incidents are kept, planned
        /// maintenance and acknowledgements read, and alerts queued and sent as it.
        public var session: Session?
        /// The session API changes are recorded as (`health.api_actor`); nil: POST refused.
        public var apiSession: Session?
        /// Sends alert mail (nil: alerts are logged only).
        public var alerts: AlertMailer?
        /// The probes.
        public var prober: any ServiceProber
        /// The history file (opened on first use; see ``HistoryAccess``).
        public var history: HistoryAccess
        /// The suite's version, as `/health` and the metrics report it.
        public var version: String

        /// Parts.
        public init(session: Session?, apiSession: Session?, alerts: AlertMailer?,
                    prober: any ServiceProber, history: HistoryAccess, version: String) {
            self.version = version
            self.session = session
            self.apiSession = apiSession
            self.alerts = alerts
            self.prober = prober
            self.history = history
        }
    }

    private var settings: HealthSettings
    private var configFile: String
    private let parts: Parts
    private let clock: any WallClock
    private let logger: Logger
    private let startedAt: Date
    private var configLoadedAt: Date
    private var configError: String?

    private var services: [ServiceDefinition]
    private var byName: [String: Int] = [:]
    private var engine: HealthEngine
    private var schedule: ProbeSchedule
    private var configWindows: [MaintenanceWindow]
    private var storedWindows: [MaintenanceWindow] = []
    private var calendar: MaintenanceCalendar
    private var storedWindowsReadAt: Date = .distantPast

    private var lastResults: [String: ProbeResult] = [:]
    private var openIncidents: [String: IncidentRecord] = [:]
    private var recentIncidents: [IncidentRecord] = []
    private var recentIncidentsReadAt: Date = .distantPast
    private var pendingHistory: [HistoryEntry] = []
    private var historyFlushedAt: Date = .distantPast
    private var writeCheckedAt: Date = .distantPast
    private var historyWritable = true
    private var historyError: String?
    private var prunedAt: Date = .distantPast
    private var probesTotal: [ProbeOutcome: Int] = [:]
    private var schedulerLag: Double = 0
    private var inFlight: [Int: (service: String, task: Task<Void, Never>)] = [:]
    private var nextTaskID = 0
    private var tickedAt: Date = .distantPast
    private var slaCache: [String: [String: Double]] = [:]
    private var slaComputedAt: [String: Date] = [:]
    private var uptimeCache: (days: Int, at: Date, value: [String: [DayUptime]])?
    private var cachedSnapshot: MonitorSnapshot?
    private var stopping = false

    /// The most history rows held in memory while the history file refuses writes (then the
    /// oldest are dropped, and the log says so): about an hour of 1,000 services at 60 s.
    static let pendingHistoryLimit = 60_000
    /// The SLA windows the snapshot keeps current, and how often each service's are computed.
    static let slaWindows: [(name: String, seconds: Double)] = [("24h", 86_400), ("7d", 7 * 86_400), ("30d", 30 * 86_400)]
    static let slaRefreshSeconds: Double = 300

    /// A monitor of `settings`' services; nothing runs until ``run()``.
    public init(settings: HealthSettings, configFile: String, parts: Parts, clock: any WallClock = SystemWallClock(),
                logger: Logger = Logger(label: "switchboard.healthd")) {
        self.settings = settings
        self.configFile = configFile
        self.parts = parts
        self.clock = clock
        self.logger = logger
        let now = clock.now()
        startedAt = now
        configLoadedAt = now
        services = settings.services
        engine = HealthEngine(services: settings.services, reminderInterval: settings.reminderInterval)
        schedule = ProbeSchedule(services: settings.services.map { ($0.name, $0.interval.inSeconds) }, start: now)
        configWindows = Self.configuredWindows(of: settings)
        calendar = MaintenanceCalendar(windows: configWindows)
        byName = Dictionary(uniqueKeysWithValues: services.enumerated().map { ($0.element.name, $0.offset) })
    }

    /// Every maintenance window the configuration holds: the global ones and each service's.
    public static func configuredWindows(of settings: HealthSettings) -> [MaintenanceWindow] {
        settings.allMaintenanceWindows
    }

    // MARK: - Running

    /// Picks up where a previous run stopped (open incidents, last results), then probes until
    /// the task is cancelled (graceful shutdown): in-flight probes are cancelled and awaited,
    /// and the history written, before it returns.
    public func run() async {
        restore()
        logger.info("monitoring \(services.count) service\(services.count == 1 ? "" : "s")")
        while !Task.isCancelled && !stopping {
            let now = clock.now()
            startDueProbes(now)
            housekeeping(now)
            let wake = min(schedule.nextDue ?? now.timeIntervalSince1970 + 1, now.timeIntervalSince1970 + 1)
            let pause = max(0.001, wake - clock.now().timeIntervalSince1970)
            do { try await Task.sleep(for: .milliseconds(Int64((pause * 1000).rounded(.up)))) } catch { break }
        }
        await shutdown()
    }

    /// Asks ``run()`` to stop (as a cancelled task does).
    public func stop() { stopping = true }

    /// The history file, opened on first use (and again after a failed open).
    private func history() throws -> HistoryStore {
        try parts.history.store(now: clock.now())
    }

    private func restore() {
        if let session = parts.session {
            do {
                // Only this instance's services: several instances may share one directory,
                // each with its share of the services (names unique across them).
                for incident in try IncidentLog(session: session).openIncidents() where byName[incident.service] != nil {
                    openIncidents[incident.service] = incident
                }
            } catch { logger.warning("open incidents could not be read from the directory: \(error)") }
        }
        do { lastResults = try history().lastResults() } catch {
            noteHistoryFailure(error)
        }
        for dropped in engine.restore(incidents: Array(openIncidents.values), last: lastResults) {
            closeForgotten(dropped.service, at: clock.now())
        }
    }

    private func startDueProbes(_ now: Date) {
        let slots = schedule.due(at: now)
        guard !slots.isEmpty else { return }
        var lag = 0.0
        for slot in slots {
            let service = services[slot.index]
            lag = max(lag, now.timeIntervalSince1970 - slot.due)
            // A probe still running when its next one is due: the next one is skipped (its
            // timeout is below its interval, so this happens only when the machine is stalled).
            if inFlight.values.contains(where: { $0.service == service.name }) { continue }
            launch(service)
        }
        schedulerLag = lag
    }

    private func launch(_ service: ServiceDefinition) {
        let id = nextTaskID
        nextTaskID += 1
        let prober = parts.prober
        let clock = clock
        let task = Task {
            let startedAt = clock.now()
            let observation = await prober.observe(service)
            self.complete(ProbeCompletion(id: id, service: service, startedAt: startedAt, observation: observation))
        }
        inFlight[id] = (service.name, task)
    }

    /// What one probe brought back.
    struct ProbeCompletion: Sendable {
        var id: Int
        var service: ServiceDefinition
        var startedAt: Date
        var observation: ProbeObservation
    }

    private func complete(_ completion: ProbeCompletion) {
        inFlight[completion.id] = nil
        // A service removed or changed by a reload while its probe ran: the result describes a
        // definition that no longer exists.
        guard let index = byName[completion.service.name], services[index] == completion.service else { return }
        let service = completion.service
        let result = ConditionEvaluator.evaluate(completion.observation, for: service, at: completion.startedAt)
        accept(result, of: service)
    }

    /// Takes one result as if a probe had just returned it (the probes' path, and tests').
    public func accept(_ result: ProbeResult, of service: ServiceDefinition) {
        let inMaintenance = calendar.active(for: service.name, at: result.at) != nil
        lastResults[service.name] = result
        probesTotal[result.outcome, default: 0] += 1
        let state: SampleState = inMaintenance ? .maintenance : SampleState(result.outcome)
        pendingHistory.append(HistoryEntry(result: result, state: state, maxSpanSeconds: 2 * service.interval.inSeconds + service.timeout.inSeconds))
        if pendingHistory.count > Self.pendingHistoryLimit {
            pendingHistory.removeFirst(pendingHistory.count - Self.pendingHistoryLimit)
            logger.error("history file unwritable for long: dropped the oldest results held in memory")
        }
        handle(engine.record(result, inMaintenance: inMaintenance))
        cachedSnapshot = nil
    }

    private func housekeeping(_ now: Date) {
        if now.timeIntervalSince(tickedAt) >= 1 {
            tickedAt = now
            handle(engine.tick(now: now))
        }
        if !pendingHistory.isEmpty, now.timeIntervalSince(historyFlushedAt) >= 1 || pendingHistory.count >= 2_000 {
            flushHistory()
            historyFlushedAt = now
        }
        if now.timeIntervalSince(storedWindowsReadAt) >= 15 {
            storedWindowsReadAt = now
            refreshStoredWindows(now)
        }
        if now.timeIntervalSince(prunedAt) >= 3_600 {
            prunedAt = now
            do { try history().prune(now: now) } catch { noteHistoryFailure(error) }
        }
        refreshSLA(now, budget: 20)
    }

    private func flushHistory() {
        guard !pendingHistory.isEmpty else { return }
        do {
            try history().record(pendingHistory)
            pendingHistory.removeAll(keepingCapacity: true)
            if !historyWritable { logger.notice("history file writable again") }
            historyWritable = true
            historyError = nil
        } catch {
            noteHistoryFailure(error)
        }
    }

    private func noteHistoryFailure(_ error: any Error) {
        if historyWritable { logger.error("history file: \(error)") }
        historyWritable = false
        historyError = "\(error)"
    }

    private func refreshStoredWindows(_ now: Date) {
        if let session = parts.session {
            // Acknowledgements are made by operators (`healthd ack`) in the directory.
            do {
                for incident in try IncidentLog(session: session).openIncidents() where incident.ackedAt != nil {
                    if openIncidents[incident.service]?.ackedAt == nil, engine.view(of: incident.service)?.acknowledged == false {
                        engine.acknowledge(service: incident.service)
                        cachedSnapshot = nil
                    }
                    if openIncidents[incident.service]?.id == incident.id { openIncidents[incident.service] = incident }
                }
            } catch { logger.warning("acknowledgements could not be read: \(error)") }
        }
        guard let session = parts.session ?? parts.apiSession else { return }
        do {
            storedWindows = try MaintenanceBook(session: session).stored(activeOrAfter: now)
            calendar = MaintenanceCalendar(windows: configWindows + storedWindows)
        } catch { logger.warning("planned maintenance could not be read: \(error)") }
    }

    /// Keeps each service's SLA windows at most ``slaRefreshSeconds`` old, computing at most
    /// `budget` services per call so a thousand services never stall the scheduler.
    private func refreshSLA(_ now: Date, budget: Int) {
        var done = 0
        for service in services where done < budget {
            if let at = slaComputedAt[service.name], now.timeIntervalSince(at) < Self.slaRefreshSeconds { continue }
            done += 1
            slaComputedAt[service.name] = now
            var figures: [String: Double] = [:]
            for window in Self.slaWindows {
                if let ratio = try? history().sla(service: service.name, from: now.addingTimeInterval(-window.seconds), to: now, now: now).ratio {
                    figures[window.name] = ratio
                }
            }
            slaCache[service.name] = figures
        }
    }

    private func shutdown() async {
        let tasks = inFlight.values.map(\.task)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        flushHistory()
        logger.info("stopped; \(pendingHistory.isEmpty ? "history written" : "\(pendingHistory.count) results could not be written")")
    }

    // MARK: - Events

    private func handle(_ events: [HealthEvent]) {
        for event in events { handle(event) }
    }

    private func handle(_ event: HealthEvent) {
        let log = parts.session.map { IncidentLog(session: $0) }
        do {
            switch event {
            case .incidentOpened(let service, let at, let severity, let cause):
                logger.notice("\(service): failing since \(Timestamp.format(at)): \(cause)")
                if let log { openIncidents[service] = try log.open(service: service, severity: severity, startedAt: at, cause: cause) }
                recentIncidentsReadAt = .distantPast
            case .incidentEscalated(let service, let severity):
                if let log, var incident = openIncidents[service] {
                    try log.escalate(id: incident.id, severity: severity)
                    incident.severity = severity
                    openIncidents[service] = incident
                }
            case .stateChanged(let service, let from, let to, _):
                logger.info("\(service): \(from.rawValue) -> \(to.rawValue)")
            case .alert(let service, _, let cause):
                logger.warning("\(service) is \(engine.view(of: service)?.state.rawValue ?? "down"): \(cause)")
                try markAlerted(service)
                notify(event)
            case .digest(let parent, _, let cause, let affected):
                logger.warning("\(parent) is down (\(cause)); affected: \(affected.joined(separator: ", "))")
                try markAlerted(parent)
                for child in affected { try suppress(child, by: parent) }
                notify(event)
            case .suppressed(let service, let parent):
                try suppress(service, by: parent)
            case .reminder(let service, _, _):
                logger.warning("\(service) is still down")
                notify(event)
            case .resolved(let service, _, let at, let wasAlerted):
                logger.notice("\(service) recovered")
                let cause = openIncidents[service]?.cause ?? ""
                if let log, let incident = openIncidents[service] { try log.close(id: incident.id, at: at) }
                openIncidents[service] = nil
                recentIncidentsReadAt = .distantPast
                if wasAlerted { notify(event, resolvedCause: cause) }
            }
        } catch {
            logger.error("incident bookkeeping failed: \(error)")
        }
    }

    private func markAlerted(_ service: String) throws {
        guard let session = parts.session, var incident = openIncidents[service], incident.alertedAt == nil else { return }
        let now = clock.now()
        try IncidentLog(session: session).markAlerted(id: incident.id, at: now)
        incident.alertedAt = now
        openIncidents[service] = incident
    }

    private func suppress(_ service: String, by parent: String) throws {
        guard let session = parts.session, var incident = openIncidents[service], incident.suppressedBy != parent else { return }
        try IncidentLog(session: session).setSuppressed(id: incident.id, by: parent)
        incident.suppressedBy = parent
        openIncidents[service] = incident
    }

    private func notify(_ event: HealthEvent, resolvedCause: String = "") {
        guard let alerts = parts.alerts, let notice = engine.notice(for: event, resolvedCause: resolvedCause) else { return }
        let definitions = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let queued: [Int64]
        do {
            queued = try alerts.queue(notice, services: definitions, at: clock.now())
        } catch {
            logger.error("\(notice.kind.rawValue) mail for \(notice.service) could not be queued: \(error)")
            return
        }
        guard !queued.isEmpty else { return }
        let logger = logger
        Task.detached {
            let report = await alerts.send(queued)
            for line in report.lines(tool: "healthd") { logger.notice("\(line)") }
        }
    }

    // MARK: - Operator actions and reloads

    /// Replaces the configuration (SIGHUP): services keep their state by name; new ones start
    /// unknown, removed ones are forgotten (their open incidents are closed now).
    public func reload(_ newSettings: HealthSettings, configFile file: String) {
        let now = clock.now()
        let removed = Set(services.map(\.name)).subtracting(newSettings.services.map(\.name))
        settings = newSettings
        configFile = file
        services = newSettings.services
        byName = Dictionary(uniqueKeysWithValues: services.enumerated().map { ($0.element.name, $0.offset) })
        for dropped in engine.reload(services: services) { closeForgotten(dropped.service, at: now) }
        schedule = ProbeSchedule(services: services.map { ($0.name, $0.interval.inSeconds) }, start: now)
        configWindows = Self.configuredWindows(of: newSettings)
        calendar = MaintenanceCalendar(windows: configWindows + storedWindows)
        for name in removed {
            closeForgotten(name, at: now)
            lastResults[name] = nil
            slaCache[name] = nil
        }
        configLoadedAt = now
        configError = nil
        cachedSnapshot = nil
        uptimeCache = nil
        logger.notice("configuration reloaded from \(file): \(services.count) services")
    }

    /// Closes the open incident of a service that is no longer configured.
    private func closeForgotten(_ service: String, at now: Date) {
        guard let incident = openIncidents.removeValue(forKey: service) else { return }
        guard let session = parts.session else { return }
        do { try IncidentLog(session: session).close(id: incident.id, at: max(now, incident.startedAt)) } catch {
            logger.error("the incident of \(service), no longer monitored, could not be closed: \(error)")
        }
    }

    /// Records that a reload was refused: the running configuration stays, `/health` warns.
    public func reloadRefused(_ problem: String) {
        configError = problem
        cachedSnapshot = nil
        logger.error("configuration reload refused, the running one is kept: \(problem)")
    }

    /// The running settings.
    public var currentSettings: HealthSettings { settings }

    public func planMaintenance(_ request: MaintenanceRequest, origin: String) async throws -> MaintenanceEntry {
        guard let session = parts.apiSession else {
            throw MonitorError(.denied, "planning maintenance over the API needs health.api_actor, a directory login with the helpdesk role")
        }
        let entry = try MaintenanceBook(session: session).plan(request, known: Set(services.map(\.name)), origin: origin, now: clock.now())
        refreshStoredWindows(clock.now())
        cachedSnapshot = nil
        return entry
    }

    // MARK: - What the HTTP side reads

    public func snapshot() async -> MonitorSnapshot {
        let now = clock.now()
        if let cachedSnapshot, now.timeIntervalSince(cachedSnapshot.generatedAt) < 1 { return cachedSnapshot }
        if now.timeIntervalSince(recentIncidentsReadAt) >= 15, let session = parts.session {
            recentIncidentsReadAt = now
            recentIncidents = (try? IncidentLog(session: session).incidents(since: now.addingTimeInterval(-7 * 86_400))) ?? recentIncidents
        }
        let snapshots = services.map { service -> ServiceSnapshot in
            let view = engine.view(of: service.name)
            return ServiceSnapshot(
                name: service.name, title: service.title, group: service.group, kind: service.kind, target: service.target,
                state: view?.state ?? .unknown, since: view?.since, lastResult: lastResults[service.name],
                incident: openIncidents[service.name], suppressedBy: view?.suppressedBy, dependsOn: service.dependsOn,
                owners: service.owners.map(\.description), intervalSeconds: service.interval.inSeconds, sla: slaCache[service.name] ?? [:])
        }
        let open = Array(openIncidents.values).sorted { $0.startedAt > $1.startedAt }
        let closed = recentIncidents.filter { $0.endedAt != nil }.sorted { $0.startedAt > $1.startedAt }
        let snapshot = MonitorSnapshot(
            generatedAt: now, title: settings.title, language: settings.language, timeZone: settings.timeZone, services: snapshots,
            incidents: open + closed, maintenance: calendar.entries(from: now, to: now.addingTimeInterval(7 * 86_400)),
            daemon: daemonHealth(now))
        cachedSnapshot = snapshot
        return snapshot
    }

    private func daemonHealth(_ now: Date) -> DaemonHealth {
        DaemonHealth(
            startedAt: startedAt, configLoadedAt: configLoadedAt, configFile: configFile, configError: configError,
            historyWritable: historyWritable, historyError: historyError, schedulerLagSeconds: schedulerLag, probesTotal: probesTotal,
            probesInFlight: inFlight.count, alertsQueued: parts.alerts?.waiting() ?? 0, version: parts.version)
    }

    public func history(service: String, from: Date, to: Date, limit: Int) async throws -> [ProbeResult] {
        try known(service)
        flushHistory()
        return try history().results(service: service, from: from, to: to, limit: limit)
    }

    public func sla(service: String, from: Date, to: Date) async throws -> SLAFigure {
        try known(service)
        flushHistory()
        return try history().sla(service: service, from: from, to: to, now: clock.now())
    }

    public func uptimeDays(_ days: Int) async throws -> [String: [DayUptime]] {
        let now = clock.now()
        if let cache = uptimeCache, cache.days == days, now.timeIntervalSince(cache.at) < 60 { return cache.value }
        flushHistory()
        let value = try history().uptimeDays(services: services.map(\.name), days: days, now: now, timeZone: settings.timeZone)
        uptimeCache = (days, now, value)
        return value
    }

    public func readiness() async -> [ReadinessCheck] {
        let now = clock.now()
        if now.timeIntervalSince(writeCheckedAt) >= 5 {
            // A real write attempt (at most every 5 s, however often dashboards ask), so that a
            // file made writable again is seen again even when no result waits.
            writeCheckedAt = now
            do {
                try history().checkWritable()
                if !pendingHistory.isEmpty { flushHistory() } else { historyWritable = true; historyError = nil }
            } catch { noteHistoryFailure(error) }
        }
        let slowest = services.map(\.interval.inSeconds).min() ?? 60
        return [
            ReadinessCheck(name: "config", ok: true, detail: configError.map { "running the configuration loaded at \(Timestamp.format(configLoadedAt)); the last reload was refused: \($0)" }
                           ?? "\(services.count) services from \(configFile)"),
            ReadinessCheck(name: "history", ok: historyWritable, detail: historyError ?? "writable: \(settings.historyFile)"),
            ReadinessCheck(name: "scheduler", ok: schedulerLag < max(5, slowest), detail: String(format: "lag %.3f s, %d probes in flight", schedulerLag, inFlight.count)),
        ]
    }

    private func known(_ service: String) throws {
        guard byName[service] != nil else {
            throw MonitorError(.badInput, "no service named \(Quoting.quoted(service)) is monitored (healthd status lists them)")
        }
    }
}

extension SampleState {
    /// What a result counts as outside maintenance.
    init(_ outcome: ProbeOutcome) {
        switch outcome {
        case .up: self = .up
        case .degraded: self = .degraded
        case .down: self = .down
        }
    }
}
