import Foundation
import SwitchboardCore

/// Decodes `health.services`: each service, its conditions and windows, then the checks across
/// services (duplicate names, unknown dependencies, cycles).
struct ServiceDecoder {
    static let intervalRange: ClosedRange<Duration> = .seconds(1)...(.seconds(86_400))
    static let timeoutRange: ClosedRange<Duration> = .milliseconds(100)...(.seconds(3600))

    let defaults: HealthSettings.ServiceDefaults
    let timeZone: String
    /// Every owner and alert recipient read, with its place.
    private(set) var recipientSites: [HealthSettings.RecipientSite] = []

    init(defaults: HealthSettings.ServiceDefaults, timeZone: String) {
        self.defaults = defaults
        self.timeZone = timeZone
    }

    /// A service's `depends_on` items with where each was written.
    private struct Dependency {
        var name: String
        var site: ConfigSite
    }

    mutating func services(_ node: ConfigNode) throws -> [ServiceDefinition] {
        var services: [ServiceDefinition] = []
        var dependencies: [String: [Dependency]] = [:]
        var seen: [String: Int?] = [:]
        for item in try node.sequence() {
            let (service, depends, nameNode) = try self.service(item)
            if let line = seen[service.name] {
                throw nameNode.error("duplicate service name \"\(service.name)\"" + (line.map { " (first defined on line \($0))" } ?? ""))
            }
            seen[service.name] = nameNode.site.line
            services.append(service)
            dependencies[service.name] = depends
        }
        let names = Set(services.map(\.name))
        for service in services {
            for dependency in dependencies[service.name] ?? [] where !names.contains(dependency.name) {
                throw dependency.site.error("service \"\(service.name)\" depends on \"\(dependency.name)\", which is not a configured service")
            }
        }
        try Self.checkCycles(services, dependencies: dependencies)
        return services
    }

    /// Refuses a dependency cycle, naming it: `a -> b -> c -> a`.
    private static func checkCycles(_ services: [ServiceDefinition], dependencies: [String: [Dependency]]) throws {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []
        func visit(_ name: String) throws {
            if marks[name] == .done { return }
            marks[name] = .visiting
            path.append(name)
            for dependency in dependencies[name] ?? [] {
                if marks[dependency.name] == .visiting {
                    let start = path.firstIndex(of: dependency.name) ?? 0
                    let cycle = (path[start...] + [dependency.name]).joined(separator: " -> ")
                    throw dependency.site.error("dependency cycle: \(cycle): a service cannot depend on itself, even through others")
                }
                try visit(dependency.name)
            }
            path.removeLast()
            marks[name] = .done
        }
        for service in services { try visit(service.name) }
    }

    private static let serviceKeys = [
        "name", "title", "group", "kind", "target", "imap_target", "interval", "timeout", "conditions", "depends_on", "owners", "alert",
        "maintenance", "failure_threshold", "success_threshold", "ca_file", "expect_addresses", "account",
    ]

    private mutating func service(_ node: ConfigNode) throws -> (ServiceDefinition, [Dependency], ConfigNode) {
        let keys = try node.mapping(known: Self.serviceKeys)
        guard let nameNode = keys["name"] else { throw node.error("a service needs a name") }
        let name = try nameNode.nonEmptyString()
        guard Self.isServiceName(name) else {
            throw nameNode.error("expected a name of lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit (it is used in URLs and metrics), got \"\(name)\"")
        }
        guard let kindNode = keys["kind"] else { throw node.error("service \"\(name)\" needs a kind (\(ProbeKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
        let kindText = try kindNode.nonEmptyString()
        guard let kind = ProbeKind(rawValue: kindText) else {
            throw kindNode.error("unknown kind \"\(kindText)\" (known: \(ProbeKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let targetNode = keys["target"] else { throw node.error("service \"\(name)\" needs a target") }
        let target = try targetNode.nonEmptyString()
        if let problem = TargetSyntax.problem(target, kind: kind) { throw targetNode.error(problem) }

        var service = ServiceDefinition(name: name, kind: kind, target: target, interval: defaults.interval, timeout: defaults.timeout,
                                        failureThreshold: defaults.failureThreshold, successThreshold: defaults.successThreshold)
        if let value = keys["title"] { service.title = try HealthSettings.oneLine(value) }
        if let value = keys["group"] { service.group = try HealthSettings.oneLine(value) }
        if let value = keys["imap_target"] {
            guard kind == .mailRoundtrip else { throw value.error("imap_target is for mail-roundtrip services only") }
            let text = try value.nonEmptyString()
            if let problem = TargetSyntax.problem(text, kind: .imap) { throw value.error(problem) }
            service.imapTarget = text
        } else if kind == .mailRoundtrip {
            throw node.error("mail-roundtrip service \"\(name)\" needs imap_target (where the message is looked for, imaps://HOST:993)")
        }
        if let value = keys["interval"] { service.interval = try value.duration(in: Self.intervalRange) }
        if let value = keys["timeout"] { service.timeout = try value.duration(in: Self.timeoutRange) }
        if service.timeout >= service.interval {
            let at = keys["timeout"] ?? keys["interval"] ?? node
            throw at.error("the timeout (\(HealthDuration.format(service.timeout))) must be shorter than the interval (\(HealthDuration.format(service.interval))) of service \"\(name)\"")
        }
        if let value = keys["failure_threshold"] { service.failureThreshold = try value.integer(in: 1...100) }
        if let value = keys["success_threshold"] { service.successThreshold = try value.integer(in: 1...100) }
        if let value = keys["ca_file"] {
            guard kind != .dns, kind != .tcp else { throw value.error("ca_file is for services that speak TLS, not \(kind.rawValue)") }
            service.caFile = try value.filePath()
        }
        if let value = keys["expect_addresses"] {
            guard kind == .dns else { throw value.error("expect_addresses is for dns services only") }
            service.expectedAddresses = try value.sequence().map { item in
                let text = try item.nonEmptyString()
                guard TargetSyntax.isIPAddress(text) else { throw item.error("expected an IPv4 or IPv6 address, got \"\(text)\"") }
                return text
            }
        }
        if let value = keys["account"] {
            guard kind == .imap || kind == .mailRoundtrip else { throw value.error("account is for imap and mail-roundtrip services only") }
            let account = try value.mapping(known: ["login", "password_file"])
            guard let login = account["login"], let file = account["password_file"] else {
                throw value.error("account needs login and password_file (the file holding the password, never the password itself)")
            }
            service.account = ProbeAccount(login: try login.nonEmptyString(), passwordFile: try file.filePath())
        } else if kind == .mailRoundtrip {
            throw node.error("mail-roundtrip service \"\(name)\" needs an account (login, password_file) to send and read its test message")
        }
        if let value = keys["conditions"] {
            service.conditions = try value.sequence().map { try condition($0, service: service) }
        }
        var dependencies: [Dependency] = []
        if let value = keys["depends_on"] {
            for item in try Self.listOrOne(value) {
                let parent = try item.nonEmptyString()
                dependencies.append(Dependency(name: parent, site: item.site))
                if !service.dependsOn.contains(parent) { service.dependsOn.append(parent) }
            }
        }
        if let value = keys["owners"] { service.owners = try recipients(value) }
        if let value = keys["alert"] { service.alertTo = try recipients(value) }
        if let value = keys["maintenance"] {
            service.maintenance = try value.sequence().map { try MaintenanceDecoder.window($0, service: name, known: [name], timeZone: timeZone) }
        }
        return (service, dependencies, nameNode)
    }

    /// `[a-z0-9][a-z0-9._-]*`, at most 64 characters.
    static func isServiceName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 64, first.isASCII,
              ("a"..."z").contains(first) || ("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// A list, or a single value taken as a list of one.
    private static func listOrOne(_ node: ConfigNode) throws -> [ConfigNode] {
        if let items = try? node.sequence() { return items }
        _ = try node.nonEmptyString()
        return [node]
    }

    private mutating func recipients(_ node: ConfigNode) throws -> [RecipientReference] {
        var references: [RecipientReference] = []
        for item in try Self.listOrOne(node) {
            let text = try item.nonEmptyString()
            let reference: RecipientReference
            if text.hasPrefix("group:") {
                reference = .group(String(text.dropFirst(6)))
            } else if text.hasPrefix("unit:") {
                reference = .unit(String(text.dropFirst(5)))
            } else {
                reference = .person(text)
            }
            let value: String
            switch reference {
            case .person(let login): value = login
            case .group(let slug): value = slug
            case .unit(let code): value = code
            }
            guard !value.isEmpty, !value.contains(where: { $0.isWhitespace || $0 == ":" }), !text.contains("@") else {
                throw item.error("expected a directory login, group:NAME or unit:CODE (people are reached at their directory address), got \"\(text)\"")
            }
            references.append(reference)
            recipientSites.append(HealthSettings.RecipientSite(reference: reference, site: item.site))
        }
        return references
    }

    private static let conditionChecks = ["status", "body_contains", "body_matches", "json", "response_time_below", "certificate_days_above"]

    private func condition(_ node: ConfigNode, service: ServiceDefinition) throws -> ProbeCondition {
        let keys = try node.mapping(known: Self.conditionChecks + ["severity"])
        let checks = Self.conditionChecks.filter { keys[$0] != nil }
        guard checks.count == 1, let checkName = checks.first, let value = keys[checkName] else {
            throw node.error("each condition has exactly one check (\(Self.conditionChecks.joined(separator: ", "))) and an optional severity")
        }
        let httpOnly = ["status", "body_contains", "body_matches", "json"]
        if httpOnly.contains(checkName), service.kind != .http {
            throw value.error("\(checkName) does not fit a \(service.kind.rawValue) probe: it checks an HTTP answer")
        }
        let check: ProbeCondition.Check
        switch checkName {
        case "status":
            let items = (try? value.sequence()) ?? [value]
            guard !items.isEmpty else { throw value.error("expected HTTP status codes, such as [200, 204]") }
            check = .statusIn(try items.map { try $0.integer(in: 100...599) })
        case "body_contains":
            check = .bodyContains(try value.nonEmptyString())
        case "body_matches":
            let pattern = try value.nonEmptyString()
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw value.error("not a valid regular expression (ICU syntax): \"\(pattern)\"")
            }
            check = .bodyMatches(pattern)
        case "json":
            let parts = try value.mapping(known: ["path", "equals"])
            guard let path = parts["path"], let equals = parts["equals"] else {
                throw value.error("json needs path (a.b.0.c) and equals (the expected value)")
            }
            let pathText = try path.nonEmptyString()
            guard !pathText.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                throw path.error("expected a dotted path such as data.status or items.0.name, got \"\(pathText)\"")
            }
            check = .jsonEquals(path: pathText, value: try equals.string())
        case "response_time_below":
            let limit = try value.duration(in: .milliseconds(1)...(.seconds(3600)))
            guard limit < service.timeout else {
                throw value.error("\(HealthDuration.format(limit)) is not below the timeout (\(HealthDuration.format(service.timeout))): the condition could never fail")
            }
            check = .responseTimeBelow(limit)
        default:
            guard TargetSyntax.hasCertificate(service.target, kind: service.kind) else {
                throw value.error("certificate_days_above does not fit this \(service.kind.rawValue) probe of \(service.target): no TLS certificate is seen there (use https://, imaps://, smtp(s):// or kind tls)")
            }
            check = .certificateValidDays(try value.integer(in: 0...3650))
        }
        let severity = try keys["severity"].map { try $0.choice(of: ConditionSeverity.self) }
        return ProbeCondition(check, severity: severity)
    }
}
