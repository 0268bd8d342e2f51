import ArgumentParser
import Foundation
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
                ("access", Self.access(report.path)),
                ("audit key", Self.keyPin(context.config.audit)),
                ("checkpoint", report.lastCheckpoint.map { "seq \($0.seq) at \(Console.localTime($0.time, zone: zone)), key \($0.keyID)" } ?? "none yet (`dirctl audit keygen`, then `dirctl audit checkpoint`)"),
            ])
        }
        if !report.healthy { throw ExitStatus.failed }
    }

    /// Who besides the owner and group may reach the database file (nobody should).
    static func access(_ path: String) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { return "unknown (\(String(cString: strerror(errno))))" }
        let mode = String(status.st_mode & 0o777, radix: 8)
        let group = getgrgid(status.st_gid).flatMap { $0.pointee.gr_name.map { String(cString: $0) } } ?? "gid \(status.st_gid)"
        if (status.st_mode & 0o007) != 0 {
            return "mode \(mode), group \(group): OTHERS MAY \((status.st_mode & 0o002) != 0 ? "WRITE" : "READ") IT, around the tools and the audit log (chmod o-rwx; README, Running it for real)"
        }
        return "mode \(mode), group \(group): owner and group only"
    }

    /// Whether the public key's id is pinned in the config.
    static func keyPin(_ audit: SwitchboardConfig.AuditSettings) -> String {
        guard let key = try? AuditKeys.loadPublic(audit.publicKeyFile) else {
            return audit.publicKeyID.map { "pinned \($0), but \(audit.publicKeyFile) cannot be read" } ?? "no public key yet (`dirctl audit keygen`)"
        }
        let id = AuditKeys.keyID(key)
        guard let pinned = audit.publicKeyID else {
            return "\(id), NOT pinned: set `public_key_id: \(id)` under audit: so that a replaced key file is refused"
        }
        return pinned == id ? "\(id), pinned" : "\(id) in \(audit.publicKeyFile), but the config pins \(pinned): REPLACED?"
    }
}
