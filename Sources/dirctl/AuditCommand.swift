import ArgumentParser
import Foundation
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read, verify, sign and export the tamper-evident audit log.",
        subcommands: [Log.self, Verify.self, Export.self, Keygen.self, Checkpoint.self])

    struct Log: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "log", 
            abstract: "Show audit events, oldest first.",
            discussion: """
                Dates are in the configured time zone: 2026-11-29, "2026-11-29 08:30", ISO 8601 with a zone, or relative to now: today, yesterday, 7d, 2w, 12h, "2 weeks ago".
                --action person matches person.add, person.update, ...; --target person matches person:an.nguyen.

                --about LOGIN finds every event about a person: their own (person:LOGIN); their mailboxes' (every address a mailbox of theirs has or had, renames followed, purged ones included); and every event whose details name them (group memberships added or removed, a removed group's member list, a mailbox created for them, a purge).

                Examples:
                  dirctl audit log --about an.nguyen --since 7d
                  dirctl audit log --since 2026-11-01 --actor lan.tran
                  dirctl audit log --action person.depart --json
                  dirctl audit log --target person:an.nguyen
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("From this time (inclusive): a date, or relative (7d, yesterday).", valueName: "time")) var since: String?
        @Option(help: ArgumentHelp("Before this time: a date, or relative (today).", valueName: "time")) var until: String?
        @Option(help: "Only this actor's events.") var actor: String?
        @Option(help: "Only this action, or actions under it.") var action: String?
        @Option(help: ArgumentHelp("Only this target (KIND:NAME, such as person:an.nguyen), or targets of this kind (person).", valueName: "target")) var target: String?
        @Option(help: ArgumentHelp("Every event about this person: theirs, their mailboxes', their group memberships.", valueName: "login")) var about: String?
        @Option(help: "At most this many of the newest events.") var limit: Int?

        func run(in context: CommandContext) throws {
            try context.session.authorize(.auditRead, target: "audit")
            let zone = context.config.locale.timeZone
            let about = try self.about.map { raw in
                do { return try DirectoryValidation.login(raw) } catch let error as DirectoryError {
                    throw UsageError("--about: \(error.description)")
                }
            }
            let query = AuditQuery(since: try since.map { try DateArgument.parse($0, zone: zone, option: "--since") },
                                   until: try until.map { try DateArgument.parse($0, zone: zone, option: "--until") },
                                   actor: actor, action: action, target: target, limit: limit, about: about)
            let events = try context.database.read { db in
                if let target, !target.contains(":") {
                    let kinds = try AuditLog.targetKinds(db)
                    guard kinds.contains(target) else {
                        throw UsageError("--target \"\(target)\" has no kind: give KIND:NAME (person:\(target), mailbox:ADDRESS, group:NAME) or a kind alone (\(kinds.prefix(8).joined(separator: ", "))); every event about a person: --about LOGIN")
                    }
                }
                let events = try AuditLog.events(db, matching: query)
                if let about, events.isEmpty, !(try AuditLog.subject(db, about: about).inDirectory) {
                    throw DirectoryError(.notFound, "--about \(about): no such person in the directory and no event about them (try `dirctl person search NAME`)")
                }
                return events
            }
            if global.json { try Console.json(events.map(AuditEventOutput.init)); return }
            Console.table(["SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "DETAILS"], events.map { event in
                let actor = event.actor == event.osUser ? event.actor : "\(event.actor) (\(event.osUser))"
                return [String(event.seq), Console.localTime(event.time, zone: zone, seconds: true), actor, event.action, event.target, event.outcome, event.details]
            })
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify", 
            abstract: "Verify the hash chain, gaps, time order, checkpoint signatures and truncation. Exit 0 intact, 1 tampered.",
            discussion: """
                Checks the database's log, or with --file a JSON Lines export (offline, no database needed).

                --checkpoint FILE names a checkpoint kept outside the database (`dirctl audit checkpoint --output`): it proves nothing was cut off or changed up to it. --checkpoints DIR checks every file of a series (`dirctl audit checkpoint --output-dir`); the newest one that verifies bounds what anyone with write access to the database can forge, and the events after it are reported as not anchored.

                Problems (exit 1): a changed, missing or reordered event; a checkpoint whose hash or signature does not match; a log shorter than a checkpoint; a deleted checkpoint row; time running backwards by more than audit.clock_step_tolerance_seconds.

                Warnings (exit 0, or 1 with --strict) are what the log alone cannot prove either way: checkpoints that audit.checkpoint_every calls for but that are not stored (only a process that can read the signing key signs them), signatures not checked.

                Examples:
                  dirctl audit verify
                  dirctl audit verify --checkpoint /srv/vault/checkpoint-2026-11-29.json
                  dirctl audit verify --checkpoints /mnt/audit-anchor/switchboard
                  dirctl audit verify --file audit-11.jsonl --public-key audit.pub --json
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Verify this JSON Lines export instead of the database.") var file: String?
        @Option(help: "A checkpoint file kept outside the database (repeatable).") var checkpoint: [String] = []
        @Option(help: "A folder of checkpoint files (`dirctl audit checkpoint --output-dir`): check the log against every one.") var checkpoints: String?
        @Option(help: "The public key (default: audit.public_key_file).") var publicKey: String?
        @Flag(help: "Check the chain only, when no public key is at hand (checkpoint signatures then prove nothing).") var noSignatures = false
        @Flag(help: "Fail (exit 1) on warnings too, such as missing checkpoints.") var strict = false

        func run() async throws {
            try await ExitStatus.run(tool: "dirctl") {
                let loaded = try CommandContext.loadConfig(global)
                let keyFile = publicKey ?? loaded.config.audit.publicKeyFile
                // The key is needed to check a checkpoint kept outside; otherwise it is used when present.
                let audit = loaded.config.audit
                // The configured folder of checkpoints when none is named: a folder this user may not
                // read (root's alone) is noted and skipped, not an error.
                // A configured folder that cannot be checked (missing, unmounted, root's alone, empty)
                // leaves the log unproven: a warning, which --strict turns into a failure.
                var notes: [String] = []
                var unchecked: [AuditProblem] = []
                var folder = checkpoints
                if folder == nil, !audit.checkpointDir.isEmpty {
                    if access(audit.checkpointDir, R_OK | X_OK) == 0 {
                        folder = audit.checkpointDir
                    } else {
                        unchecked.append(AuditProblem(kind: "checkpoints-unchecked", seq: nil, detail:
                            "the checkpoints in \(audit.checkpointDir) (audit.checkpoint_dir) were not checked: \(String(cString: strerror(errno)))"
                            + (OperatingSystem.isRoot ? " (is the share mounted?)" : " for this user (root can check them)")))
                    }
                }
                let needed = publicKey != nil || !checkpoint.isEmpty || folder != nil || audit.publicKeyID != nil
                    || FileManager.default.fileExists(atPath: keyFile)
                var external = try checkpoint.map { SourcedCheckpoint(try AuditCheckpointFile.read($0), source: $0, external: true) }
                var seriesProblems: [AuditProblem] = []
                if let folder {
                    do {
                        let series = try AuditCheckpointSeries.read(folder: folder, origin: audit.origin)
                        external += series.checkpoints
                        seriesProblems = series.problems
                    } catch let error as InputFileError where checkpoints == nil {
                        unchecked.append(AuditProblem(kind: "checkpoints-unchecked", seq: nil, detail: "\(error.description) (audit.checkpoint_dir)"))
                    }
                }
                if audit.publicKeyID == nil, needed, let key = try? AuditKeys.loadPublic(keyFile) {
                    notes.append("audit.public_key_id is not set: a replaced public key file would go unnoticed; pin this one with `public_key_id: \(AuditKeys.keyID(key))` under audit: in \(loaded.file ?? "the config")")
                }
                var verifier = try AuditVerifier(settings: loaded.config.audit, publicKeyFile: needed ? keyFile : nil)
                verifier.requireSignatures = !noSignatures
                var result: AuditVerification
                if let file {
                    result = try verifier.verify(exportFile: file, external: external)
                } else {
                    let context = try CommandContext.open(global, tool: "dirctl")
                    try context.session.authorize(.auditVerify, target: "audit")
                    result = try context.database.read { db in try verifier.verify(db, external: external) }
                }
                result.problems.insert(contentsOf: seriesProblems, at: 0)
                result.warnings += unchecked
                if global.json {
                    try Console.json(result)
                } else {
                    let outside = external.count
                    let source = (file ?? "the database") + (outside == 0 ? "" : " and \(outside) checkpoint file(s) kept outside")
                    let summary = "\(result.events) events, last seq \(result.lastSeq), \(result.checkpointsVerified) checkpoint(s) verified"
                    switch result.status {
                    case "intact":
                        Console.out("audit log intact: \(summary) (\(source))")
                    case "unproven":
                        Console.out("audit log UNPROVEN: no tampering found (\(summary)), but \(result.warnings.count) warning(s) below (\(source))")
                    default:
                        Console.out("audit log TAMPERED: first bad seq \(result.firstBadSeq.map(String.init) ?? "?") (\(source))")
                        for problem in result.problems { Console.out("  \(problem.kind): \(problem.detail)") }
                    }
                    for warning in result.warnings { Console.out("  warning \(warning.kind): \(warning.detail)") }
                    for note in notes { Console.out("  note: \(note)") }
                    if let anchor = result.anchor {
                        let tail = anchor.unanchoredEvents == 0
                            ? "no event came after it"
                            : (anchor.unanchoredEvents == 1 ? "event \(result.lastSeq) came after it and is" : "events \(anchor.seq + 1)-\(result.lastSeq) came after it and are")
                                + " NOT anchored: nothing kept off this host vouches for them (anyone with write access to the database could have added or changed them)"
                        Console.out("  anchored: seq 1-\(anchor.seq) by \(anchor.source) (signed \(anchor.time)); \(tail)")
                    } else if outside > 0 {
                        Console.out("  anchored: not at all: no checkpoint kept outside verified")
                    }
                }
                if !result.intact || (strict && !result.warnings.isEmpty) { throw ExitStatus.failed }
            }
        }
    }

    struct Export: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "export", 
            abstract: "Export the log, or the events of a time window, as JSON Lines (verifiable offline) or RFC 5424 syslog lines.",
            discussion: """
                --since and --until take the dates `audit log` takes (2026-11-01, yesterday, 7d). A JSON Lines export cut by time says so in its header; `audit verify --file` then checks the links between its events and warns that the events before them are not covered.

                Examples:
                  dirctl audit export --format jsonl --output audit.jsonl
                  dirctl audit export --since 2026-11-01 --until 2026-12-01 --output nov.jsonl
                  dirctl audit export --format syslog --since yesterday | logger --rfc5424
                """)
        enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, syslog }
        @OptionGroup var global: GlobalOptions
        @Option(help: "jsonl or syslog.") var format: Format = .jsonl
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @Option(help: ArgumentHelp("Only events from this time (inclusive).", valueName: "time")) var since: String?
        @Option(help: ArgumentHelp("Only events before this time.", valueName: "time")) var until: String?

        func run(in context: CommandContext) throws {
            let zone = context.config.locale.timeZone
            let since = try self.since.map { try DateArgument.parse($0, zone: zone, option: "--since") }
            let until = try self.until.map { try DateArgument.parse($0, zone: zone, option: "--until") }
            try context.session.perform(.auditExport, target: "audit") { _, details in
                details["format"] = format.rawValue
                if let since { details["since"] = Timestamp.format(since) }
                if let until { details["until"] = Timestamp.format(until) }
            }
            let sink = try OutputSink(path: output)
            try context.database.read { db in
                switch format {
                case .jsonl:
                    try AuditExport.writeJSONLines(db, origin: context.config.audit.origin, since: since, until: until, to: sink.write)
                case .syslog:
                    for event in try AuditLog.events(db, matching: AuditQuery(since: since, until: until)) { sink.write(AuditExport.syslogLine(event) + "\n") }
                }
            }
            try sink.close()
        }
    }

    struct Keygen: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "keygen", 
            abstract: "Make the Ed25519 key pair that signs checkpoints (paths from the config).",
            discussion: "Example:\n  dirctl audit keygen\n\nKeep a copy of the public key outside this host: it is what verifies checkpoints.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Replace an existing key pair.") var force = false

        func run(in context: CommandContext) throws {
            let audit = context.config.audit
            // The keys are written inside the transaction of their event: a key pair that cannot be
            // written records nothing, and an event that cannot be written rolls back with the error.
            let keyID = try context.session.perform(.auditKeygen, target: "audit:key") { _, details in
                let keyID = try AuditKeys.generate(privateKeyFile: audit.signingKeyFile, publicKeyFile: audit.publicKeyFile,
                                                   overwrite: force, databaseFile: context.database.path)
                details["key_id"] = keyID
                details["public_key_file"] = audit.publicKeyFile
                return keyID
            }
            Console.out("New audit signing key \(keyID): private \(audit.signingKeyFile) (mode 600), public \(audit.publicKeyFile)")
            if audit.publicKeyID != keyID {
                Console.out("Pin it: set `public_key_id: \(keyID)` under audit: in \(context.loaded.file ?? ConfigLoader.systemFile), so that verify refuses any other key")
            }
        }
    }

    struct Checkpoint: DirctlCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", 
            abstract: "Sign a checkpoint over the newest event now; optionally write it to a file or a series kept elsewhere.",
            discussion: """
                --output-dir adds one file to a series in DIR, named checkpoint-<seq>-<time>.json so that names sort by seq; a file is never overwritten and DIR is never created. Meant for a folder on another host or a write-once mount, written every few minutes by the timer in ops/systemd/; `dirctl audit verify --checkpoints DIR` checks the log against the whole series. When nothing was logged since the newest file of the series, no event is recorded and no file written.

                Examples:
                  dirctl audit checkpoint --output /srv/vault/checkpoint-$(date +%F).json
                  dirctl audit checkpoint --output-dir /mnt/audit-anchor/switchboard
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Also write the checkpoint to this file.") var output: String?
        @Option(help: "Also add the checkpoint to the series of files in this folder (never overwritten); default: audit.checkpoint_dir.") var outputDir: String?

        func run(in context: CommandContext) throws {
            try context.session.authorize(.auditCheckpoint, target: "audit")
            let audit = context.config.audit
            let outputDir = self.outputDir ?? (audit.checkpointDir.isEmpty ? nil : audit.checkpointDir)
            if let outputDir, self.outputDir == nil { try AuditCheckpointSeries.requirePrivateFolder(outputDir) }
            let signer = try CheckpointSigner(signingKeyFile: audit.signingKeyFile, origin: audit.origin)
            if let outputDir { try AuditCheckpointSeries.requireFolder(outputDir) }
            if let outputDir, output == nil, let newest = try Self.newestInSeries(outputDir, origin: audit.origin),
               try context.database.read({ db in try AuditLog.newest(db) }).map({ $0.seq == newest.seq && $0.hash == newest.hash }) == true {
                // A timer run with nothing new: no event, no file (the series would otherwise grow by
                // one file and the log by one event every run on an idle system).
                if global.json { try Console.json(newest) } else {
                    Console.out("Nothing logged since the newest checkpoint in \(outputDir) (seq \(newest.seq)): no file written")
                }
                return
            }
            // Record the request first, so the checkpoint covers its own event.
            try context.session.perform(.auditCheckpoint, target: "audit") { _, details in
                details["key_id"] = signer.keyID
                if let outputDir { details["output_dir"] = outputDir }
            }
            guard let final = try context.session.checkpoint(signer: signer) else {
                throw ExitStatus.failed
            }
            var written: [String] = []
            if let output {
                try AuditCheckpointFile.write(final, to: output)
                written.append(output)
            }
            if let outputDir { written.append(try AuditCheckpointSeries.add(final, to: outputDir)) }
            if global.json { try Console.json(final) } else {
                Console.out("Checkpoint: seq \(final.seq), hash \(final.hash.prefix(16))…, key \(final.keyID)\(written.isEmpty ? "" : ", written to " + written.joined(separator: " and "))")
            }
        }

        /// The newest checkpoint of the series in `folder`, when it has a sound one.
        static func newestInSeries(_ folder: String, origin: String) throws -> AuditCheckpoint? {
            guard let series = try? AuditCheckpointSeries.read(folder: folder, origin: origin) else { return nil }
            return series.checkpoints.last?.checkpoint
        }
    }
}
