extension HealthSettings {
    /// The `retention:` days as the history file takes them.
    public var historyRetention: Retention {
        Retention(rawDays: retention.rawDays, hourlyDays: retention.hourlyDays, dailyDays: retention.dailyDays)
    }

    /// The history file, opened (created on first use) with these settings' retention.
    public func openHistory() throws -> HistoryStore {
        try HistoryStore(path: historyFile, retention: historyRetention)
    }

    /// The history file as the daemon holds it (opened on first use).
    public var historyAccess: HistoryAccess {
        HistoryAccess(path: historyFile, retention: historyRetention)
    }
}
