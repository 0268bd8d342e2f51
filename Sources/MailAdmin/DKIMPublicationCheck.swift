public import DNSLookup

/// Where `mailctl domain dkim advance` looks for a new key's record before signing with it.
public enum DKIMRecordSource: Sendable {
    /// One server, as given (`--server HOST:PORT`): a hidden primary, a test server.
    case server(any DNSLookingUp)
    /// Every authoritative name server of the domain's zone, found through `resolver` (the
    /// system's) and asked directly: a key signs only once none of them can still say "no such
    /// record" to a receiver (a secondary that has not caught up would).
    case authoritative(resolver: any DNSLookingUp, serverFor: @Sendable (DNSServer) -> any DNSLookingUp)

    /// The system's resolver, then each name server on port 53.
    public static var everyNameServer: DKIMRecordSource {
        .authoritative(resolver: DNSResolver(), serverFor: { DNSResolver(server: $0) })
    }
}

/// Whether DNS serves a key's record, everywhere `source` says to look.
struct DKIMPublicationCheck {
    enum Outcome: Equatable {
        case served
        /// Not (everywhere) yet: what was seen, in words.
        case notYet(String)
    }

    let source: DKIMRecordSource

    /// Throws the ``DNSError`` of a server that gave no answer.
    func check(record name: String, domain: String, publicKey: String) throws -> Outcome {
        switch source {
        case .server(let resolver):
            return Self.judge(try resolver.lookup(name, .txt), publicKey: publicKey).map { .notYet("\($0) at \(name)") } ?? .served
        case .authoritative(let resolver, let serverFor):
            // From the record's own name up: `_domainkey` may be a zone of its own.
            let hosts = try Self.nameServers(of: name, resolver: resolver)
            guard !hosts.isEmpty else { return .notYet("no name server found for \(domain) or a parent zone") }
            var lagging: [String] = []
            for host in hosts {
                guard let address = try Self.address(of: host, resolver: resolver) else {
                    throw DNSError(.serverFailure, "the name server \(host) of \(domain) has no address in DNS; ask one server with --server HOST:PORT")
                }
                let server = serverFor(DNSServer(host: address))
                var answer = try server.lookup(name, .txt)
                // A selector published as a CNAME: an authoritative server answers with the CNAME
                // alone; its target's record is asked for where the system resolver finds it.
                if answer == .noData, case .cname(let target)? = try server.lookup(name, .cname).records.first {
                    answer = try resolver.lookup(target, .txt)
                }
                if let missing = Self.judge(answer, publicKey: publicKey) {
                    lagging.append("\(host): \(missing)")
                }
            }
            if lagging.isEmpty { return .served }
            return .notYet("\(name) is not on every name server yet (\(lagging.joined(separator: "; ")))")
        }
    }

    /// nil when the answer holds a DKIM record with this key; else what it holds instead.
    static func judge(_ answer: DNSAnswer, publicKey: String) -> String? {
        let texts = answer.records.compactMap { record -> String? in
            if case .txt(let text) = record { return text }
            return nil
        }
        if texts.contains(where: { DomainCheck.tags($0)["p"] == publicKey }) { return nil }
        return texts.isEmpty ? "nothing there yet" : "another record there"
    }

    /// The NS hosts of the zone that holds `domain`: its own, or its nearest parent's.
    static func nameServers(of domain: String, resolver: any DNSLookingUp) throws -> [String] {
        var labels = domain.split(separator: ".").map(String.init)
        while labels.count >= 2 {
            let name = labels.joined(separator: ".")
            let hosts = try resolver.lookup(name, .ns).records.compactMap { record -> String? in
                if case .ns(let host) = record { return host }
                return nil
            }
            if !hosts.isEmpty { return hosts.sorted() }
            labels.removeFirst()
        }
        return []
    }

    static func address(of host: String, resolver: any DNSLookingUp) throws -> String? {
        for case .a(let address) in try resolver.lookup(host, .a).records { return address }
        for case .aaaa(let address) in try resolver.lookup(host, .aaaa).records { return address }
        return nil
    }
}
