import ArgumentParser
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct DoctorCommand: DirctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the database: integrity, schema (exactly the migrations'), WAL size, directory counts, audit chain.",
        discussion: """
            Exit 0 healthy, 1 when a check fails. The schema check compares every table, index, view and trigger (the audit log's append-only triggers among them) with what the migrations make on an empty database, and names each one missing, changed or extra.

            Example:
              dirctl doctor
            """)
    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) throws {
        try context.session.authorize(.databaseDoctor, target: "database")
        let verifier = try AuditVerifier(settings: context.config.audit, publicKeyFile: context.config.audit.existingPublicKeyFile)
        let report = try context.database.report(verifier: verifier)
        if global.json { try Console.json(report) } else {
            let zone = context.config.locale.timeZone
            let people = report.people.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            Console.fields([
                ("database", report.path), ("config", context.loaded.file ?? "built-in defaults"),
                ("integrity", report.integrity),
                ("schema", report.schemaDifferences.isEmpty
                    ? "\(report.schemaVersion), exactly as the migrations made it"
                    : "\(report.schemaVersion), DIFFERS from what the migrations made: "
                        + report.schemaDifferences.map(\.description).joined(separator: "; ")
                        + " (someone changed the file outside the tools: restore it from a good backup)"),
                ("size", "\(report.fileBytes) bytes, WAL \(report.walBytes) bytes"),
                ("directory", "\(report.units) units, \(report.groups) groups, \(report.rooms) rooms; people: \(people.isEmpty ? "none" : people)"),
                ("audit", report.audit.intact
                    ? "intact, \(report.audit.events) events, last \(Console.localTime(report.lastEventTime, zone: zone))"
                        + (report.audit.warnings.isEmpty ? "" : "; \(report.audit.warnings.count) warning(s): "
                            + report.audit.warnings.map(\.kind).joined(separator: ", ") + " (run `dirctl audit verify`)")
                    : "TAMPERED at seq \(report.audit.firstBadSeq.map(String.init) ?? "?") (run `dirctl audit verify`)"),
                ("checkpoint", report.lastCheckpoint.map { "seq \($0.seq) at \(Console.localTime($0.time, zone: zone)), key \($0.keyID)" } ?? "none yet (`dirctl audit keygen`, then `dirctl audit checkpoint`)"),
            ])
        }
        if !report.healthy { throw ExitStatus.failed }
    }
}
