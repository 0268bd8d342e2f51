public import Crypto
import SwitchboardBase
public import Foundation
public import GRDB

/// One thing wrong with the audit log, or (as a warning) one thing that could not be proven.
public struct AuditProblem: Sendable, Equatable, Codable {
    /// Problems: `hash-mismatch`, `broken-link`, `gap`, `out-of-order`, `truncated`, `bad-signature`,
    /// `checkpoint-mismatch`, `checkpoint-deleted`, `time-backwards`, `malformed`, `unverifiable`.
    /// Warnings: `signatures-unchecked`, `missing-checkpoint`, `checkpoints-unchecked`.
    public var kind: String
    /// The sequence number at fault, when there is one.
    public var seq: Int64?
    /// What was found, with expected and stored values.
    public var detail: String

    /// A problem or warning.
    public init(kind: String, seq: Int64?, detail: String) {
        self.kind = kind
        self.seq = seq
        self.detail = detail
    }
}

/// How far checkpoints kept off the host vouch for the log: the newest one that verified.
public struct AuditAnchor: Sendable, Equatable, Codable {
    /// Where that checkpoint came from (its file).
    public var source: String
    /// The newest event it covers.
    public var seq: Int64
    /// When it was signed (UTC).
    public var time: String
    /// Events after `seq`: nothing kept off the host vouches for them.
    public var unanchoredEvents: Int64

    enum CodingKeys: String, CodingKey {
        case source, seq, time, unanchoredEvents = "unanchored_events"
    }
}

/// The result of a verification.
public struct AuditVerification: Sendable, Codable {
    /// True when no problem was found (warnings may remain: see ``status``).
    public var intact: Bool { problems.isEmpty }
    /// `tampered` with problems; `unproven` with warnings only; else `intact`.
    public var status: String { !problems.isEmpty ? "tampered" : (warnings.isEmpty ? "intact" : "unproven") }
    /// Events read.
    public var events: Int64 = 0
    /// The newest sequence number.
    public var lastSeq: Int64 = 0
    /// The newest hash.
    public var lastHash: String = AuditEvent.genesisHash
    /// Checkpoints whose signature and hash were checked and found good.
    public var checkpointsVerified: Int = 0
    /// How many sequence numbers `checkpoint_every` calls for a stored checkpoint at, with none stored.
    public var missingCheckpoints: Int64 = 0
    /// The newest checkpoint kept off the host that verified, when any was given.
    public var anchor: AuditAnchor?
    /// Problems, in the order found (at most ``AuditVerifier/problemLimit``).
    public var problems: [AuditProblem] = []
    /// Things that could not be checked or proven, which do not by themselves show tampering.
    public var warnings: [AuditProblem] = []
    /// The smallest sequence number named by a problem.
    public var firstBadSeq: Int64? { problems.compactMap(\.seq).min() }

    enum CodingKeys: String, CodingKey {
        case intact, status, events, lastSeq = "last_seq", lastHash = "last_hash", checkpointsVerified = "checkpoints_verified"
        case missingCheckpoints = "missing_checkpoints", anchor
        case problems, warnings, firstBadSeq = "first_bad_seq"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(intact, forKey: .intact)
        try container.encode(status, forKey: .status)
        try container.encode(events, forKey: .events)
        try container.encode(lastSeq, forKey: .lastSeq)
        try container.encode(lastHash, forKey: .lastHash)
        try container.encode(checkpointsVerified, forKey: .checkpointsVerified)
        try container.encode(missingCheckpoints, forKey: .missingCheckpoints)
        try container.encode(anchor, forKey: .anchor)
        try container.encode(problems, forKey: .problems)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(firstBadSeq, forKey: .firstBadSeq)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        events = try container.decode(Int64.self, forKey: .events)
        lastSeq = try container.decode(Int64.self, forKey: .lastSeq)
        lastHash = try container.decode(String.self, forKey: .lastHash)
        checkpointsVerified = try container.decode(Int.self, forKey: .checkpointsVerified)
        missingCheckpoints = try container.decodeIfPresent(Int64.self, forKey: .missingCheckpoints) ?? 0
        anchor = try container.decodeIfPresent(AuditAnchor.self, forKey: .anchor)
        problems = try container.decode([AuditProblem].self, forKey: .problems)
        warnings = try container.decode([AuditProblem].self, forKey: .warnings)
    }

    init() {}
}

/// A checkpoint to check the log against, and where it came from.
public struct SourcedCheckpoint: Sendable {
    /// The checkpoint.
    public var checkpoint: AuditCheckpoint
    /// Where it came from, as reports name it: `stored`, or a file's path.
    public var source: String
    /// True when it was kept off the host (a file), false when stored beside the log.
    public var external: Bool

    /// A checkpoint with its source.
    public init(_ checkpoint: AuditCheckpoint, source: String, external: Bool) {
        self.checkpoint = checkpoint
        self.source = source
        self.external = external
    }
}

/// Walks the hash chain and checks checkpoints: in the database or in a JSON Lines export.
public struct AuditVerifier: Sendable {
    /// Problems kept in a report; counting goes on past it.
    public static let problemLimit = 100
    /// Missing checkpoints named one by one in the warning; the rest are counted.
    static let missingNamedLimit = 10

    /// The key checkpoints must be signed with.
    public var publicKeyData: Data?
    /// When true (the default), checkpoints that cannot be checked for want of a key make the log unproven.
    public var requireSignatures = true
    /// How far an event's time may lie before its predecessor's (a clock stepped back by NTP, say)
    /// before it is reported as `time-backwards` (`audit.clock_step_tolerance_seconds`).
    public var clockStepTolerance: TimeInterval = 300
    /// The checkpoint interval to expect stored checkpoints at (`audit.checkpoint_every`; 0: none expected).
    public var checkpointEvery: Int = 0

    /// A verifier that checks signatures against `publicKey`.
    public init(publicKey: Curve25519.Signing.PublicKey?) {
        publicKeyData = publicKey?.rawRepresentation
    }

    /// A verifier that checks signatures against the key in `publicKeyFile` (nil: signatures unchecked).
    public init(publicKeyFile: String?) throws {
        publicKeyData = try publicKeyFile.map { try AuditKeys.loadPublic($0).rawRepresentation }
    }

    /// A verifier with the tolerance, checkpoint interval and pinned key id of `settings`.
    ///
    /// With `audit.public_key_id` set, the key must be there and have that id: a public key file
    /// replaced along with checkpoints signed by the replacement is refused, whatever file is found.
    public init(settings: SwitchboardConfig.AuditSettings, publicKeyFile: String?) throws {
        let file = publicKeyFile ?? (settings.publicKeyID == nil ? nil : settings.publicKeyFile)
        try self.init(publicKeyFile: file)
        clockStepTolerance = TimeInterval(settings.clockStepToleranceSeconds)
        checkpointEvery = settings.checkpointEvery
        if let pinned = settings.publicKeyID, let file, let data = publicKeyData,
           let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data), AuditKeys.keyID(key) != pinned {
            throw AuditKeyError(file: file, problem: "holds key \(AuditKeys.keyID(key)), but audit.public_key_id pins \(pinned): the file was replaced (restore it from the copy kept off this host), or the key was renewed and the pin not updated")
        }
    }

    /// Verifies the database's chain, its stored checkpoints and any kept outside.
    public func verify(_ db: Database, external: [SourcedCheckpoint] = []) throws -> AuditVerification {
        let stored = try AuditCheckpoint.all(db)
        var walker = walker(stored: stored, external: external)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT seq, time, actor, os_user, role, tool, host, action, target, outcome, details, prev_hash, hash
            FROM audit_event ORDER BY seq
            """)
        while let row = try rows.next() {
            walker.feed(AuditEvent(row: row))
        }
        var result = finish(walker, checkpoints: stored.map { SourcedCheckpoint($0, source: "stored", external: false) } + external)
        // Checkpoint rows are numbered 1, 2, 3... and cannot be deleted while the triggers stand:
        // a hole in the numbers is a deleted checkpoint.
        var expectedID: Int64 = 1
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM audit_checkpoint ORDER BY id") {
            if id > expectedID {
                result.add(AuditProblem(kind: "checkpoint-deleted", seq: nil,
                                        detail: "stored checkpoint row\(id - expectedID > 1 ? "s \(expectedID)-\(id - 1) were" : " \(expectedID) was") deleted (rows are numbered without holes, and the append-only trigger forbids deleting them)"))
            }
            expectedID = id + 1
        }
        return result
    }

    /// Verifies a JSON Lines export offline: its events in file order and its checkpoints.
    public func verify(exportFile path: String, external: [SourcedCheckpoint] = []) throws -> AuditVerification {
        let export = try AuditExport.read(path)
        var walker = walker(stored: export.checkpoints, external: external)
        if export.slice != nil, let first = export.events.first { walker.start(at: first) }
        for event in export.events { walker.feed(event) }
        var result = finish(walker, checkpoints: export.checkpoints.map { SourcedCheckpoint($0, source: "exported", external: false) } + external)
        if let slice = export.slice {
            let window = [slice.since.map { "since \($0)" }, slice.until.map { "until \($0)" }].compactMap { $0 }.joined(separator: " ")
            result.warnings.append(AuditProblem(kind: "slice", seq: export.events.first?.seq, detail:
                "\(path) holds only the events \(window): their links to each other are checked, not the events before seq \(export.events.first?.seq ?? 0)"))
        }
        for (line, problem) in export.malformedLines {
            result.problems.insert(AuditProblem(kind: "malformed", seq: nil, detail: "\(path): line \(line): \(problem)"), at: 0)
        }
        return result
    }

    private func walker(stored: [AuditCheckpoint], external: [SourcedCheckpoint]) -> ChainWalker {
        var walker = ChainWalker(clockStepTolerance: clockStepTolerance, checkpointEvery: Int64(max(0, checkpointEvery)))
        walker.watch(stored + external.map(\.checkpoint))
        walker.stored = Set(stored.map(\.seq))
        return walker
    }

    private func finish(_ walker: ChainWalker, checkpoints all: [SourcedCheckpoint]) -> AuditVerification {
        var result = walker.result
        let key = publicKeyData.flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
        if key == nil, !all.isEmpty {
            let text = "\(all.count) checkpoint signature(s) not checked: no public key (set audit.public_key_file, or give --public-key FILE)"
            if requireSignatures {
                result.add(AuditProblem(kind: "unverifiable", seq: nil, detail: text))
            } else {
                result.warnings.append(AuditProblem(kind: "signatures-unchecked", seq: nil, detail: text))
            }
        }
        for entry in all {
            let checkpoint = entry.checkpoint
            let name = entry.external ? "checkpoint \(entry.source)" : "\(entry.source) checkpoint"
            if let key {
                if checkpoint.keyID != AuditKeys.keyID(key) {
                    result.add(AuditProblem(kind: "bad-signature", seq: checkpoint.seq,
                                            detail: "\(name) at seq \(checkpoint.seq) was signed by key \(checkpoint.keyID), not the configured key \(AuditKeys.keyID(key))"))
                    continue
                }
                if !checkpoint.isValid(for: key) {
                    result.add(AuditProblem(kind: "bad-signature", seq: checkpoint.seq,
                                            detail: "\(name) at seq \(checkpoint.seq) has a signature that does not verify (the file or row was changed after signing)"))
                    continue
                }
            }
            if checkpoint.seq > result.lastSeq {
                let firstMissing = result.lastSeq.addingReportingOverflow(1).partialValue
                result.add(AuditProblem(kind: "truncated", seq: firstMissing,
                                        detail: "the log ends at seq \(result.lastSeq) but \(name) signed \(checkpoint.time) covers seq \(checkpoint.seq): events \(firstMissing)-\(checkpoint.seq) were removed"))
                continue
            }
            guard let seen = walker.watchedHashes[checkpoint.seq] else {
                result.add(AuditProblem(kind: "checkpoint-mismatch", seq: checkpoint.seq,
                                        detail: "\(name) at seq \(checkpoint.seq): that event is missing from the log"))
                continue
            }
            if seen != checkpoint.hash {
                result.add(AuditProblem(kind: "checkpoint-mismatch", seq: checkpoint.seq,
                                        detail: "\(name) at seq \(checkpoint.seq) records hash \(checkpoint.hash.prefix(16))…, the log has \(seen.prefix(16))…: the events up to seq \(checkpoint.seq) were changed after it was signed"))
                continue
            }
            guard key != nil else { continue }
            result.checkpointsVerified += 1
            // The event after a checkpoint was written after the checkpoint was signed: the signed
            // time bounds its time from below (an old event copied to the end keeps its old time).
            if let next = walker.followingTimes[checkpoint.seq], let signed = Timestamp.parse(checkpoint.time),
               let time = Timestamp.parse(next.time), signed.timeIntervalSince(time) > clockStepTolerance {
                result.add(AuditProblem(kind: "time-backwards", seq: next.seq,
                                        detail: "seq \(next.seq) is dated \(next.time), \(Self.span(signed.timeIntervalSince(time))) before \(name) covering only up to seq \(checkpoint.seq) was signed (\(checkpoint.time)): it was written later than its time says"))
            }
            if entry.external, checkpoint.seq >= (result.anchor?.seq ?? 0) {
                result.anchor = AuditAnchor(source: entry.source, seq: checkpoint.seq, time: checkpoint.time,
                                            unanchoredEvents: max(0, result.lastSeq - checkpoint.seq))
            }
        }
        if !walker.missing.isEmpty {
            result.missingCheckpoints = walker.missingCount
            let named = walker.missing.map { "\($0.seq) (by \($0.osUser) with \($0.tool))" }.joined(separator: ", ")
            let more = walker.missingCount > Int64(walker.missing.count) ? " and \(walker.missingCount - Int64(walker.missing.count)) more" : ""
            result.warnings.append(AuditProblem(
                kind: "missing-checkpoint", seq: walker.missing.first?.seq,
                detail: "checkpoint_every is \(checkpointEvery) but \(walker.missingCount) stored checkpoint(s) it calls for are not there: seq \(named)\(more). "
                    + "A warning, not proof: a checkpoint is signed automatically only by a process that can read audit.signing_key_file "
                    + "(not by a user without access to it, nor before `dirctl audit keygen`), so compare who wrote these events with who holds the key; "
                    + "checkpoints kept off the host (`dirctl audit verify --checkpoints DIR`) settle it"))
        }
        return result
    }

    /// A duration for a report: `0.2 s`, `45 s`, `12 min`, `3.5 h`, `2.0 days`.
    static func span(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<10: String(format: "%.1f s", seconds)
        case ..<120: "\(Int(seconds.rounded())) s"
        case ..<7200: "\(Int((seconds / 60).rounded())) min"
        case ..<172_800: String(format: "%.1f h", seconds / 3600)
        default: String(format: "%.1f days", seconds / 86400)
        }
    }
}

/// The chain walk, one event at a time, in the order given.
struct ChainWalker {
    var result = AuditVerification()
    let clockStepTolerance: TimeInterval
    let checkpointEvery: Int64
    /// Sequence numbers that have a stored checkpoint.
    var stored: Set<Int64> = []
    private var expectedSeq: Int64 = 1
    private var previousHash = AuditEvent.genesisHash
    private var previous: (seq: Int64, time: String, date: Date)?
    private var watched: Set<Int64> = []
    private(set) var watchedHashes: [Int64: String] = [:]
    /// For each watched seq, the event that follows it.
    private(set) var followingTimes: [Int64: (seq: Int64, time: String)] = [:]
    /// The first missing checkpoints, with who wrote the event at that seq.
    private(set) var missing: [(seq: Int64, osUser: String, tool: String)] = []
    private(set) var missingCount: Int64 = 0

    init(clockStepTolerance: TimeInterval, checkpointEvery: Int64) {
        self.clockStepTolerance = clockStepTolerance
        self.checkpointEvery = checkpointEvery
    }

    /// Starts the chain at `event` instead of seq 1 (an export cut by time).
    mutating func start(at event: AuditEvent) {
        expectedSeq = event.seq
        previousHash = event.prevHash
    }

    mutating func watch(_ checkpoints: [AuditCheckpoint]) {
        watched.formUnion(checkpoints.map(\.seq))
    }

    mutating func feed(_ event: AuditEvent) {
        result.events += 1
        if event.seq > expectedSeq {
            let lastMissing = event.seq.subtractingReportingOverflow(1).partialValue
            result.add(AuditProblem(kind: "gap", seq: expectedSeq,
                                    detail: "seq \(expectedSeq)\(lastMissing > expectedSeq ? "-\(lastMissing)" : "") missing before seq \(event.seq)"))
        } else if event.seq < expectedSeq {
            result.add(AuditProblem(kind: "out-of-order", seq: event.seq,
                                    detail: "seq \(event.seq) appears after seq \(expectedSeq - 1)"))
        }
        if event.prevHash != previousHash {
            result.add(AuditProblem(kind: "broken-link", seq: event.seq,
                                    detail: "seq \(event.seq) names previous hash \(event.prevHash.prefix(16))…, expected \(previousHash.prefix(16))…"))
        }
        let computed = event.computedHash()
        if computed != event.hash {
            result.add(AuditProblem(kind: "hash-mismatch", seq: event.seq,
                                    detail: "seq \(event.seq) was changed: stored hash \(event.hash.prefix(16))…, its content hashes to \(computed.prefix(16))…"))
        }
        checkTime(event)
        if watched.contains(event.seq) { watchedHashes[event.seq] = event.hash }
        let before = event.seq.subtractingReportingOverflow(1).partialValue
        if watched.contains(before), followingTimes[before] == nil { followingTimes[before] = (event.seq, event.time) }
        if checkpointEvery > 0, event.seq > 0, event.seq % checkpointEvery == 0, !stored.contains(event.seq) {
            missingCount += 1
            if missing.count < AuditVerifier.missingNamedLimit { missing.append((event.seq, event.osUser, event.tool)) }
        }
        previousHash = event.hash
        expectedSeq = max(expectedSeq, event.seq.addingReportingOverflow(1).partialValue)
        result.lastSeq = max(result.lastSeq, event.seq)
        result.lastHash = event.hash
    }

    /// Time runs forward along the chain, but for clock steps within the tolerance.
    private mutating func checkTime(_ event: AuditEvent) {
        guard let date = Timestamp.parse(event.time) else {
            result.add(AuditProblem(kind: "malformed", seq: event.seq,
                                    detail: "seq \(event.seq) has time \"\(event.time)\", not a UTC timestamp (the tools never write that)"))
            return
        }
        if let previous, previous.date.timeIntervalSince(date) > clockStepTolerance {
            result.add(AuditProblem(kind: "time-backwards", seq: event.seq,
                                    detail: "seq \(event.seq) is dated \(event.time), \(AuditVerifier.span(previous.date.timeIntervalSince(date))) before seq \(previous.seq) (\(previous.time)), beyond the \(Int(clockStepTolerance)) s allowed for clock steps (audit.clock_step_tolerance_seconds): an event added later with an old time, or a host clock set back that far (check the system journal)"))
        }
        previous = (event.seq, event.time, date)
    }
}

extension AuditVerification {
    mutating func add(_ problem: AuditProblem) {
        if problems.count < AuditVerifier.problemLimit { problems.append(problem) }
    }
}
