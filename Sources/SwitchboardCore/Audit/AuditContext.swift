/// Who is acting, as every audit event records it.
public struct AuditContext: Sendable, Equatable {
    /// The directory login acting.
    public var actor: String
    /// The operating-system login that ran the command.
    public var osUser: String
    /// The actor's role, or `none`.
    public var role: String
    /// The tool name.
    public var tool: String
    /// The host name.
    public var host: String

    /// Makes a context.
    public init(actor: String, osUser: String, role: String, tool: String, host: String) {
        self.actor = actor
        self.osUser = osUser
        self.role = role
        self.tool = tool
        self.host = host
    }
}

/// The outcome an audit event records.
public enum AuditOutcome: String, Sendable {
    /// The action was carried out.
    case ok
    /// The access policy refused the action.
    case denied
    /// The action ran and failed.
    case failed
}
