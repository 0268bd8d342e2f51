public import HealthMonitor

extension StatusDocument {
    /// The document of a snapshot: what `/api/v1/status` serves and the status page shows.
    public init(snapshot: MonitorSnapshot) {
        let strings = StatusStrings(language: snapshot.language)
        let titles = Dictionary(snapshot.services.map { ($0.name, $0.title) }, uniquingKeysWith: { first, _ in first })
        let components = snapshot.services.map(Component.init(service:))
        let indicator = Self.indicator(of: components.map(\.status))
        let incidents = snapshot.incidents.sorted { $0.startedAt > $1.startedAt }.map { Incident($0, title: titles[$0.service] ?? $0.service) }
        self.init(
            page: Page(title: snapshot.title, language: strings.language, timeZone: snapshot.timeZone, updatedAt: snapshot.generatedAt),
            status: Overall(indicator: indicator, description: strings.overall(indicator)),
            components: components,
            groups: Self.groups(of: components),
            incidents: incidents.filter { $0.endedAt == nil },
            resolvedIncidents: incidents.filter { $0.endedAt != nil },
            scheduledMaintenances: snapshot.maintenance.filter { $0.end > snapshot.generatedAt }.sorted { $0.start < $1.start }.map {
                Maintenance(
                    id: $0.id, services: $0.services, start: $0.start, end: $0.end, reason: $0.reason,
                    active: $0.start <= snapshot.generatedAt, createdBy: $0.createdBy)
            }
        )
    }

    /// The overall indicator of these components (unknown ones do not count).
    static func indicator(of statuses: [ComponentStatus]) -> Indicator {
        let known = statuses.filter { $0 != .unknown }
        let down = known.filter { $0 == .majorOutage || $0 == .partialOutage }.count
        if down > 0 { return down == known.count ? .critical : .major }
        if known.contains(.degradedPerformance) { return .minor }
        if known.contains(.underMaintenance) { return .maintenance }
        return .none
    }

    /// Groups in order of first appearance, each with the status summing up its services'.
    static func groups(of components: [Component]) -> [Group] {
        var order: [String] = []
        var members: [String: [Component]] = [:]
        for component in components {
            if members[component.group] == nil { order.append(component.group) }
            members[component.group, default: []].append(component)
        }
        return order.map { name in
            let list = members[name] ?? []
            return Group(name: name, status: groupStatus(list.map(\.status)), components: list.map(\.name))
        }
    }

    /// Every known one down: major outage; some down: partial outage; else the worst of
    /// degraded, maintenance, operational; unknown only when nothing is known.
    static func groupStatus(_ statuses: [ComponentStatus]) -> ComponentStatus {
        let known = statuses.filter { $0 != .unknown }
        if known.isEmpty { return .unknown }
        let down = known.filter { $0 == .majorOutage }.count
        if down == known.count { return .majorOutage }
        if down > 0 { return .partialOutage }
        if known.contains(.degradedPerformance) { return .degradedPerformance }
        if known.contains(.underMaintenance) { return .underMaintenance }
        return .operational
    }
}

extension StatusDocument.Component {
    /// The component of one service.
    public init(service: ServiceSnapshot) {
        self.init(
            name: service.name, title: service.title, group: service.group, kind: service.kind, status: .init(service.state), state: service.state,
            since: service.since, lastCheckedAt: service.lastResult?.at, lastDetail: service.lastResult?.detail,
            responseTimeSeconds: service.lastResult?.durationSeconds, suppressedBy: service.suppressedBy, sla: service.sla)
    }
}

extension StatusDocument.Incident {
    /// An incident record as shown, with its service's title.
    public init(_ record: IncidentRecord, title: String) {
        self.init(
            id: record.id, service: record.service, title: title, severity: record.severity, startedAt: record.startedAt, endedAt: record.endedAt,
            cause: record.cause, suppressedBy: record.suppressedBy, acknowledgedBy: record.ackedBy, acknowledgedAt: record.ackedAt,
            acknowledgeNote: record.ackNote.isEmpty ? nil : record.ackNote)
    }
}
