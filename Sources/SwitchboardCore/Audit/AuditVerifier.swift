public import Crypto
import SwitchboardBase
public import Foundation
public import GRDB

/// One thing wrong with the audit log.
public struct AuditProblem: Sendable, Equatable, Codable {
    /// `hash-mismatch`, `broken-link`, `gap`, `out-of-order`, `truncated`, `bad-signature`, `checkpoint-mismatch`, `malformed`.
    public var kind: String
    /// The sequence number at fault, when there is one.
    public var seq: Int64?
    /// What was found, with expected and stored values.
    public var detail: String
}

/// The result of a verification.
public struct AuditVerification: Sendable, Codable {
    /// True when no problem was found.
    public var intact: Bool { problems.isEmpty }
    /// Events read.
    public var events: Int64 = 0
    /// The newest sequence number.
    public var lastSeq: Int64 = 0
    /// The newest hash.
    public var lastHash: String = AuditEvent.genesisHash
    /// Checkpoints whose signature and hash were checked and found good.
    public var checkpointsVerified: Int = 0
    /// Problems, in the order found (at most ``AuditVerifier/problemLimit``).
    public var problems: [AuditProblem] = []
    /// Things that could not be checked, which do not make the log bad.
    public var warnings: [String] = []
    /// The smallest sequence number named by a problem.
    public var firstBadSeq: Int64? { problems.compactMap(\.seq).min() }

    enum CodingKeys: String, CodingKey {
        case intact, events, lastSeq = "last_seq", lastHash = "last_hash", checkpointsVerified = "checkpoints_verified"
        case problems, warnings, firstBadSeq = "first_bad_seq"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(intact, forKey: .intact)
        try container.encode(events, forKey: .events)
        try container.encode(lastSeq, forKey: .lastSeq)
        try container.encode(lastHash, forKey: .lastHash)
        try container.encode(checkpointsVerified, forKey: .checkpointsVerified)
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
        problems = try container.decode([AuditProblem].self, forKey: .problems)
        warnings = try container.decode([String].self, forKey: .warnings)
    }

    init() {}
}

/// Walks the hash chain and checks checkpoints: in the database or in a JSON Lines export.
public struct AuditVerifier: Sendable {
    /// Problems kept in a report; counting goes on past it.
    public static let problemLimit = 100

    /// The key checkpoints must be signed with.
    public var publicKeyData: Data?
    /// When true (the default), checkpoints that cannot be checked for want of a key make the log unproven.
    public var requireSignatures = true

    /// A verifier that checks signatures against `publicKey`.
    public init(publicKey: Curve25519.Signing.PublicKey?) {
        publicKeyData = publicKey?.rawRepresentation
    }

    /// A verifier that checks signatures against the key in `publicKeyFile` (nil: signatures unchecked).
    public init(publicKeyFile: String?) throws {
        publicKeyData = try publicKeyFile.map { try AuditKeys.loadPublic($0).rawRepresentation }
    }

    /// Verifies the database's chain, its stored checkpoints and any kept outside.
    public func verify(_ db: Database, external: [AuditCheckpoint] = []) throws -> AuditVerification {
        var walker = ChainWalker()
        let checkpoints = try AuditCheckpoint.all(db)
        walker.watch(checkpoints + external)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT seq, time, actor, os_user, role, tool, host, action, target, outcome, details, prev_hash, hash
            FROM audit_event ORDER BY seq
            """)
        while let row = try rows.next() {
            walker.feed(AuditEvent(row: row))
        }
        return finish(walker, stored: checkpoints, external: external)
    }

    /// Verifies a JSON Lines export offline: its events in file order and its checkpoints.
    public func verify(exportFile path: String, external: [AuditCheckpoint] = []) throws -> AuditVerification {
        let export = try AuditExport.read(path)
        var walker = ChainWalker()
        walker.watch(export.checkpoints + external)
        for event in export.events { walker.feed(event) }
        var result = finish(walker, stored: export.checkpoints, external: external)
        for (line, problem) in export.malformedLines {
            result.problems.insert(AuditProblem(kind: "malformed", seq: nil, detail: "\(path): line \(line): \(problem)"), at: 0)
        }
        return result
    }

    private func finish(_ walker: ChainWalker, stored: [AuditCheckpoint], external: [AuditCheckpoint]) -> AuditVerification {
        var result = walker.result
        let key = publicKeyData.flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
        let all = stored.map { ($0, "stored") } + external.map { ($0, "external") }
        if key == nil, !all.isEmpty {
            let text = "\(all.count) checkpoint signature(s) not checked: no public key (set audit.public_key_file, or give --public-key FILE)"
            if requireSignatures {
                result.add(AuditProblem(kind: "unverifiable", seq: nil, detail: text))
            } else {
                result.warnings.append(text)
            }
        }
        for (checkpoint, origin) in all {
            if let key {
                if checkpoint.keyID != AuditKeys.keyID(key) {
                    result.add(AuditProblem(kind: "bad-signature", seq: checkpoint.seq,
                                            detail: "\(origin) checkpoint at seq \(checkpoint.seq) was signed by key \(checkpoint.keyID), not the configured key \(AuditKeys.keyID(key))"))
                    continue
                }
                if !checkpoint.isValid(for: key) {
                    result.add(AuditProblem(kind: "bad-signature", seq: checkpoint.seq,
                                            detail: "\(origin) checkpoint at seq \(checkpoint.seq) has a signature that does not verify"))
                    continue
                }
            }
            if checkpoint.seq > result.lastSeq {
                let firstMissing = result.lastSeq.addingReportingOverflow(1).partialValue
                result.add(AuditProblem(kind: "truncated", seq: firstMissing,
                                        detail: "the log ends at seq \(result.lastSeq) but a \(origin) checkpoint signed \(checkpoint.time) covers seq \(checkpoint.seq): events \(firstMissing)-\(checkpoint.seq) were removed"))
            } else if let seen = walker.watchedHashes[checkpoint.seq], seen != checkpoint.hash {
                result.add(AuditProblem(kind: "checkpoint-mismatch", seq: checkpoint.seq,
                                        detail: "\(origin) checkpoint at seq \(checkpoint.seq) records hash \(checkpoint.hash.prefix(16))…, the log has \(seen.prefix(16))…"))
            } else if walker.watchedHashes[checkpoint.seq] == nil {
                result.add(AuditProblem(kind: "checkpoint-mismatch", seq: checkpoint.seq,
                                        detail: "\(origin) checkpoint at seq \(checkpoint.seq): that event is missing from the log"))
            } else if key != nil {
                result.checkpointsVerified += 1
            }
        }
        return result
    }
}

/// The chain walk, one event at a time, in the order given.
struct ChainWalker {
    var result = AuditVerification()
    private var expectedSeq: Int64 = 1
    private var previousHash = AuditEvent.genesisHash
    private var watched: Set<Int64> = []
    private(set) var watchedHashes: [Int64: String] = [:]

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
        if watched.contains(event.seq) { watchedHashes[event.seq] = event.hash }
        previousHash = event.hash
        expectedSeq = max(expectedSeq, event.seq.addingReportingOverflow(1).partialValue)
        result.lastSeq = max(result.lastSeq, event.seq)
        result.lastHash = event.hash
    }
}

extension AuditVerification {
    mutating func add(_ problem: AuditProblem) {
        if problems.count < AuditVerifier.problemLimit { problems.append(problem) }
    }
}
