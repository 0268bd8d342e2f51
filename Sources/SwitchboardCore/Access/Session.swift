public import GRDB
public import Logging
import SwitchboardBase

/// The person acting, resolved from the operating-system login, and the one funnel through which
/// every change reaches the database: authorize, change, audit event, in one transaction.
///
/// Nothing outside this type writes to the database: ``SwitchboardDatabase`` keeps its writer to
/// itself, and ``AuditLog/append(_:context:action:target:outcome:details:)`` takes an ``Action``.
public struct Session: Sendable {
    /// The directory login acting.
    public let login: String
    /// The acting person's id, when known.
    public let personID: Int64?
    /// The acting person's role, or nil for an unknown actor.
    public let role: Role?
    /// What audit events record about the actor.
    public let context: AuditContext
    /// The audit log this session writes to.
    public let audit: AuditLog
    /// The database this session acts on.
    public let database: SwitchboardDatabase
    /// Where the session says what it allowed, refused and recorded (never a secret).
    public var logger: Logger

    /// Resolves the actor: the OS login must be an active person; `root` may act for `asLogin`.
    ///
    /// Throws ``AccessDenied`` (already audited) when the actor is unknown, suspended, or not allowed `--as`.
    ///
    /// - Parameter isRoot: whether the process runs as uid 0 (by number, never by name).
    public static func resolve(
        database: SwitchboardDatabase, osUser: String, isRoot: Bool, asLogin: String?, tool: String, host: String, audit: AuditLog,
        logger: Logger = Logger(label: "switchboard.session")
    ) throws -> Session {
        let login = asLogin ?? osUser
        var context = AuditContext(actor: login, osUser: osUser, role: "none", tool: tool, host: host)
        if asLogin != nil, !isRoot {
            let denied = AccessDenied(actor: osUser, action: "act as \(login)", reason: "only root may use --as")
            try recordDenial(database: database, audit: audit, context: context, action: .sessionAs, target: "person:\(login)", reason: denied.reason)
            throw denied
        }
        let row = try database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, role, status FROM person WHERE login = ?", arguments: [login])
        }
        guard let row, let role = Role(rawValue: row["role"]) else {
            let reason = "no person with login \"\(login)\" in the directory (an admin adds one with `dirctl person add`)"
            try recordDenial(database: database, audit: audit, context: context, action: .sessionResolve, target: "person:\(login)", reason: reason)
            throw AccessDenied(actor: login, action: "use \(tool)", reason: reason)
        }
        context.role = role.rawValue
        let status: PersonStatus? = row["status"]
        guard status == .active else {
            let reason = "the directory account \"\(login)\" is \(status?.rawValue ?? "of unknown status")"
            try recordDenial(database: database, audit: audit, context: context, action: .sessionResolve, target: "person:\(login)", reason: reason)
            throw AccessDenied(actor: login, action: "use \(tool)", reason: reason)
        }
        logger.debug("acting as \(login) (\(role.rawValue)) for OS user \(osUser)")
        return Session(login: login, personID: row["id"], role: role, context: context, audit: audit, database: database, logger: logger)
    }

    /// A session for the bootstrap of `dirctl init`, before any person exists.
    public static func bootstrap(database: SwitchboardDatabase, osUser: String, tool: String, host: String, audit: AuditLog,
                                 logger: Logger = Logger(label: "switchboard.session")) -> Session {
        Session(login: osUser, personID: nil, role: .admin,
                context: AuditContext(actor: osUser, osUser: osUser, role: "bootstrap", tool: tool, host: host),
                audit: audit, database: database, logger: logger)
    }

    /// Checks the policy; a refusal is written to the audit log, then thrown as ``AccessDenied``.
    public func authorize(_ action: Action, target: String) throws {
        guard let role else {
            throw AccessDenied(actor: login, action: action.rawValue, reason: "unknown actor")
        }
        guard AccessPolicy.allows(role, action) else {
            try refuse(action, target: target, reason: "the \(role.rawValue) role does not include \(action.rawValue)")
        }
    }

    /// Authorizes `action` on a person whose role is `targetRole`: acting on an admin needs admin,
    /// so the helpdesk cannot suspend, edit or depart the people who grant roles.
    public func authorize(_ action: Action, target: String, actingOn targetRole: Role) throws {
        try authorize(action, target: target)
        guard targetRole == .admin, role != .admin else { return }
        try refuse(action, target: target, reason: "\(target) is an admin: only an admin may \(action.rawValue) an admin")
    }

    /// Refuses `action` on `target` for a reason the policy table cannot see (the target is not
    /// the actor's own, the current password was wrong): logged, audited, thrown as 77.
    public func deny(_ action: Action, target: String, reason: String) throws -> Never {
        try refuse(action, target: target, reason: reason)
    }

    /// Logs and audits a refusal, then throws it as ``AccessDenied``.
    private func refuse(_ action: Action, target: String, reason: String) throws -> Never {
        logger.notice("refused \(action.rawValue) on \(target) for \(login): \(reason)")
        try Self.recordDenial(database: database, audit: audit, context: context, action: action, target: target, reason: reason, logger: logger)
        throw AccessDenied(actor: login, action: action.rawValue, reason: reason)
    }

    /// Authorizes, then runs `body` and its audit event in one write transaction.
    ///
    /// With `dryRun`, everything runs (validation, constraints, the event) and is rolled back:
    /// the result says what would happen, and nothing is written.
    @discardableResult
    public func perform<T>(
        _ action: Action, target: String, dryRun: Bool = false,
        _ body: (Database, inout AuditDetails) throws -> T
    ) throws -> T {
        try authorize(action, target: target)
        let result = try database.transaction { db in
            var details = AuditDetails()
            let result = try body(db, &details)
            try audit.append(db, context: context, action: action, target: target, details: details)
            return (result, commit: !dryRun)
        }
        logger.debug("\(dryRun ? "checked (dry run)" : "done"): \(action.rawValue) on \(target)")
        return result
    }

    /// Authorizes `action` once, then runs a batch (an import) in one write transaction: `body`
    /// records an event per row through the ``AuditBatch`` and decides whether the batch commits.
    ///
    /// A committed batch ends with one summary event for `action` carrying `batch.summary`
    /// (unless `summarize` is false: a change of several members is its events alone); a
    /// rolled-back one (problems found, or `dryRun`) leaves nothing behind.
    public func batch<T>(
        _ action: Action, target: String, dryRun: Bool = false, summarize: Bool = true,
        _ body: (Database, inout AuditBatch) throws -> BatchOutcome<T>
    ) throws -> T {
        try authorize(action, target: target)
        return try database.transaction { db in
            var batch = AuditBatch(session: self, database: db)
            switch try body(db, &batch) {
            case .rollback(let result):
                return (result, commit: false)
            case .commit(let result):
                if summarize { try audit.append(db, context: context, action: action, target: target, details: batch.summary) }
                return (result, commit: !dryRun)
            }
        }
    }

    /// Records the outcome of work done outside a transaction (a doctor run, a sent notification,
    /// a checked backup): the caller authorized `action` before the work began.
    public func record(_ action: Action, target: String, outcome: AuditOutcome = .ok, details: AuditDetails = AuditDetails()) throws {
        logger.log(level: outcome == .ok ? .debug : .notice, "recorded \(action.rawValue) on \(target): \(outcome.rawValue)")
        try database.transaction { db in
            try audit.append(db, context: context, action: action, target: target, outcome: outcome, details: details)
            return ((), commit: true)
        }
    }

    /// Authorizes `action`, then runs `body` in one write transaction that records no event.
    ///
    /// Only for bookkeeping whose outcome a later audited step records: an outbox sender claims
    /// a row here, and the `mail.notify` event of the attempt (ok or failed) follows in
    /// ``record(_:target:outcome:details:with:)``. Anything that changes what a person or a
    /// mailbox is goes through ``perform(_:target:dryRun:_:)``.
    @discardableResult
    public func bookkeeping<T>(_ action: Action, target: String, _ body: (Database) throws -> T) throws -> T {
        try authorize(action, target: target)
        return try database.transaction { db in (try body(db), commit: true) }
    }

    /// Records the outcome of work done outside a transaction together with the state that says
    /// so (an outbox row marked sent, or put back with its error): both commit, or neither.
    ///
    /// The caller authorized `action` before the work began, as for ``record(_:target:outcome:details:)``.
    public func record(_ action: Action, target: String, outcome: AuditOutcome = .ok, details: AuditDetails = AuditDetails(),
                       with body: (Database) throws -> Void) throws {
        logger.log(level: outcome == .ok ? .debug : .notice, "recorded \(action.rawValue) on \(target): \(outcome.rawValue)")
        try database.transaction { db in
            try body(db)
            try audit.append(db, context: context, action: action, target: target, outcome: outcome, details: details)
            return ((), commit: true)
        }
    }

    /// Signs a checkpoint over the newest event now (authorized as ``Action/auditCheckpoint``).
    public func checkpoint(signer: CheckpointSigner) throws -> AuditCheckpoint? {
        try authorize(.auditCheckpoint, target: "audit")
        return try database.transaction { db in
            (try audit.checkpoint(db, signer: signer), commit: true)
        }
    }

    /// Writes a refusal to the audit log. A log that cannot take it (a read-only copy, a database
    /// held busy) does not turn the refusal into another error: it is logged and the caller
    /// still throws ``AccessDenied``.
    private static func recordDenial(
        database: SwitchboardDatabase, audit: AuditLog, context: AuditContext, action: Action, target: String, reason: String,
        logger: Logger = Logger(label: "switchboard.session")
    ) throws {
        var details = AuditDetails()
        details["reason"] = reason
        do {
            try database.transaction { db in
                try audit.append(db, context: context, action: action, target: target, outcome: .denied, details: details)
                return ((), commit: true)
            }
        } catch {
            logger.error("the refusal of \(action.rawValue) on \(target) for \(context.actor) could not be written to the audit log: \(error)")
        }
    }
}

/// How a batch ends: its changes and events committed, or all rolled back.
public enum BatchOutcome<T> {
    /// Keep the batch (unless it is a dry run).
    case commit(T)
    /// Undo the whole batch: nothing is written.
    case rollback(T)
}

/// The events of one batch, written in the batch's transaction.
public struct AuditBatch {
    /// What the batch's closing event records (file, digest, counts).
    public var summary = AuditDetails()
    private let session: Session
    private let database: Database

    init(session: Session, database: Database) {
        self.session = session
        self.database = database
    }

    /// Records one row's change; `action` must be one the session's role may run.
    public func record(_ action: Action, target: String, details: AuditDetails = AuditDetails()) throws {
        guard let role = session.role, AccessPolicy.allows(role, action) else {
            throw AccessDenied(actor: session.login, action: action.rawValue, reason: "the batch includes \(action.rawValue), which this role may not run")
        }
        try session.audit.append(database, context: session.context, action: action, target: target, details: details)
    }
}
