import SwitchboardBase

/// Storage used by a mailbox and its limit, as IMAP `GETQUOTAROOT` reports them (KiB).
public struct QuotaUsage: Sendable, Equatable {
    /// Storage in use, in KiB (1024 bytes).
    public let usedKiB: Int
    /// The storage limit in KiB; nil for a server that reports usage without a limit.
    public let limitKiB: Int?

    /// Builds a usage report; the session does, and fakes of the mail transport may too.
    public init(usedKiB: Int, limitKiB: Int?) {
        self.usedKiB = usedKiB
        self.limitKiB = limitKiB
    }
}
