import ArgumentParser
import Foundation
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct RestoreCommand: DirctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup back into the live database, in place, after checking it (admin only).",
        discussion: """
            The backup is checked first: integrity, a schema the migrations made (an older one is
            brought up to date on a private copy), an intact audit chain whose stored checkpoints
            verify with the configured key, and agreement with every checkpoint kept outside it
            (audit.checkpoint_dir, the live database's own). A backup older than the newest of those
            checkpoints is refused unless --accept-rollback is given, which the audit log records.

            Before anything is written, the whole live audit log is exported to a JSON Lines file
            (beside the backup unless --audit-export names one; `dirctl audit verify --file` checks
            it). The backup is then copied into the live file with SQLite's online backup API: the
            same file, so Dovecot and Postfix read the restored rows at their next query with no
            reload. A `database.restore` event is appended to the restored log.

            Examples:
              dirctl restore /srv/backup/switchboard-2026-12-01.sqlite --dry-run
              dirctl restore /srv/backup/switchboard-2026-12-01.sqlite
              dirctl restore old.sqlite --accept-rollback --audit-export /root/b.jsonl
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The backup to restore (written by `dirctl backup`).") var file: String
    @Flag(help: "Restore even when the backup ends before the newest checkpoint kept outside it (recorded).") var acceptRollback = false
    @Option(help: "Where to export the live audit log first (default: beside the backup, named after the time).") var auditExport: String?
    @Flag(help: "Check the backup and say what would happen; change nothing.") var dryRun = false

    func run(in context: CommandContext) throws {
        let audit = context.config.audit
        let verifier = try AuditVerifier(settings: audit, publicKeyFile: audit.existingPublicKeyFile)
        let report = try context.session.restore(
            from: file, verifier: verifier, checkpointDir: audit.checkpointDir, origin: audit.origin,
            acceptRollback: acceptRollback, auditExport: auditExport ?? Self.defaultExport(beside: file), dryRun: dryRun)
        if global.json {
            try Console.json(report)
            return
        }
        let schema = report.migrationsApplied.isEmpty ? "schema \(report.backupSchemaVersion)"
            : "schema \(report.backupSchemaVersion), brought up to date (\(report.migrationsApplied.joined(separator: ", ")))"
        let checks = "integrity ok, \(schema), audit intact through seq \(report.backupLastSeq) (\(report.backupCheckpointsVerified) checkpoint(s) verified)"
        let contents = "\(report.people) people, \(report.mailboxes) mailboxes"
        let rollback = report.rollback ? "; rolls the log back past the checkpoint at seq \(report.newestCheckpointSeq ?? 0) (accepted)" : ""
        if report.dryRun {
            Console.out("Would restore \(file) (sha256 \(report.sha256.prefix(16))…): \(checks); \(contents)")
            Console.out("The live log ends at seq \(report.liveLastSeq): \(report.eventsReplaced) event(s) after seq \(report.backupLastSeq) would be replaced (exported first to \(auditExport ?? Self.defaultExport(beside: file)))\(rollback). Nothing was changed (dry run).")
        } else {
            Console.out("Restored \(file) into \(context.database.path): \(checks); \(contents)")
            Console.out("The live log ended at seq \(report.liveLastSeq); \(report.eventsReplaced) event(s) after seq \(report.backupLastSeq) were replaced, exported to \(report.auditExport ?? "")\(rollback). Recorded as seq \(report.restoreSeq ?? 0).")
        }
    }

    /// `<backup folder>/audit-before-restore-<UTC time>.jsonl`.
    static func defaultExport(beside file: String) -> String {
        let folder = (file as NSString).deletingLastPathComponent
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return (folder.isEmpty ? "." : folder) + "/audit-before-restore-\(formatter.string(from: Date())).jsonl"
    }
}
