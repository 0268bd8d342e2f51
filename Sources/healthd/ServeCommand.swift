import ArgumentParser
import Foundation
import HealthMonitor
import HealthServer
import Logging
import MailAdmin
import Outbox
import ServiceLifecycle
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore
import Transport
import UnixSignals

/// `healthd serve`: the daemon.
struct ServeCommand: HealthdCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the monitor and its HTTP endpoints until SIGTERM.",
        discussion: """
            Probes every service of the `health:` section on its interval, keeps state and
            history, opens incidents and mails alerts, and serves /livez, /readyz, /health,
            /metrics, /api/v1/... and the status page on health.listen (127.0.0.1:9470 by
            default).

            Signals: SIGHUP reloads the configuration (a bad file is refused, with file,
            line and key in the log, and the running one is kept); SIGTERM and SIGINT stop
            gracefully: probes in flight are cancelled and the history written.

            The daemon acts as its OS user's directory person (alerts are queued and sent
            as it): give that person the helpdesk role. POST /api/v1/maintenance acts as
            health.api_actor and needs the bearer token in health.token_file.

            Examples:
              healthd serve
              healthd serve --config /etc/switchboard/switchboard.yaml --verbose
              systemctl reload healthd        # SIGHUP
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Listen on this address instead of health.listen (HOST:PORT; port 0 picks a free one).", valueName: "host:port"))
    var listen: String?
    @Option(help: ArgumentHelp("Write the port actually listened on to this file once listening (for scripts and tests).", valueName: "path"))
    var portFile: String?

    func run(in context: CommandContext) async throws {
        // The daemon acts for the IT center (incidents, alert mail): the helpdesk's or an
        // admin's directory account, never anyone's who can run the installed tool.
        try context.session.authorize(.healthMaintenance, target: "health:serve")
        let settings = try HealthSettings(context.loaded)
        try settings.validateRecipients(in: context.database)
        let lock = try HistoryLock(settings.historyFile)
        defer { lock.release() }
        var host = settings.listenHost
        var port = settings.listenPort
        if let listen {
            guard let parsed = Self.hostPort(listen) else { throw UsageError("--listen \"\(listen)\": expected HOST:PORT, such as 127.0.0.1:9470") }
            (host, port) = parsed
        }
        let logger = context.logger
        let history = settings.historyAccess
        let apiSession = try settings.apiActor.isEmpty ? nil : Session.resolve(
            database: context.database, osUser: settings.apiActor, isRoot: false, asLogin: nil, tool: "healthd-api",
            host: OperatingSystem.hostName(), audit: CommandContext.auditLog(context.config), logger: logger)
        let mail = try MailSettings(context.loaded)
        let composer = try AlertComposer(templatesDir: settings.alerts.templatesDir, from: settings.alerts.from,
                                         statusURL: settings.alerts.statusURL, timeZone: settings.timeZone)
        let hello = settings.alerts.from.split(separator: "@").last.map(String.init) ?? "healthd"
        let alerts = AlertMailer(composer: composer, session: context.session,
                                 outbox: Outbox(session: context.session, relay: mail.server(mail.relay), heloName: hello))
        let monitor = Monitor(
            settings: settings, configFile: context.loaded.file ?? "built-in defaults",
            parts: Monitor.Parts(session: context.session, apiSession: apiSession, alerts: alerts,
                                 prober: CurlServiceProber(transport: try ProbeTransport()), history: history,
                                 version: SwitchboardVersion.current),
            logger: logger)
        let bindHost = host
        let http = HealthHTTPService(
            source: monitor, host: host, port: port, tokenFile: settings.tokenFile.isEmpty ? nil : settings.tokenFile, logger: logger,
            onListening: { [portFile] bound in
                logger.notice("listening on http://\(bindHost):\(bound)/")
                if let portFile { try? AtomicFile.write(Array("\(bound)\n".utf8), to: portFile, mode: 0o644) }
            })
        let reloader = ReloadService(monitor: monitor, options: global, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: MonitorService(monitor: monitor)), .init(service: http), .init(service: reloader)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// `HOST:PORT` (`[::1]:9470` for IPv6).
    static func hostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }
}

/// The monitor as a lifecycle service: runs until graceful shutdown, then stops probing,
/// cancels what is in flight and writes the history before returning.
struct MonitorService: Service {
    let monitor: Monitor

    func run() async throws {
        await withGracefulShutdownHandler {
            await monitor.run()
        } onGracefulShutdown: {
            Task { await monitor.stop() }
        }
    }
}

/// SIGHUP: reads the configuration again; a bad file is refused and the running one kept.
struct ReloadService: Service {
    let monitor: Monitor
    let options: GlobalOptions
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        // Ends at graceful shutdown (the sequence stops), so SIGTERM is not kept waiting.
        for await _ in signals.cancelOnGracefulShutdown() {
            await reload()
        }
    }

    private func reload() async {
        do {
            let loaded = try CommandContext.loadConfig(options)
            let settings = try HealthSettings(loaded)
            let database = try SwitchboardDatabase(path: loaded.config.database.path,
                                                   busyTimeoutMilliseconds: loaded.config.database.busyTimeoutMilliseconds)
            try settings.validateRecipients(in: database)
            await monitor.reload(settings, configFile: loaded.file ?? "built-in defaults")
        } catch {
            logger.error("SIGHUP: \(error)")
            await monitor.reloadRefused(String(describing: error))
        }
    }
}

/// One daemon per history file: a second `healthd serve` on the same file would interleave its
/// results with the first one's (refused by the history, and alerts sent twice). An advisory
/// lock on `FILE.lock`, held while the daemon runs; the kernel drops it when the process ends.
final class HistoryLock: Sendable {
    private let descriptor: Int32

    init(_ historyFile: String) throws {
        let path = historyFile + ".lock"
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o660)
        guard descriptor >= 0 else {
            throw MonitorError(.unavailable, "cannot open \(path) (\(String(cString: strerror(errno)))): the daemon's user must be able to write beside health.history_file")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw MonitorError(.unavailable, "another healthd serve is using \(historyFile) (it holds \(path)): stop it first, or give this one its own health.history_file")
        }
        self.descriptor = descriptor
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
