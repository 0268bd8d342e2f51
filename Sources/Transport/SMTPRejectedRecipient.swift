import SwitchboardBase

/// A recipient the server refused at `RCPT TO` while it accepted the message for others.
public struct SMTPRejectedRecipient: Sendable, Equatable {
    /// The address as given to ``SMTPSession/send(from:to:message:)``.
    public let address: String
    /// The server's reply, such as `550 5.1.1 <x@y>: Recipient address rejected: ...`.
    public let serverReply: String

    /// Pairs an address with the server's refusal.
    public init(address: String, serverReply: String) {
        self.address = address
        self.serverReply = serverReply
    }
}
