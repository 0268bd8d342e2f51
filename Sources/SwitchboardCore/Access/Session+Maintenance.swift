import Logging
import SwitchboardBase

extension Session {
    /// Backs the database up to `destination` and records the real outcome once the copy is checked.
    ///
    /// The event is written after the work, so it says what happened: `ok` with the copy's audit
    /// position and size, or `failed` with why (the copy failed its checks, the folder was not
    /// writable). A refusal by the policy is audited before anything is copied.
    public func backup(to destination: String, verifier: AuditVerifier) throws -> DatabaseReport {
        try authorize(.databaseBackup, target: "database")
        if let reason = database.readOnlyReason {
            // The backup's event could not be written: refuse before anything is copied.
            throw StorageError(.readOnly, "database \(database.path) is open read-only (\(reason)): a backup records itself in the audit log; run it as a user who may write the file, or copy the file as it is")
        }
        var details = AuditDetails()
        details["destination"] = destination
        let report: DatabaseReport
        do {
            report = try database.backup(to: destination, verifier: verifier)
        } catch {
            details["error"] = String(describing: error)
            do {
                try record(.databaseBackup, target: "database", outcome: .failed, details: details)
            } catch let recordError {
                logger.error("the failed backup to \(destination) could not be recorded: \(recordError)")
            }
            throw error
        }
        details["audit_last_seq"] = report.audit.lastSeq
        details["bytes"] = report.fileBytes
        try record(.databaseBackup, target: "database", details: details)
        return report
    }
}
