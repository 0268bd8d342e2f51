import ArgumentParser
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct BackupCommand: DirctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the live database; the copy must pass integrity_check and audit verify before it is reported good.",
        discussion: """
            Uses SQLite's online backup: the tools keep working meanwhile. The copy is checked, then
            moved into place, so a failed backup never replaces a good one.

            Example:
              dirctl backup /srv/backup/switchboard-$(date +%F).sqlite
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Where to write the copy.") var path: String

    func run(in context: CommandContext) throws {
        let verifier = try AuditVerifier(settings: context.config.audit, publicKeyFile: context.config.audit.existingPublicKeyFile)
        let report = try context.session.backup(to: path, verifier: verifier)
        if global.json { try Console.json(report) } else {
            Console.out("Backup good: \(path) (integrity ok, audit intact through seq \(report.audit.lastSeq), \(report.fileBytes) bytes)")
        }
    }
}
