public import SwitchboardBase

/// Why talking to a mail server failed, in words a helpdesk operator can act on.
public struct TransportError: SwitchboardError {
    /// What kind of failure this is.
    public enum Code: Sendable {
        /// The server could not be reached (refused, unreachable, unknown host, connection lost).
        case connectionFailed
        /// TLS could not be set up: no STARTTLS, a bad certificate, or TLS spoken to a plain port.
        case tlsFailed
        /// The server refused the user name and password.
        case authenticationFailed
        /// The server refused the envelope sender (`MAIL FROM`, or a sender check at `RCPT`).
        case senderRejected
        /// The server refused a recipient (`RCPT TO`).
        case recipientRejected
        /// The server refused the message itself (size, quota, content).
        case messageRejected
        /// The server did not answer within ``MailServer/timeoutSeconds``, or a wait ran out.
        case timeout
        /// The server answered something unexpected or refused a command.
        case protocolError
        /// The caller's input was refused before any connection was made (or used).
        case invalidInput
    }

    /// What kind of failure this is.
    public let code: Code
    /// The server's own words, such as `550 5.1.1 <x@y>: Recipient address rejected: ...`;
    /// nil when the server said nothing relevant. Never contains the password.
    public let serverReply: String?
    /// One line that names the server (`host:port`), what failed, and what to try.
    public let description: String

    /// Builds an error; sessions throw these, and fakes of the mail transport may too.
    public init(code: Code, description: String, serverReply: String? = nil) {
        self.code = code
        self.description = description
        self.serverReply = serverReply
    }
}

extension TransportError {
    /// A server that cannot be reached is unavailable (69); a refusal by a reachable server is a failure (1);
    /// input refused before sending is bad data (65).
    public var category: ErrorCategory {
        switch code {
        case .connectionFailed, .timeout, .tlsFailed: .unavailable
        case .invalidInput: .badInput
        default: .failed
        }
    }
}
