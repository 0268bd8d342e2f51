import Synchronization

/// An SMTP connection for async code: `Sendable`, its blocking transfers on a queue of its own.
///
/// Built on ``SMTPSession``: the connection opens on the first send (greeting, EHLO, STARTTLS,
/// AUTH when credentials are given) and is reused by every later send until ``close()``.
public final class SMTPConnection: SMTPSending {
    private let session: Mutex<SMTPSession>
    private let executor: BlockingExecutor
    /// The server this connection sends through.
    public let server: MailServer

    /// Prepares a connection; nothing is contacted until the first send.
    ///
    /// - Throws: ``TransportError`` `.invalidInput` for a bad host, port, HELO name or login.
    public init(server: MailServer, credentials: MailCredentials?, heloName: String) throws {
        session = Mutex(try SMTPSession(server: server, credentials: credentials, heloName: heloName))
        executor = BlockingExecutor(label: "smtp.\(server.endpoint)")
        self.server = server
    }

    public func send(from: String, to: [String], message: String) async throws -> SMTPReceipt {
        try await executor.run { [self] in
            try self.session.withLock { try $0.send(from: from, to: to, message: message) }
        }
    }

    /// New connections opened so far (1 while every send was accepted).
    public var connectionsOpened: Int {
        session.withLock { $0.connectionsOpened }
    }

    public func close() async {
        _ = try? await executor.run { [self] in self.session.withLock { $0.close() } }
    }
}
