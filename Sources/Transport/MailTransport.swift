/// Sends mail over one SMTP connection (submission with a login, or a relay without).
public protocol SMTPSending: Sendable {
    /// Sends one message; the envelope is `from` and `to`, the message is CRLF text.
    func send(from: String, to: [String], message: String) async throws -> SMTPReceipt
    /// Ends the connection (QUIT).
    func close() async
}

/// Reads and tidies one mailbox over IMAP, logged in as its owner.
public protocol MailboxReading: Sendable {
    /// Logs in; returns the seconds it took.
    func login() async throws -> Double
    /// The storage quota, or nil when the server reports none.
    func quota(mailbox: String) async throws -> QuotaUsage?
    /// UIDs of messages with this Message-ID (only UIDs from `fromUID` on, when given).
    func search(messageID: String, mailbox: String, fromUID: Int?) async throws -> [Int]
    /// The whole raw message.
    func fetch(uid: Int, mailbox: String) async throws -> String
    /// Deletes and expunges one message.
    func delete(uid: Int, mailbox: String) async throws
    /// How many messages the mailbox holds.
    func messageCount(mailbox: String) async throws -> Int
    /// The UID the next message will get.
    func nextUID(mailbox: String) async throws -> Int
    /// The mailbox's UIDVALIDITY: UIDs kept from another value name other messages.
    func uidValidity(mailbox: String) async throws -> Int
    /// UIDs above `afterUID`, ascending.
    func uids(after afterUID: Int, mailbox: String) async throws -> [Int]
    /// Waits, without blocking a thread, until a message with this Message-ID is there.
    func waitForMessage(messageID: String, mailbox: String, fromUID: Int?, timeout: Duration, clock: any Clock<Duration>) async throws -> Int
    /// Logs out.
    func close() async
}

/// The mail servers as the libraries reach them: the real ones through libcurl by default, a
/// fake in unit tests of logic that needs no server.
public protocol MailTransport: Sendable {
    /// A connection to a submission server that logs in (`mailctl doctor`).
    func submission(_ server: MailServer, credentials: MailCredentials, heloName: String) throws -> any SMTPSending
    /// A connection to a relay that takes mail without a login (notifications, invites).
    func relay(_ server: MailServer, heloName: String) throws -> any SMTPSending
    /// A connection to one mailbox.
    func mailbox(_ server: MailServer, credentials: MailCredentials) throws -> any MailboxReading
}

/// The real mail servers, through libcurl.
public struct CurlMailTransport: MailTransport {
    /// The real transport.
    public init() {}

    public func submission(_ server: MailServer, credentials: MailCredentials, heloName: String) throws -> any SMTPSending {
        try SMTPConnection(server: server, credentials: credentials, heloName: heloName)
    }

    public func relay(_ server: MailServer, heloName: String) throws -> any SMTPSending {
        try SMTPConnection(server: server, credentials: nil, heloName: heloName)
    }

    public func mailbox(_ server: MailServer, credentials: MailCredentials) throws -> any MailboxReading {
        try IMAPConnection(server: server, credentials: credentials)
    }
}

extension MailboxReading {
    /// The INBOX's quota.
    public func quota() async throws -> QuotaUsage? { try await quota(mailbox: "INBOX") }
    /// Searches the INBOX.
    public func search(messageID: String, fromUID: Int? = nil) async throws -> [Int] {
        try await search(messageID: messageID, mailbox: "INBOX", fromUID: fromUID)
    }
    /// Fetches from the INBOX.
    public func fetch(uid: Int) async throws -> String { try await fetch(uid: uid, mailbox: "INBOX") }
    /// Deletes from the INBOX.
    public func delete(uid: Int) async throws { try await delete(uid: uid, mailbox: "INBOX") }
    /// Counts the INBOX.
    public func messageCount() async throws -> Int { try await messageCount(mailbox: "INBOX") }
    /// The INBOX's next UID.
    public func nextUID() async throws -> Int { try await nextUID(mailbox: "INBOX") }
    /// Waits for a message in the INBOX by the continuous clock.
    public func waitForMessage(messageID: String, fromUID: Int? = nil, timeout: Duration) async throws -> Int {
        try await waitForMessage(messageID: messageID, mailbox: "INBOX", fromUID: fromUID, timeout: timeout, clock: ContinuousClock())
    }
}
