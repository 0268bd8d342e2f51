internal import CCurl
import SwitchboardBase

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One IMAP connection (login once, reused for every command).
///
/// The connection opens with the first command: greeting, CAPABILITY, STARTTLS when asked,
/// login; libcurl SELECTs a mailbox only when a command needs a different one from the last.
/// A command the server refuses makes libcurl drop the connection; the next command opens
/// and logs in again. Not thread-safe: use one session from one task at a time.
public final class IMAPSession {
    /// The server this session reads from.
    public let server: MailServer
    /// Connections opened so far (CURLINFO_NUM_CONNECTS summed over every command): stays 1
    /// while every command succeeds.
    public internal(set) var connectionsOpened: Int = 0

    private let credentials: MailCredentials
    private var easy: CurlEasy?
    /// The server's capabilities as last announced (after login they include QUOTA, UIDPLUS).
    private var capabilities: Set<String> = []

    /// Prepares a session; nothing is contacted until the first command.
    ///
    /// - Throws: ``TransportError`` with `.invalidInput` for a bad host, port or login name.
    public init(server: MailServer, credentials: MailCredentials) throws {
        let endpoint = server.endpoint
        try MailInput.checkServer(server, service: "IMAP")
        try MailInput.checkToken(credentials.username, what: "IMAP login name", endpoint: endpoint)
        try MailInput.checkPassword(credentials.password.exposedValue, username: credentials.username, endpoint: endpoint)
        self.server = server
        self.credentials = credentials
        do throws(CurlError) {
            let easy = try CurlEasy.make()
            try easy.configure(for: server, credentials: credentials, protocols: "imap,imaps")
            // libcurl's line reader clips a line longer than half its buffer; a message fetched
            // as a literal passes through it (see IMAPResponse). 512 KiB keeps lines of 256 KiB.
            try easy.set(CURLOPT_BUFFERSIZE, 512 * 1024)
            self.easy = easy
        } catch {
            throw TransportError(code: .protocolError, description: "cannot prepare libcurl for IMAP server \(endpoint): \(error.detail)")
        }
    }

    /// Logs in and opens INBOX (SELECT, then NOOP): proves the credentials and the mailbox.
    ///
    /// - Returns: the seconds it took (connect and login included on a new connection).
    /// - Throws: ``TransportError``; `.authenticationFailed` for a refused login.
    public func login() throws -> Double {
        let start = ContinuousClock.now
        _ = try run("NOOP", mailbox: "INBOX", activity: "logging in")
        return start.duration(to: .now).inSeconds
    }

    /// The mailbox's storage quota (`GETQUOTAROOT`).
    ///
    /// - Returns: usage and limit in KiB; nil when the server reports no quota for it.
    public func quota(mailbox: String = "INBOX") throws -> QuotaUsage? {
        try checkMailbox(mailbox)
        if !capabilities.isEmpty && !capabilities.contains("QUOTA") {
            return nil
        }
        let response: IMAPResponse
        do {
            response = try run("GETQUOTAROOT \(MailInput.imapQuoted(mailbox))", mailbox: nil, activity: "reading the quota")
        } catch {
            // A server without the QUOTA extension answers BAD: it has no quota to report.
            if error.code == .protocolError && !capabilities.isEmpty && !capabilities.contains("QUOTA") {
                return nil
            }
            throw error
        }
        return response.storageQuota
    }

    /// UIDs of the messages whose Message-ID header is `messageID` (`UID SEARCH HEADER`).
    ///
    /// - Parameter messageID: with or without the angle brackets.
    /// - Parameter fromUID: search only messages with this UID or above (from ``nextUID(mailbox:)``
    ///   taken before sending), so a large mailbox is not scanned whole.
    public func search(messageID: String, mailbox: String = "INBOX", fromUID: Int? = nil) throws -> [Int] {
        let id = try checkedMessageID(messageID)
        try checkMailbox(mailbox)
        let range = fromUID.map { "UID \(max(1, $0)):* " } ?? ""
        let command = "UID SEARCH \(range)HEADER Message-ID \(MailInput.imapQuoted("<\(id)>"))"
        let found = try run(command, mailbox: mailbox, activity: "searching \(mailbox)").searchUIDs
        // RFC 3501: "n:*" with n above every UID still matches the highest UID; drop it.
        return found.filter { $0 >= (fromUID ?? 0) }
    }

    /// Searches every ~25 ms until the message is there.
    ///
    /// - Returns: its UID (the highest, should there be several).
    /// - Throws: ``TransportError`` `.timeout` when it has not arrived after `timeoutSeconds`.
    public func waitForMessage(messageID: String, mailbox: String = "INBOX", fromUID: Int? = nil, timeoutSeconds: Double) throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(max(0, timeoutSeconds)))
        while true {
            if let uid = try search(messageID: messageID, mailbox: mailbox, fromUID: fromUID).max() {
                return uid
            }
            if clock.now >= deadline {
                throw TransportError(
                    code: .timeout,
                    description: "message <\(try checkedMessageID(messageID))> did not arrive in \(mailbox) of \(credentials.username) on \(server.endpoint) within \(timeoutSeconds) s — check the mail queue and the servers' logs")
            }
            usleep(25_000)
        }
    }

    /// The whole raw message, headers and body, as the server stores it (`BODY.PEEK[]`, so
    /// `\Seen` is not set). Bytes that are not UTF-8 come back as U+FFFD.
    public func fetch(uid: Int, mailbox: String = "INBOX") throws -> String {
        try checkUID(uid)
        try checkMailbox(mailbox)
        let command = "UID FETCH \(uid) BODY.PEEK[]"
        // libcurl reads a literal line by line, and a message line that starts with the
        // command's tag ("A004 OK ...") ends the command early. The tag's letter comes from the
        // connection number, so a fresh connection reads the same message with other tags.
        var freshConnection = false
        for _ in 1...3 {
            let response = try run(command, mailbox: mailbox, activity: "fetching UID \(uid)", freshConnection: freshConnection)
            switch response.fetchedBody {
            case .complete(let bytes):
                return String(decoding: bytes, as: UTF8.self)
            case .absent:
                throw TransportError(
                    code: .protocolError,
                    description: "IMAP server \(server.endpoint) has no message with UID \(uid) in \(mailbox) of \(credentials.username) — it may have been deleted or moved")
            case .truncated:
                freshConnection = true
            }
        }
        throw TransportError(
            code: .protocolError,
            description: "cannot fetch UID \(uid) from \(mailbox) on \(server.endpoint): lines of the message look like IMAP command tags to libcurl on three connections — read it with another client")
    }

    /// Deletes one message for good: `UID STORE +FLAGS (\Deleted)`, then `UID EXPUNGE` (or
    /// `EXPUNGE` on a server without UIDPLUS, which also removes other messages marked deleted).
    public func delete(uid: Int, mailbox: String = "INBOX") throws {
        try checkUID(uid)
        try checkMailbox(mailbox)
        _ = try run("UID STORE \(uid) +FLAGS.SILENT (\\Deleted)", mailbox: mailbox, activity: "deleting UID \(uid)")
        let expunge = capabilities.contains("UIDPLUS") ? "UID EXPUNGE \(uid)" : "EXPUNGE"
        _ = try run(expunge, mailbox: mailbox, activity: "expunging UID \(uid)")
    }

    /// The number of messages in the mailbox (`STATUS mailbox (MESSAGES)`).
    public func messageCount(mailbox: String = "INBOX") throws -> Int {
        try status("MESSAGES", of: mailbox, activity: "counting messages in \(mailbox)", missing: "a message count", \.statusMessages)
    }

    /// The UID the next message delivered to the mailbox will get (`STATUS mailbox (UIDNEXT)`).
    public func nextUID(mailbox: String = "INBOX") throws -> Int {
        try status("UIDNEXT", of: mailbox, activity: "reading UIDNEXT of \(mailbox)", missing: "UIDNEXT", \.statusUIDNext)
    }

    /// The mailbox's UIDVALIDITY (`STATUS mailbox (UIDVALIDITY)`): while it stays the same, a
    /// UID names the same message; when it changes, every UID kept from before is void.
    public func uidValidity(mailbox: String = "INBOX") throws -> Int {
        try status("UIDVALIDITY", of: mailbox, activity: "reading UIDVALIDITY of \(mailbox)", missing: "UIDVALIDITY", \.statusUIDValidity)
    }

    /// One number of `STATUS mailbox (ITEM)`; a reply without it is a protocol error.
    private func status(_ item: String, of mailbox: String, activity: String, missing: String,
                        _ value: KeyPath<IMAPResponse, Int?>) throws -> Int {
        try checkMailbox(mailbox)
        let response = try run("STATUS \(MailInput.imapQuoted(mailbox)) (\(item))", mailbox: nil, activity: activity)
        guard let number = response[keyPath: value] else {
            throw TransportError(
                code: .protocolError,
                description: "IMAP server \(server.endpoint) answered STATUS for \(mailbox) without \(missing)",
                serverReply: response.untaggedLines.joined(separator: "\n"))
        }
        return number
    }

    /// UIDs of the messages above `afterUID`, in ascending order (`UID SEARCH UID n+1:*`).
    public func uids(after afterUID: Int, mailbox: String = "INBOX") throws -> [Int] {
        try checkMailbox(mailbox)
        guard afterUID >= 0 else {
            throw TransportError(code: .invalidInput, description: "UID \(afterUID) is not a message UID: refused before contacting \(server.endpoint)")
        }
        let found = try run("UID SEARCH UID \(afterUID + 1):*", mailbox: mailbox, activity: "listing new messages in \(mailbox)").searchUIDs
        // "n:*" with n above every UID still matches the highest UID; drop it.
        return Set(found.filter { $0 > afterUID }).sorted()
    }

    /// Logs out and closes the connection; later commands throw `.invalidInput`.
    public func close() {
        easy = nil
    }

    /// Runs one custom command. With a mailbox, libcurl SELECTs it first unless it is the
    /// one selected last; without, the command runs in whatever state the connection is in.
    private func run(_ command: String, mailbox: String?, activity: String, freshConnection: Bool = false) throws(TransportError) -> IMAPResponse {
        guard let easy else {
            throw TransportError(code: .invalidInput, description: "the IMAP session to \(server.endpoint) is closed: open a new IMAPSession")
        }
        let exchange = CurlExchange()
        let url = MailInput.url(for: server, plainScheme: "imap", tlsScheme: "imaps", path: mailbox ?? "")
        var failure: CurlError?
        do throws(CurlError) {
            try easy.set(CURLOPT_URL, url)
            try easy.set(CURLOPT_CUSTOMREQUEST, command)
            try easy.set(CURLOPT_FRESH_CONNECT, freshConnection)
            do throws(CurlError) {
                try easy.perform(exchange)
            } catch {
                failure = error
            }
            try easy.set(CURLOPT_FRESH_CONNECT, false)
        } catch {
            failure = failure ?? error
        }
        connectionsOpened = easy.connectionsOpened
        let response = IMAPResponse(exchange)
        if let announced = response.capabilities {
            capabilities = announced
        }
        if let failure {
            throw describe(failure, response: response, command: command, mailbox: mailbox, activity: activity)
                .redacting(credentials.password)
        }
        return response
    }

    private func describe(_ error: CurlError, response: IMAPResponse, command: String, mailbox: String?, activity: String) -> TransportError {
        let endpoint = server.endpoint
        let login = credentials.username
        let reply = response.failedCompletion
        if error.kind == .loginDenied {
            // libcurl 7.88 reports a refused SELECT as CURLE_LOGIN_DENIED too ("Select failed").
            if error.detail.hasPrefix("Select failed"), let mailbox {
                return TransportError(
                    code: .protocolError,
                    description: "IMAP server \(endpoint) cannot open mailbox \(mailbox.debugDescription) of \(login): \(reply ?? error.detail) — check the mailbox name",
                    serverReply: reply)
            }
            return TransportError(
                code: .authenticationFailed,
                description: "IMAP server \(endpoint) refused the login for \(login) — check the user name and password, and that the mailbox and its domain are active",
                serverReply: reply)
        }
        if let generic = TransportError.connectionLevel(error, service: "IMAP", server: server, activity: activity) {
            return generic
        }
        let verb = command.split(separator: " ").prefix(2).joined(separator: " ")
        if error.kind == .serverCommandFailed {
            return TransportError(
                code: .protocolError,
                description: "IMAP server \(endpoint) refused \(verb) while \(activity) for \(login): \(reply ?? error.detail)",
                serverReply: reply)
        }
        return TransportError(
            code: .protocolError, description: "IMAP with \(endpoint) failed while \(activity) for \(login): \(error.detail)", serverReply: reply)
    }

    private func checkMailbox(_ mailbox: String) throws(TransportError) {
        try MailInput.checkToken(mailbox, what: "mailbox name", endpoint: server.endpoint)
        guard mailbox.unicodeScalars.allSatisfy(\.isASCII) else {
            throw TransportError(
                code: .invalidInput,
                description: "mailbox name \(mailbox.debugDescription) is not ASCII; IMAP needs it in modified UTF-7, which this client does not encode")
        }
    }

    private func checkUID(_ uid: Int) throws(TransportError) {
        guard uid > 0 else {
            throw TransportError(code: .invalidInput, description: "UID \(uid) is not a message UID (they start at 1): refused before contacting \(server.endpoint)")
        }
    }

    /// The Message-ID without its angle brackets, refused if it could break the command.
    private func checkedMessageID(_ messageID: String) throws(TransportError) -> String {
        var id = Substring(messageID)
        if id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 {
            id = id.dropFirst().dropLast()
        }
        try MailInput.checkToken(String(id), what: "Message-ID", endpoint: server.endpoint)
        return String(id)
    }
}
