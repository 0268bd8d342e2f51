public import HealthMonitor
import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle

/// healthd's HTTP side, a `Service` of the daemon's `ServiceGroup`: `/livez`, `/readyz`,
/// `/health`, `/metrics`, `/api/v1/status`, `/api/v1/services/{name}` (with `/history` and
/// `/sla`), `POST /api/v1/maintenance` and the status page `/`, all read from a
/// ``HealthStatusSource``. It serves until the group shuts down gracefully (SIGTERM): requests
/// in flight finish, then `run()` returns.
public struct HealthHTTPService: Service {
    private let source: any HealthStatusSource
    private let host: String
    private let port: Int
    private let tokenFile: String?
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// A server for `source` on `host:port` (port 0: a free port, told to `onListening`).
    ///
    /// - Parameters:
    ///   - tokenFile: the file holding the bearer token of `POST /api/v1/maintenance`; nil
    ///     refuses that endpoint (403).
    ///   - onListening: called once the socket listens, with the port it got.
    public init(
        source: any HealthStatusSource, host: String, port: Int, tokenFile: String?, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.source = source
        self.host = host
        self.port = port
        self.tokenFile = tokenFile
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until graceful shutdown; throws when the address cannot be bound.
    public func run() async throws {
        let responder = HealthResponder(source: source, token: BearerToken(file: tokenFile), logger: logger)
        let port = self.port, host = self.host, logger = self.logger, onListening = self.onListening
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("healthd serves HTTP", metadata: ["address": "\(host):\(bound)"])
                await onListening(bound)
            },
            logger: logger
        )
        try await application.run()
    }
}
