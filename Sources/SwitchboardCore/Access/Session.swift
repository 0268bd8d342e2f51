
public import GRDB

/// The person acting, resolved from the operating-system login, with the gate every action passes.
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

    /// Resolves the actor: the OS login must be an active person; `root` may act for `asLogin`.
    ///
    /// Throws ``AccessDenied`` (already audited) when the actor is unknown, suspended, or not allowed `--as`.
    public static func resolve(
        database: SwitchboardDatabase, osUser: String, asLogin: String?, tool: String, host: String, audit: AuditLog
    ) throws -> Session {
        let login = asLogin ?? osUser
        var context = AuditContext(actor: login, osUser: osUser, role: "none", tool: tool, host: host)
        if asLogin != nil, osUser != "root" {
            let denied = AccessDenied(actor: osUser, action: "act as \(login)", reason: "only root may use --as")
            try recordDenial(database: database, audit: audit, context: context, action: "session.as", target: "person:\(login)", reason: denied.reason)
            throw denied
        }
        let row = try database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, role, status FROM person WHERE login = ?", arguments: [login])
        }
        guard let row, let role = Role(rawValue: row["role"]) else {
            let reason = "no person with login \"\(login)\" in the directory (an admin adds one with `dirctl person add`)"
            try recordDenial(database: database, audit: audit, context: context, action: "session.resolve", target: "person:\(login)", reason: reason)
            throw AccessDenied(actor: login, action: "use \(tool)", reason: reason)
        }
        context.role = role.rawValue
        let status: String = row["status"]
        guard status == "active" else {
            let reason = "the directory account \"\(login)\" is \(status)"
            try recordDenial(database: database, audit: audit, context: context, action: "session.resolve", target: "person:\(login)", reason: reason)
            throw AccessDenied(actor: login, action: "use \(tool)", reason: reason)
        }
        return Session(login: login, personID: row["id"], role: role, context: context, audit: audit)
    }

    /// A session for the bootstrap of `dirctl init`, before any person exists.
    public static func bootstrap(osUser: String, tool: String, host: String, audit: AuditLog) -> Session {
        Session(login: osUser, personID: nil, role: .admin,
                context: AuditContext(actor: osUser, osUser: osUser, role: "bootstrap", tool: tool, host: host), audit: audit)
    }

    /// Checks the policy; a refusal is written to the audit log, then thrown as ``AccessDenied``.
    public func authorize(_ action: Action, target: String, database: SwitchboardDatabase) throws {
        guard let role else {
            throw AccessDenied(actor: login, action: action.rawValue, reason: "unknown actor")
        }
        guard AccessPolicy.allows(role, action) else {
            let reason = "the \(role.rawValue) role does not include \(action.rawValue)"
            try Self.recordDenial(database: database, audit: audit, context: context, action: action.rawValue, target: target, reason: reason)
            throw AccessDenied(actor: login, action: action.rawValue, reason: reason)
        }
    }

    /// Authorizes, then runs `body` and its audit event in one write transaction.
    public func perform<T>(
        _ action: Action, target: String, database: SwitchboardDatabase,
        _ body: (Database, inout AuditDetails) throws -> T
    ) throws -> T {
        try authorize(action, target: target, database: database)
        return try database.write { db in
            var details = AuditDetails()
            let result = try body(db, &details)
            try audit.append(db, context: context, action: action.rawValue, target: target, details: details)
            return result
        }
    }

    private static func recordDenial(
        database: SwitchboardDatabase, audit: AuditLog, context: AuditContext, action: String, target: String, reason: String
    ) throws {
        var details = AuditDetails()
        details["reason"] = reason
        try database.write { db in
            try audit.append(db, context: context, action: action, target: target, outcome: .denied, details: details)
        }
    }
}
