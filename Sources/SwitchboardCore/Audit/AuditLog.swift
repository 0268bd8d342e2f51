public import Foundation
public import SwitchboardBase
public import GRDB

/// Appends to and reads the hash-chained audit log.
public struct AuditLog: Sendable {
    /// Signs a checkpoint automatically every `checkpointEvery` events when a signer is set.
    public var checkpointEvery: Int
    /// The checkpoint signer, when this process can read the signing key.
    public var signer: CheckpointSigner?
    /// Calendar time of the events.
    public var clock: any WallClock

    /// A log with an optional automatic checkpoint policy.
    public init(checkpointEvery: Int = 0, signer: CheckpointSigner? = nil, clock: any WallClock = SystemWallClock()) {
        self.checkpointEvery = checkpointEvery
        self.signer = signer
        self.clock = clock
    }

    /// Appends one event inside the caller's write transaction, so the change and its record commit together.
    ///
    /// Called by ``Session`` only: every change goes through its funnel.
    @discardableResult
    public func append(
        _ db: Database, context: AuditContext, action: Action, target: String,
        outcome: AuditOutcome = .ok, details: AuditDetails = AuditDetails()
    ) throws -> AuditEvent {
        try append(db, context: context, action: action.rawValue, target: target, outcome: outcome, details: details)
    }

    /// Appends an event under any action name: internal, for this module's tests of the chain itself.
    @discardableResult
    func append(
        _ db: Database, context: AuditContext, action: String, target: String,
        outcome: AuditOutcome = .ok, details: AuditDetails = AuditDetails()
    ) throws -> AuditEvent {
        // Statements cached on the connection: an import appends thousands of events in one
        // transaction, and preparing these two anew each time was most of its lock time.
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"))
        let previous: Int64 = last?["seq"] ?? 0
        let (seq, overflow) = previous.addingReportingOverflow(1)
        guard !overflow else { throw AuditError(.tampered, "audit log: the last seq is \(previous), which no real log reaches: it was tampered with (run `dirctl audit verify`)") }
        var event = AuditEvent(
            seq: seq, time: Timestamp.format(clock.now()), actor: context.actor, osUser: context.osUser,
            role: context.role, tool: context.tool, host: context.host, action: action, target: target,
            outcome: outcome.rawValue, details: details.canonicalJSON,
            prevHash: last?["hash"] ?? AuditEvent.genesisHash, hash: "")
        event.hash = event.computedHash()
        try db.cachedStatement(sql: """
            INSERT INTO audit_event (seq, time, actor, os_user, role, tool, host, action, target, outcome, details, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [event.seq, event.time, event.actor, event.osUser, event.role, event.tool, event.host,
                                     event.action, event.target, event.outcome, event.details, event.prevHash, event.hash])
        if let signer, checkpointEvery > 0, seq % Int64(checkpointEvery) == 0 {
            try signer.sign(seq: seq, hash: event.hash, time: event.time).insert(db)
        }
        return event
    }

    /// Signs a checkpoint over the newest event now, inside the caller's write transaction.
    public func checkpoint(_ db: Database, signer: CheckpointSigner) throws -> AuditCheckpoint? {
        guard let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1") else {
            return nil
        }
        let checkpoint = signer.sign(seq: last["seq"], hash: last["hash"], time: Timestamp.format(clock.now()))
        try checkpoint.insert(db)
        return checkpoint
    }
}

/// Filters for reading the audit log.
public struct AuditQuery: Sendable {
    /// Events at or after this time.
    public var since: Date?
    /// Events before this time.
    public var until: Date?
    /// Events by this actor login.
    public var actor: String?
    /// Events whose action equals this, or starts with it followed by a dot (`person` matches `person.add`).
    public var action: String?
    /// Events whose target equals this, or starts with it followed by a colon (`person` matches `person:lan`).
    public var target: String?
    /// At most this many of the newest matching events.
    public var limit: Int?
    /// Events about this person (a login): see ``AuditLog/subject(_:about:)`` for what counts.
    public var about: String?

    /// No filter.
    public init(since: Date? = nil, until: Date? = nil, actor: String? = nil, action: String? = nil, target: String? = nil,
                limit: Int? = nil, about: String? = nil) {
        self.since = since
        self.until = until
        self.actor = actor
        self.action = action
        self.target = target
        self.limit = limit
        self.about = about
    }
}

extension AuditLog {
    /// The newest event's seq and hash, or nil for an empty log.
    public static func newest(_ db: Database) throws -> (seq: Int64, hash: String)? {
        try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").map { ($0["seq"], $0["hash"]) }
    }

    /// Reads events matching `query`, oldest first.
    public static func events(_ db: Database, matching query: AuditQuery) throws -> [AuditEvent] {
        var clauses: [SQL] = []
        if let since = query.since { clauses.append("time >= \(Timestamp.format(since))") }
        if let until = query.until { clauses.append("time < \(Timestamp.format(until))") }
        if let actor = query.actor { clauses.append("actor = \(actor)") }
        if let action = query.action { clauses.append("(action = \(action) OR action LIKE \(SQLLike.escape(action) + ".%") ESCAPE '\\')") }
        if let target = query.target { clauses.append("(target = \(target) OR target LIKE \(SQLLike.escape(target) + ":%") ESCAPE '\\')") }
        if let about = query.about { clauses.append(try subject(db, about: about).clause) }
        var sql: SQL = "SELECT * FROM audit_event"
        if !clauses.isEmpty { sql.append(literal: " WHERE " + clauses.joined(separator: " AND ")) }
        sql.append(literal: " ORDER BY seq DESC")
        if let limit = query.limit { sql.append(literal: " LIMIT \(limit)") }
        let rows = try SQLRequest<Row>(literal: sql).fetchAll(db)
        return rows.reversed().map(AuditEvent.init(row:))
    }
}

extension AuditEvent {
    init(row: Row) {
        self.init(
            seq: row["seq"], time: row["time"], actor: row["actor"], osUser: row["os_user"], role: row["role"],
            tool: row["tool"], host: row["host"], action: row["action"], target: row["target"], outcome: row["outcome"],
            details: row["details"], prevHash: row["prev_hash"], hash: row["hash"])
    }
}
