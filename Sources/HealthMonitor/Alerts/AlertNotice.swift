public import Foundation

/// What one alert mail says: which mail (`alert`, `digest`, `reminder`, `resolved`), about which
/// service, its state and cause, and for digests and reminders the services affected with it.
public struct AlertNotice: Sendable, Equatable {
    /// Which mail; the template of the same name renders it.
    public enum Kind: String, Sendable, CaseIterable {
        /// A service is down (or degraded).
        case alert
        /// A service is down, and services that depend on it with it.
        case digest
        /// Still failing, not acknowledged.
        case reminder
        /// It works again.
        case resolved

        /// The outbox kind of its mails (`health.alert`, ...).
        public var outboxKind: String { "health.\(rawValue)" }
    }

    /// A service affected with the one the mail is about.
    public struct Affected: Sendable, Equatable {
        /// Its name, display name and group.
        public var name: String
        /// See ``name``.
        public var title: String
        /// See ``name``.
        public var group: String
        /// Its state and what fails there.
        public var state: ServiceState
        /// See ``state``.
        public var cause: String

        /// An affected service.
        public init(name: String, title: String, group: String, state: ServiceState, cause: String) {
            self.name = name
            self.title = title
            self.group = group
            self.state = state
            self.cause = cause
        }
    }

    /// Which mail.
    public var kind: Kind
    /// The service's name, display name and group.
    public var service: String
    /// See ``service``.
    public var title: String
    /// See ``service``.
    public var group: String
    /// Its state now, and since when.
    public var state: ServiceState
    /// See ``state``.
    public var since: Date
    /// What fails (for `resolved`: what failed).
    public var cause: String
    /// The incident's start (its first failed probe).
    public var incidentStart: Date
    /// When it was resolved (`resolved` only).
    public var resolvedAt: Date?
    /// The services affected with it (digests, reminders).
    public var affected: [Affected]

    /// A notice.
    public init(
        kind: Kind, service: String, title: String, group: String, state: ServiceState, since: Date, cause: String, incidentStart: Date,
        resolvedAt: Date? = nil, affected: [Affected] = []
    ) {
        self.kind = kind
        self.service = service
        self.title = title
        self.group = group
        self.state = state
        self.since = since
        self.cause = cause
        self.incidentStart = incidentStart
        self.resolvedAt = resolvedAt
        self.affected = affected
    }
}

extension HealthEngine {
    /// The mail an event calls for, from the engine's current views: `alert`, `digest`,
    /// `reminder`, and `resolved` when the incident was alerted; nil for every other event.
    /// Call it right after the event is returned (the views are those of that moment). For
    /// `resolved`, `cause` is the incident's cause (its first failed probe's detail), unless
    /// `resolvedCause` gives another.
    public func notice(for event: HealthEvent, resolvedCause: String? = nil) -> AlertNotice? {
        switch event {
        case let .alert(service, start, cause):
            return notice(.alert, service: service, start: start, cause: cause, affected: [])
        case let .digest(parent, start, cause, affected):
            return notice(.digest, service: parent, start: start, cause: cause, affected: affected)
        case let .reminder(service, start, affected):
            let cause = view(of: service)?.lastResult?.detail ?? view(of: service)?.incidentCause ?? ""
            return notice(.reminder, service: service, start: start, cause: cause, affected: affected)
        case let .resolved(service, start, at, wasAlerted):
            let cause = resolvedCause ?? lastResolvedCause(of: service) ?? ""
            guard wasAlerted, var notice = notice(.resolved, service: service, start: start, cause: cause, affected: []) else { return nil }
            notice.resolvedAt = at
            notice.state = .up
            notice.since = at
            return notice
        case .incidentOpened, .incidentEscalated, .stateChanged, .suppressed:
            return nil
        }
    }

    private func notice(_ kind: AlertNotice.Kind, service: String, start: Date, cause: String, affected: [String]) -> AlertNotice? {
        guard let main = self.definition(of: service), let mainView = self.view(of: service) else { return nil }
        let others = affected.compactMap { name -> AlertNotice.Affected? in
            guard let child = self.definition(of: name), let childView = self.view(of: name) else { return nil }
            return AlertNotice.Affected(name: name, title: child.title, group: child.group, state: childView.state == .unknown ? .down : childView.state,
                                        cause: childView.lastResult?.detail ?? childView.incidentCause ?? "")
        }
        return AlertNotice(kind: kind, service: service, title: main.title, group: main.group, state: mainView.state,
                           since: mainView.since ?? start, cause: cause, incidentStart: start, affected: others)
    }
}

extension ServiceDefinition {
    /// Everyone told about its incidents: its owners, then its `alert` recipients, each once.
    public var alertRecipients: [RecipientReference] {
        var seen: Set<RecipientReference> = []
        return (owners + alertTo).filter { seen.insert($0).inserted }
    }
}
