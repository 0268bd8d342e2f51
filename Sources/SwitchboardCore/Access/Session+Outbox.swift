public import GRDB
import Logging

extension Session {
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
}
