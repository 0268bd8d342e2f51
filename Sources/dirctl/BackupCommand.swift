import ArgumentParser
import Foundation
import Logging
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

            With --into DIR the copy is named after the time (DIR/switchboard-<UTC time>.sqlite);
            --keep N then removes the oldest such files beyond the newest N, only after the new copy
            was checked good, and never any other file in DIR (ops/systemd runs this daily).
            `dirctl restore FILE` puts a backup back.

            Examples:
              dirctl backup /srv/backup/switchboard-$(date +%F).sqlite
              dirctl backup --into /var/backups/switchboard --keep 14
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Where to write the copy (or give --into).") var path: String?
    @Option(help: "Write a copy named after the time into this folder instead.") var into: String?
    @Option(help: "With --into: keep the newest N timed copies there and remove older ones.") var keep: Int?

    /// `switchboard-<UTC time>.sqlite`: names sort by time, and only they are ever pruned.
    static func isTimedName(_ name: String) -> Bool {
        guard name.hasPrefix("switchboard-"), name.hasSuffix(".sqlite") else { return false }
        let stamp = Array(name.dropFirst("switchboard-".count).dropLast(".sqlite".count).utf8)
        guard stamp.count == 16, stamp[8] == UInt8(ascii: "T"), stamp[15] == UInt8(ascii: "Z") else { return false }
        return (stamp[0..<8] + stamp[9..<15]).allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    func validate() throws {
        switch (path, into) {
        case (nil, nil): throw ValidationError("name the copy (dirctl backup FILE) or a folder for a timed copy (--into DIR)")
        case (.some, .some): throw ValidationError("give either FILE or --into DIR, not both")
        default: break
        }
        if let keep {
            guard into != nil else { throw ValidationError("--keep prunes the timed copies of --into DIR: add --into DIR") }
            guard keep >= 1 else { throw ValidationError("--keep must be at least 1 (the copy just made), got \(keep)") }
        }
    }

    func run(in context: CommandContext) throws {
        let destination = path ?? Self.timedPath(in: into ?? ".")
        let verifier = try AuditVerifier(settings: context.config.audit, publicKeyFile: context.config.audit.existingPublicKeyFile)
        let report = try context.session.backup(to: destination, verifier: verifier)
        var removed: [String] = []
        if let into, let keep {
            removed = try Self.prune(into, keep: keep, context: context)
        }
        if global.json {
            try Console.json(BackupOutput(report: report, removed: removed))
        } else {
            Console.out("Backup good: \(destination) (integrity ok, audit intact through seq \(report.audit.lastSeq), \(report.fileBytes) bytes)")
            if !removed.isEmpty {
                Console.out("Removed \(removed.count) older cop\(removed.count == 1 ? "y" : "ies") beyond the newest \(keep ?? 0): \(removed.joined(separator: ", "))")
            }
        }
    }

    static func timedPath(in folder: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return (folder as NSString).appendingPathComponent("switchboard-\(formatter.string(from: Date())).sqlite")
    }

    /// Removes the oldest timed copies in `folder` beyond the newest `keep`, with the caller's rights.
    /// Counting copies, not days: a timer stopped for weeks never leaves fewer than `keep` good copies.
    static func prune(_ folder: String, keep: Int, context: CommandContext) throws -> [String] {
        try CallerIdentity.perform {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
                throw InputFileError(path: folder, problem: "cannot list the backups to prune (the new copy was written): \(error.localizedDescription)")
            }
            let timed = names.filter(isTimedName).sorted(by: >)
            var removed: [String] = []
            for name in timed.dropFirst(keep) {
                let file = (folder as NSString).appendingPathComponent(name)
                var status = stat()
                // Only regular files: a link or folder with a timed name is left alone.
                guard lstat(file, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
                if unlink(file) == 0 {
                    removed.append(file)
                } else {
                    context.logger.warning("cannot remove the old backup \(file): \(String(cString: strerror(errno)))")
                }
            }
            return removed
        }
    }
}

/// `dirctl backup --json`: the copy's report, and the old copies `--keep` removed.
struct BackupOutput: Encodable {
    var report: DatabaseReport
    var removed: [String]

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(removed, forKey: Key(stringValue: "removed"))
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
