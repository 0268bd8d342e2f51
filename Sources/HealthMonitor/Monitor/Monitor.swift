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
    /// The schedule runs on the monotonic clock, from the wall time at start: a wall clock
    /// stepped back (NTP, an operator) must not stop the probing for as long as the step.
    private let scheduleStart: (instant: ContinuousClock.Instant, wall: Double)
    private var configWindows: [MaintenanceWindow]
    private var storedWindows: [MaintenanceWindow] = []
    private var calendar: MaintenanceCalendar
    private var storedWindowsReadAt: Date = .distantPast

    private var lastResults: [String: ProbeResult] = [:]
    private var openIncidents: [String: IncidentRecord] = [:]
    private var recentIncidents: [IncidentRecord] = []
    private var recentIncidentsReadAt: Date = .distantPast
    /// Outbox rows waiting, read with the recent incidents (every 15 s), not for every snapshot.
    private var alertsQueued = 0
    private var pendingHistory: [HistoryEntry] = []
    private var historyFlushedAt: Date = .distantPast
    private var flushing = false
    private var slaTask: Task<Void, Never>?
    private var writeCheckedAt: Date = .distantPast
    private var historyWritable = true
    private var historyError: String?
    private var prunedAt: Date = .distantPast
    private var probesTotal: [ProbeOutcome: Int] = [:]
    private var schedulerLag: Double = 0
    private var inFlight: [Int: (service: String, task: Task<Void, Never>)] = [:]
    private var nextTaskID = 0
    /// The services with a probe in flight (``inFlight``'s names, for a constant-time check).
    private var probing: Set<String> = []
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
        scheduleStart = (ContinuousClock.now, now.timeIntervalSince1970)
        schedule = ProbeSchedule(services: settings.services.map { ($0.name, $0.interval.inSeconds) }, start: now)
        configWindows = settings.allMaintenanceWindows
        calendar = MaintenanceCalendar(windows: configWindows)
        byName = Dictionary(uniqueKeysWithValues: services.enumerated().map { ($0.element.name, $0.offset) })
    }

    // MARK: - Running

    /// Picks up where a previous run stopped (open incidents, last results), then probes until
    /// the task is cancelled (graceful shutdown): in-flight probes are cancelled and awaited,
    /// and the history written, before it returns.
    public func run() async {
        restore()
        logger.info("monitoring \(services.count) service\(services.count == 1 ? "" : "s")")
        while !Task.isCancelled && !stopping {
            let tick = scheduleNow()
            startDueProbes(tick)
            housekeeping(clock.now())
            let wake = min(schedule.nextDue ?? tick.timeIntervalSince1970 + 1, tick.timeIntervalSince1970 + 1)
            let pause = max(0.001, wake - scheduleNow().timeIntervalSince1970)
            do { try await Task.sleep(for: .milliseconds(Int64((pause * 1000).rounded(.up)))) } catch { break }
        }
        await shutdown()
    }

    /// Asks ``run()`` to stop (as a cancelled task does).
    public func stop() { stopping = true }

    /// Now on the schedule's timeline (monotonic; see ``scheduleStart``).
    private func scheduleNow() -> Date {
        Date(timeIntervalSince1970: scheduleStart.wall + scheduleStart.instant.duration(to: ContinuousClock.now).inSeconds)
    }

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
            if probing.contains(service.name) { continue }
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
            // A probe cancelled by the shutdown saw nothing about the service: not a result.
            guard !Task.isCancelled else { return }
            self.complete(ProbeCompletion(id: id, service: service, startedAt: startedAt, observation: observation))
        }
        inFlight[id] = (service.name, task)
        probing.insert(service.name)
    }

    /// What one probe brought back.
    struct ProbeCompletion: Sendable {
        var id: Int
        var service: ServiceDefinition
        var startedAt: Date
        var observation: ProbeObservation
    }

    private func complete(_ completion: ProbeCompletion) {
        if let done = inFlight.removeValue(forKey: completion.id) { probing.remove(done.service) }
        guard !stopping else { return }
        // A service removed or changed by a reload while its probe ran: the result describes a
        // definition that no longer exists.
        guard let index = byName[completion.service.name], services[index] == completion.service else { return }
        let service = completion.service
        let result = ConditionEvaluator.evaluate(completion.observation, for: service, at: completion.startedAt)
        accept(result, of: service)
    }

    /// Takes one result as if a probe had just returned it (the probes' path, and tests').
    public func accept(_ result: ProbeResult, of service: ServiceDefinition) {
        // A result not after the last one: the wall clock stepped back. The history keeps each
        // service's results in time order and the state machine ignores older ones, so it is
        // dated just after the last one (probing and alerting go on; the step is logged).
        var result = result
        if let last = lastResults[service.name], result.at <= last.at {
            logger.warning("\(service.name): the clock stepped back (a result at \(Timestamp.format(result.at)), the last at \(Timestamp.format(last.at))): dated just after the last one")
            result.at = last.at.addingTimeInterval(0.001)
        }
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
        // (The snapshot is at most a second old: rebuilt per result, a thousand services' page
        // and metrics would be rendered again for every request.)
    }

    private func housekeeping(_ now: Date) {
        if now.timeIntervalSince(tickedAt) >= 1 {
            tickedAt = now
            handle(engine.tick(now: now))
        }
        if !pendingHistory.isEmpty, !flushing, now.timeIntervalSince(historyFlushedAt) >= 1 || pendingHistory.count >= 2_000 {
            historyFlushedAt = now
            // Not awaited: a slow write (a checkpoint, a busy file) must not hold up the probes.
            Task { await self.flushHistory() }
        }
        if now.timeIntervalSince(storedWindowsReadAt) >= 15 {
            storedWindowsReadAt = now
            refreshStoredWindows(now)
        }
        if now.timeIntervalSince(prunedAt) >= 3_600 {
            prunedAt = now
            // Hourly: with a daily prune the raw results would peak at a day more than kept.
            if let store = try? history() {
                let logger = logger
                Task.detached { do { try store.prune(now: now) } catch { logger.error("history prune: \(error)") } }
            }
        }
        refreshSLA(now)
    }

    /// Writes the results waiting in memory, off the actor (the probes go on meanwhile), one
    /// batch at a time; a batch that fails waits, in order, before the results that came since.
    private func flushHistory() async {
        guard !flushing, !pendingHistory.isEmpty else { return }
        let store: HistoryStore
        do { store = try history() } catch {
            noteHistoryFailure(error)
            return
        }
        flushing = true
        let batch = pendingHistory
        pendingHistory.removeAll(keepingCapacity: true)
        let failure = await Task.detached { () -> (any Error)? in
            do {
                try store.record(batch)
                return nil
            } catch { return error }
        }.value
        flushing = false
        if let failure = failure as? HistoryError, failure.code == .outOfOrder {
            // Never writable as it is (another writer on the file, a clock step): dropped, not
            // retried forever ahead of every later result.
            logger.error("history: a batch of \(batch.count) results dropped: \(failure)")
        } else if let failure {
            pendingHistory.insert(contentsOf: batch, at: 0)
            if pendingHistory.count > Self.pendingHistoryLimit {
                pendingHistory.removeFirst(pendingHistory.count - Self.pendingHistoryLimit)
                logger.error("history file unwritable for long: dropped the oldest results held in memory")
            }
            noteHistoryFailure(failure)
        } else {
            if !historyWritable { logger.notice("history file writable again") }
            historyWritable = true
            historyError = nil
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

    /// Keeps each service's SLA windows at most ``slaRefreshSeconds`` old (15 s while it has no
    /// figure yet), computed off the actor, one batch of services at a time.
    private func refreshSLA(_ now: Date) {
        guard slaTask == nil else { return }
        let stale = services.map(\.name).filter { name in
            let age = slaCache[name]?.isEmpty == false ? Self.slaRefreshSeconds : 15
            return slaComputedAt[name].map { now.timeIntervalSince($0) >= age } ?? true
        }.prefix(200)
        guard !stale.isEmpty, let store = try? history() else { return }
        for name in stale { slaComputedAt[name] = now }
        let names = Array(stale)
        let windows = Self.slaWindows
        slaTask = Task.detached { [weak self] in
            var computed: [String: [String: Double]] = [:]
            for name in names {
                guard !Task.isCancelled else { break }
                let figures = (try? store.figures(service: name, windows: windows.map { (now.addingTimeInterval(-$0.seconds), now) }, now: now)) ?? []
                var ratios: [String: Double] = [:]
                for (window, figure) in zip(windows, figures) { ratios[window.name] = figure.ratio }
                computed[name] = ratios
            }
            await self?.storeSLA(computed)
        }
    }

    private func storeSLA(_ computed: [String: [String: Double]]) {
        slaTask = nil
        for (name, ratios) in computed where byName[name] != nil { slaCache[name] = ratios }
        cachedSnapshot = nil
    }

    private func shutdown() async {
        let tasks = inFlight.values.map(\.task)
        for task in tasks { task.cancel() }
        slaTask?.cancel()
        for task in tasks { await task.value }
        // The last results: wait for a flush under way, then write what is left (once more
        // after a failure would only fail again).
        while flushing { try? await Task.sleep(for: .milliseconds(10)) }
        await flushHistory()
        logger.info("stopped; \(pendingHistory.isEmpty ? "history written" : "\(pendingHistory.count) results could not be written")")
    }

    // MARK: - Events

    private func handle(_ events: [HealthEvent]) {
        for event in events { handle(event) }
    }

    /// Acts on one event. Mail goes first and the directory's bookkeeping after, each step on
    /// its own: a directory that is busy for a moment loses a row's update (logged), never an
    /// alert, and the in-memory incident is updated whatever happens.
    private func handle(_ event: HealthEvent) {
        switch event {
        case .incidentOpened(let service, let at, let severity, let cause):
            logger.notice("\(service): failing since \(Timestamp.format(at)): \(cause)")
            recentIncidentsReadAt = .distantPast
            bookkeep("opening the incident of \(service)") { log in
                do {
                    self.openIncidents[service] = try log.open(service: service, severity: severity, startedAt: at, cause: cause)
                } catch {
                    // One left open (a crash, a directory write that failed): carry on with it.
                    guard let existing = try log.openIncidents().first(where: { $0.service == service }) else { throw error }
                    self.openIncidents[service] = existing
                }
            }
        case .incidentEscalated(let service, let severity):
            guard var incident = openIncidents[service] else { return }
            incident.severity = severity
            openIncidents[service] = incident
            bookkeep("escalating the incident of \(service)") { try $0.escalate(id: incident.id, severity: severity) }
        case .stateChanged(let service, let from, let to, _):
            logger.info("\(service): \(from.rawValue) -> \(to.rawValue)")
        case .alert(let service, _, let cause):
            logger.warning("\(service) is \(engine.view(of: service)?.state.rawValue ?? "down"): \(cause)")
            notify(event)
            markAlerted(service)
            // Alerting on its own: a parent that explained it has recovered.
            if openIncidents[service]?.suppressedBy != nil { suppress(service, by: nil) }
        case .digest(let parent, _, let cause, let affected):
            logger.warning("\(parent) is down (\(cause)); affected: \(affected.joined(separator: ", "))")
            notify(event)
            markAlerted(parent)
            for child in affected { suppress(child, by: parent) }
        case .suppressed(let service, let parent):
            suppress(service, by: parent)
        case .reminder(let service, _, _):
            logger.warning("\(service) is still down")
            notify(event)
        case .resolved(let service, _, let at, let wasAlerted):
            logger.notice("\(service) recovered")
            let incident = openIncidents.removeValue(forKey: service)
            recentIncidentsReadAt = .distantPast
            if wasAlerted { notify(event, resolvedCause: incident?.cause ?? "") }
            if let incident {
                bookkeep("closing the incident of \(service)") { try $0.close(id: incident.id, at: max(at, incident.startedAt)) }
            }
        }
    }

    /// Runs one step of the directory's incident bookkeeping; a failure is logged, not thrown.
    private func bookkeep(_ what: String, _ body: (IncidentLog) throws -> Void) {
        guard let session = parts.session else { return }
        do { try body(IncidentLog(session: session)) } catch {
            logger.error("incident bookkeeping failed, \(what): \(error)")
        }
    }

    private func markAlerted(_ service: String) {
        guard var incident = openIncidents[service], incident.alertedAt == nil else { return }
        let now = clock.now()
        incident.alertedAt = now
        openIncidents[service] = incident
        bookkeep("marking \(service) alerted") { try $0.markAlerted(id: incident.id, at: now) }
    }

    private func suppress(_ service: String, by parent: String?) {
        guard var incident = openIncidents[service], incident.suppressedBy != parent else { return }
        incident.suppressedBy = parent
        openIncidents[service] = incident
        bookkeep("marking \(service) explained by \(parent ?? "nothing")") { try $0.setSuppressed(id: incident.id, by: parent) }
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
        engine.reload(services: services)  // its dropped incidents are the removed services', closed below
        schedule = ProbeSchedule(services: services.map { ($0.name, $0.interval.inSeconds) }, start: scheduleNow())
        configWindows = newSettings.allMaintenanceWindows
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
            alertsQueued = parts.alerts?.waiting() ?? 0
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
            probesInFlight: inFlight.count, alertsQueued: alertsQueued, version: parts.version)
    }

    // Reads run off the actor (a 90-day page of a thousand services takes seconds), after the
    // results waiting in memory are written, so an answer includes the latest probe.

    public func history(service: String, from: Date, to: Date, limit: Int) async throws -> [ProbeResult] {
        try known(service)
        await flushHistory()
        let store = try history()
        return try await Task.detached { try store.results(service: service, from: from, to: to, limit: limit) }.value
    }

    /// Over the part of the window that has history: from the oldest day kept to now. A window
    /// longer than the history kept is refused (it would be walked hour by hour for nothing).
    public func sla(service: String, from: Date, to: Date) async throws -> SLAFigure {
        try known(service)
        let now = clock.now()
        let kept = Double(settings.retention.dailyDays) * 86_400
        guard to.timeIntervalSince(from) <= kept + 86_400 else {
            throw MonitorError(.badInput, "the window from \(Timestamp.format(from)) to \(Timestamp.format(to)) is longer than the \(settings.retention.dailyDays) days of history kept: ask for at most that")
        }
        let start = max(from, now.addingTimeInterval(-kept)), end = min(to, now)
        guard end > start else { return SLAFigure(service: service, from: start, to: max(start, end)) }
        await flushHistory()
        let store = try history()
        return try await Task.detached { try store.sla(service: service, from: start, to: end, now: now) }.value
    }

    public func uptimeDays(_ days: Int) async throws -> [String: [DayUptime]] {
        let now = clock.now()
        if let cache = uptimeCache, cache.days == days, now.timeIntervalSince(cache.at) < 60 { return cache.value }
        await flushHistory()
        let store = try history()
        let names = services.map(\.name)
        let zone = settings.timeZone
        let value = try await Task.detached { try store.uptimeDays(services: names, days: days, now: now, timeZone: zone) }.value
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
                if !pendingHistory.isEmpty { await flushHistory() } else { historyWritable = true; historyError = nil }
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
