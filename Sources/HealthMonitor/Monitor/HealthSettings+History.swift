extension HealthSettings {
    /// The `retention:` days as the history file takes them.
    public var historyRetention: Retention {
        Retention(rawDays: retention.rawDays, hourlyDays: retention.hourlyDays, dailyDays: retention.dailyDays)
    }

    /// The history file, for reading only (it is never created here: only the daemon makes it).
    public func readHistory() throws -> HistoryStore {
        try HistoryStore.reading(path: historyFile, retention: historyRetention)
    }

    /// The history file as the daemon holds it (opened on first use).
    public var historyAccess: HistoryAccess {
        HistoryAccess(path: historyFile, retention: historyRetention)
    }
}
