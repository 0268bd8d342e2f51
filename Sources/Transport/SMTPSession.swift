internal import CCurl
import SwitchboardBase

/// One SMTP connection, reused for every send until closed (libcurl keeps it alive on the same easy handle).
///
/// The connection opens on the first ``send(from:to:message:)``: greeting, EHLO, STARTTLS when
/// asked, AUTH when credentials are given. Later sends go straight to `MAIL FROM`. A send the
/// server refuses makes libcurl drop the connection; the next send opens a new one.
/// Not thread-safe: use one session from one task at a time.
public final class SMTPSession {
    /// The server this session sends through.
    public let server: MailServer
    /// Connections opened so far (CURLINFO_NUM_CONNECTS summed over every send): stays 1 over
    /// any number of accepted sends; each refused send costs the next one a new connection.
    public internal(set) var connectionsOpened: Int = 0

    private static let verbs: Set<String> = ["EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY"]

    private let credentials: MailCredentials?
    private var easy: CurlEasy?

    /// Prepares a session; nothing is contacted until the first send.
    ///
    /// - Parameters:
    ///   - credentials: the login for `AUTH` (submission); nil to send without logging in.
    ///   - heloName: the name this client gives in `EHLO`, such as `switchboard.example.org`.
    /// - Throws: ``TransportError`` with `.invalidInput` for a bad host, port, HELO name or login.
    public init(server: MailServer, credentials: MailCredentials?, heloName: String) throws {
        let endpoint = server.endpoint
        try MailInput.checkServer(server, service: "SMTP")
        try MailInput.checkToken(heloName, what: "HELO name", endpoint: endpoint)
        if let credentials {
            try MailInput.checkToken(credentials.username, what: "SMTP login name", endpoint: endpoint)
            try MailInput.checkPassword(credentials.password.exposedValue, username: credentials.username, endpoint: endpoint)
        }
        self.server = server
        self.credentials = credentials
        let url = MailInput.url(for: server, plainScheme: "smtp", tlsScheme: "smtps", path: heloName)
        do throws(CurlError) {
            let easy = try CurlEasy.make()
            try easy.configure(for: server, credentials: credentials, protocols: "smtp,smtps")
            try easy.set(CURLOPT_URL, url)
            try easy.set(CURLOPT_UPLOAD, true)
            // The debug callback is how the session learns which command each reply answers;
            // verbose output goes to it, not to stderr.
            try easy.set(CURLOPT_VERBOSE, true)
            // Deliver to the recipients the server accepts; report the ones it refuses.
            try easy.set(CCurl_OPT_MAIL_RCPT_ALLOWFAILS, true)
            self.easy = easy
        } catch {
            throw TransportError(code: .protocolError, description: "cannot prepare libcurl for SMTP server \(endpoint): \(error.detail)")
        }
    }

    /// Sends one message over the session's connection, opening it first if needed.
    ///
    /// - Parameters:
    ///   - from: the envelope sender (`MAIL FROM`); empty for the null sender `<>`.
    ///   - to: the envelope recipients (`RCPT TO`). When the server refuses some but not all,
    ///     the message goes to the others and the receipt lists the refused ones.
    ///   - message: the whole message, headers and body, with CRLF line endings.
    /// - Returns: the server's final reply code and the time the send took.
    /// - Throws: ``TransportError``. A CR, LF or NUL in `from` or `to`, or a bare CR, bare LF
    ///   or NUL in `message`, is refused with `.invalidInput` before libcurl sees any of it.
    public func send(from: String, to: [String], message: String) throws -> SMTPReceipt {
        let endpoint = server.endpoint
        try MailInput.checkToken(from, what: "sender", endpoint: endpoint, allowEmpty: true)
        guard !to.isEmpty else {
            throw TransportError(code: .invalidInput, description: "no recipients given: refused before contacting \(endpoint)")
        }
        for recipient in to {
            try MailInput.checkToken(recipient, what: "recipient", endpoint: endpoint)
        }
        let upload = Array(message.utf8)
        try MailInput.checkMessage(upload, endpoint: endpoint)
        guard let easy else {
            throw TransportError(code: .invalidInput, description: "the SMTP session to \(endpoint) is closed: open a new SMTPSession")
        }
        guard let recipients = CurlStringList(to) else {
            throw TransportError(code: .protocolError, description: "cannot build the recipient list for \(endpoint): out of memory")
        }

        let exchange = CurlExchange(upload: upload, verbs: Self.verbs, keepsArguments: ["MAIL", "RCPT"])
        let start = ContinuousClock.now
        do throws(CurlError) {
            try withExtendedLifetime(recipients) { () throws(CurlError) in
                try transfer(easy, from: from, recipients: recipients, size: upload.count, exchange: exchange)
            }
            connectionsOpened = easy.connectionsOpened
            let transcript = SMTPTranscript(events: exchange.events)
            return SMTPReceipt(
                responseCode: try easy.info(CURLINFO_RESPONSE_CODE),
                seconds: start.duration(to: .now).inSeconds,
                serverReply: transcript.finalReply?.text ?? "",
                rejectedRecipients: transcript.rejectedRecipients)
        } catch {
            connectionsOpened = easy.connectionsOpened
            throw failure(error, transcript: SMTPTranscript(events: exchange.events), from: from).redacting(credentials?.password)
        }
    }

    /// Says QUIT and closes the connection; later sends throw `.invalidInput`.
    public func close() {
        easy = nil
    }

    /// One transaction; the recipient list is detached from the handle before it may be freed.
    private func transfer(_ easy: CurlEasy, from: String, recipients: CurlStringList, size: Int, exchange: CurlExchange) throws(CurlError) {
        try easy.set(CURLOPT_MAIL_FROM, from)
        try easy.set(CURLOPT_INFILESIZE_LARGE, size: size)
        try easy.set(CURLOPT_MAIL_RCPT, list: recipients)
        var performError: CurlError?
        do throws(CurlError) {
            try easy.perform(exchange)
        } catch {
            performError = error
        }
        try easy.set(CURLOPT_MAIL_RCPT, list: nil)
        if let performError {
            throw performError
        }
    }

    /// Turns libcurl's terse failure ("RCPT failed: 550") into what the server said, about what.
    private func failure(_ error: CurlError, transcript: SMTPTranscript, from: String) -> TransportError {
        let endpoint = server.endpoint
        switch error.kind {
        case .cannotResolve, .cannotConnect, .timeout, .tls, .startTLSUnavailable:
            if let generic = TransportError.connectionLevel(error, service: "SMTP", server: server, activity: "sending") {
                return generic
            }
        case .loginDenied:
            let login = credentials?.username ?? "(none)"
            return TransportError(
                code: .authenticationFailed,
                description: "SMTP server \(endpoint) refused the login for \(login) — check the user name and password, and that the mailbox and its domain are active",
                serverReply: transcript.firstFailure?.reply.text)
        case .connectionLost, .serverCommandFailed, .other:
            break
        }
        let failures = transcript.steps.filter { $0.reply.isFailure && $0.verb != "QUIT" }
        if let step = failures.first(where: { $0.verb == "MAIL" }) {
            return senderOrMessage(step, from: from)
        }
        if let step = failures.first(where: { $0.verb == "DATA" || $0.verb == "." }) {
            return TransportError(
                code: .messageRejected,
                description: "SMTP server \(endpoint) refused the message: \(step.reply.text) — it may be too big, or a mailbox is full",
                serverReply: step.reply.text)
        }
        let refusedRecipients = failures.filter { $0.verb == "RCPT" }
        if let first = refusedRecipients.first {
            if Self.isAboutSender(first.reply) || Self.isAboutSize(first.reply) {
                return senderOrMessage(first, from: from)
            }
            let replies = refusedRecipients.map(\.reply.text)
            let description: String
            if refusedRecipients.count == 1 {
                description = "SMTP server \(endpoint) refused the recipient \(first.address ?? "?"): \(first.reply.text) — check the address"
            } else {
                let list = refusedRecipients.map { "\($0.address ?? "?") (\($0.reply.code))" }.joined(separator: ", ")
                description = "SMTP server \(endpoint) refused all \(refusedRecipients.count) recipients: \(list) — check the addresses; first reply: \(first.reply.text)"
            }
            return TransportError(code: .recipientRejected, description: description, serverReply: replies.joined(separator: "\n"))
        }
        if let step = failures.first {
            let what = step.verb == "CONNECT" ? "the connection" : step.verb
            return TransportError(
                code: step.verb == "CONNECT" ? .connectionFailed : .protocolError,
                description: "SMTP server \(endpoint) refused \(what): \(step.reply.text) — check the server's log",
                serverReply: step.reply.text)
        }
        if let generic = TransportError.connectionLevel(error, service: "SMTP", server: server, activity: "sending") {
            return generic
        }
        return TransportError(code: .protocolError, description: "sending through SMTP server \(endpoint) failed: \(error.detail)")
    }

    /// A refusal of the sender, or (552, 5.2.x, 5.3.4) of the message's size.
    private func senderOrMessage(_ step: SMTPTranscript.Step, from: String) -> TransportError {
        let endpoint = server.endpoint
        if Self.isAboutSize(step.reply) {
            return TransportError(
                code: .messageRejected,
                description: "SMTP server \(endpoint) refused the message: \(step.reply.text) — it is too big for the server or a mailbox is full",
                serverReply: step.reply.text)
        }
        let login = credentials.map { " for login \($0.username)" } ?? ""
        return TransportError(
            code: .senderRejected,
            description: "SMTP server \(endpoint) refused the sender \(from.isEmpty ? "<>" : from)\(login): \(step.reply.text) — a login may send only as its own addresses and granted ones",
            serverReply: step.reply.text)
    }

    /// Postfix checks the sender at RCPT time (smtpd_delay_reject) and says "Sender address
    /// rejected"; RFC 3463 codes 5.1.7 and 5.1.8 are about the sender too.
    private static func isAboutSender(_ reply: SMTPTranscript.Reply) -> Bool {
        let text = reply.text.lowercased()
        return text.contains("sender address rejected") || text.contains(" 5.1.7 ") || text.contains(" 5.1.8 ")
            || text.contains(" 4.1.7 ") || text.contains(" 4.1.8 ")
    }

    /// 552 (storage exceeded) and RFC 3463 mailbox-full / size codes.
    private static func isAboutSize(_ reply: SMTPTranscript.Reply) -> Bool {
        let text = reply.text
        return reply.code == 552 || text.contains(" 5.2.2 ") || text.contains(" 5.2.3 ") || text.contains(" 5.3.4 ")
            || text.contains(" 4.2.2 ") || text.contains(" 4.3.4 ")
    }
}
