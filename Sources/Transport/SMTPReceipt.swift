import SwitchboardBase

/// What the server said when it accepted a message.
public struct SMTPReceipt: Sendable {
    /// The final reply code after the message data, normally 250.
    public let responseCode: Int
    /// Wall time of the send, connection setup included when the session had to connect.
    public let seconds: Double
    /// The final reply, such as `250 2.0.0 Ok: queued as 65EFDFC0E6` (the queue id finds the
    /// message in the server's log).
    public let serverReply: String
    /// Recipients the server refused while accepting the others; empty when all were accepted.
    public let rejectedRecipients: [SMTPRejectedRecipient]

    /// Builds a receipt; the session does, and fakes of the mail transport may too.
    public init(responseCode: Int, seconds: Double, serverReply: String = "", rejectedRecipients: [SMTPRejectedRecipient] = []) {
        self.responseCode = responseCode
        self.seconds = seconds
        self.serverReply = serverReply
        self.rejectedRecipients = rejectedRecipients
    }
}
