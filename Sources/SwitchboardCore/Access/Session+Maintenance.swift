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

extension Session {
    /// Restores the backup `file` into the live database in place (admin only), then records it.
    ///
    /// The event is appended after the restore, to the restored log: it continues the backup's
    /// chain (its seq is the backup's newest plus one, unless another tool's write came first
    /// in the moment between the restore's commit and this event) and names the file, its SHA-256, the live
    /// log's newest seq before and the backup's, how many live events the restore replaced, the
    /// export holding them, and whether a rollback past a checkpoint was accepted. A refused or
    /// failed restore (a damaged, foreign or tampered backup, a rollback not accepted) is recorded
    /// as `failed` in the live log, which it left as it was. A dry run records nothing.
    public func restore(from file: String, verifier: AuditVerifier, checkpointDir: String, origin: String,
                        acceptRollback: Bool, auditExport: String, dryRun: Bool) throws -> RestoreReport {
        try authorize(.databaseRestore, target: "database")
        if !dryRun, let reason = database.readOnlyReason {
            throw StorageError(.readOnly, "database \(database.path) is open read-only (\(reason)): a restore writes it; run it as a user who may write the file")
        }
        var details = AuditDetails()
        details["file"] = file
        var report: RestoreReport
        do {
            report = try database.restore(from: file, verifier: verifier, checkpointDir: checkpointDir, origin: origin,
                                          acceptRollback: acceptRollback, auditExport: auditExport, dryRun: dryRun)
        } catch {
            guard !dryRun else { throw error }
            details["accept_rollback"] = acceptRollback
            details["error"] = String(describing: error)
            do {
                try record(.databaseRestore, target: "database", outcome: .failed, details: details)
            } catch let recordError {
                logger.error("the failed restore from \(file) could not be recorded: \(recordError)")
            }
            throw error
        }
        guard !dryRun else { return report }
        details["sha256"] = report.sha256
        details["live_last_seq"] = report.liveLastSeq
        details["backup_last_seq"] = report.backupLastSeq
        details["events_replaced"] = report.eventsReplaced
        details["audit_export"] = report.auditExport ?? ""
        details["rollback"] = report.rollback
        details["rollback_accepted"] = report.rollbackAccepted
        if let seq = report.newestCheckpointSeq { details["newest_checkpoint_seq"] = seq }
        if !report.migrationsApplied.isEmpty { details["migrations_applied"] = report.migrationsApplied }
        try record(.databaseRestore, target: "database", details: details)
        report.restoreSeq = try database.newestAuditSeq()
        return report
    }
}
