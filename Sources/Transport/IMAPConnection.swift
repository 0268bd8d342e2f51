import Synchronization

/// An IMAP connection for async code: `Sendable`, its blocking commands on a queue of its own.
///
/// Built on ``IMAPSession`` (one login reused by every command until ``close()``). Waiting for a
/// message never blocks a thread: the searches are spaced by the caller's `Clock`.
public final class IMAPConnection: MailboxReading {
    private let session: Mutex<IMAPSession>
    private let executor: BlockingExecutor
    private let username: String
    /// The server this connection reads from.
    public let server: MailServer

    /// Prepares a connection; nothing is contacted until the first command.
    ///
    /// - Throws: ``TransportError`` `.invalidInput` for a bad host, port or login.
    public init(server: MailServer, credentials: MailCredentials) throws {
        session = Mutex(try IMAPSession(server: server, credentials: credentials))
        executor = BlockingExecutor(label: "imap.\(server.endpoint)")
        username = credentials.username
        self.server = server
    }

    private func perform<T: Sendable>(_ body: @escaping @Sendable (IMAPSession) throws -> T) async throws -> T {
        try await executor.run { [self] in try self.session.withLock { try body($0) } }
    }

    public func login() async throws -> Double {
        try await perform { try $0.login() }
    }

    public func quota(mailbox: String) async throws -> QuotaUsage? {
        try await perform { try $0.quota(mailbox: mailbox) }
    }

    public func search(messageID: String, mailbox: String, fromUID: Int?) async throws -> [Int] {
        try await perform { try $0.search(messageID: messageID, mailbox: mailbox, fromUID: fromUID) }
    }

    public func fetch(uid: Int, mailbox: String) async throws -> String {
        try await perform { try $0.fetch(uid: uid, mailbox: mailbox) }
    }

    public func delete(uid: Int, mailbox: String) async throws {
        try await perform { try $0.delete(uid: uid, mailbox: mailbox) }
    }

    public func messageCount(mailbox: String) async throws -> Int {
        try await perform { try $0.messageCount(mailbox: mailbox) }
    }

    public func nextUID(mailbox: String) async throws -> Int {
        try await perform { try $0.nextUID(mailbox: mailbox) }
    }

    public func uidValidity(mailbox: String) async throws -> Int {
        try await perform { try $0.uidValidity(mailbox: mailbox) }
    }

    public func uids(after afterUID: Int, mailbox: String) async throws -> [Int] {
        try await perform { try $0.uids(after: afterUID, mailbox: mailbox) }
    }

    public func waitForMessage(
        messageID: String, mailbox: String, fromUID: Int?, timeout: Duration, clock: any Clock<Duration>
    ) async throws -> Int {
        try await Self.wait(clock: clock, timeout: timeout, describe: {
            "message \(messageID) did not arrive in \(mailbox) of \(self.username) on \(self.server.endpoint) within \(timeout) — check the mail queue and the servers' logs"
        }) {
            try await self.search(messageID: messageID, mailbox: mailbox, fromUID: fromUID).max()
        }
    }

    /// Asks `probe` until it returns a value, pausing 10 ms, then twice as long up to 200 ms, by
    /// `clock`; throws `.timeout` with `describe()` once `timeout` has passed.
    static func wait<C: Clock<Duration>, T>(
        clock: C, timeout: Duration, describe: () -> String, probe: () async throws -> T?
    ) async throws -> T {
        let deadline = clock.now.advanced(by: timeout)
        var pause = Duration.milliseconds(10)
        while true {
            if let value = try await probe() { return value }
            let left = clock.now.duration(to: deadline)
            guard left > .zero else { throw TransportError(code: .timeout, description: describe()) }
            try await clock.sleep(for: min(pause, left), tolerance: nil)
            pause = min(pause * 2, .milliseconds(200))
        }
    }

    /// Connections opened so far.
    public var connectionsOpened: Int {
        session.withLock { $0.connectionsOpened }
    }

    public func close() async {
        _ = try? await executor.run { [self] in self.session.withLock { $0.close() } }
    }
}
