import Foundation
public import DNSLookup

/// What DNS has for one expected record.
public struct DomainCheckItem: Sendable, Equatable, Codable {
    /// Present (as expected), missing, or wrong (something else is published).
    public enum Status: String, Sendable, Codable { case present, missing, wrong }
    /// The record expected.
    public var record: DomainRecord
    /// What DNS has.
    public var status: Status
    /// The values found at that name and type (TXT: only the ones of this kind, e.g. `v=spf1`).
    public var found: [String]
    /// One line: what is wrong and what to publish instead (nil when present).
    public var problem: String?

    /// An item.
    public init(record: DomainRecord, status: Status, found: [String], problem: String?) {
        self.record = record
        self.status = status
        self.found = found
        self.problem = problem
    }
}

/// Compares what DNS publishes with what a domain needs (`mailctl domain check`).
public struct DomainCheck: Sendable {
    /// Where the answers come from.
    public let resolver: any DNSLookingUp

    /// A check asking `resolver`.
    public init(resolver: any DNSLookingUp) {
        self.resolver = resolver
    }

    /// One item per expected record, in the same order. Throws the resolver's ``DNSError`` when
    /// DNS gives no answer at all (a server that is down is not "missing").
    public func check(_ expected: DomainRecords) throws -> [DomainCheckItem] {
        try expected.records.map { record in
            switch record.purpose {
            case .mx: try checkMX(record)
            case .spf: try checkSPF(record)
            case .dkim: try checkDKIM(record)
            case .dmarc: try checkDMARC(record)
            case .mtaSTS: try checkMTASTS(record)
            case .mtaSTSHost: try checkMTASTSHost(record)
            case .tlsRPT: try checkTLSRPT(record)
            }
        }
    }

    // MARK: - The rules, one per kind of record

    private func checkMX(_ record: DomainRecord) throws -> DomainCheckItem {
        let expectedHost = Self.hostName(record.value.split(separator: " ").last.map(String.init) ?? record.value)
        var exchanges: [(preference: Int, host: String)] = []
        for case .mx(let preference, let exchange) in try resolver.lookup(record.name, .mx).records {
            exchanges.append((preference, Self.hostName(exchange)))
        }
        let found = exchanges.map { "\($0.preference) \($0.host)" }
        if exchanges.isEmpty {
            return item(record, .missing, found, "no MX record at \(record.name), so other servers do not know where to deliver its mail")
        }
        if let ours = exchanges.filter({ $0.host == expectedHost }).map(\.preference).min() {
            // Senders try the lowest preference first: another host at or below ours takes the mail.
            let ahead = exchanges.filter { $0.host != expectedHost && $0.preference <= ours }
            if ahead.isEmpty { return item(record, .present, found) }
            let names = ahead.map { "\($0.preference) \($0.host)" }.joined(separator: ", ")
            return item(record, .wrong, found,
                        "the MX records of \(record.name) also name \(names), tried before or with \(expectedHost) (preference \(ours)), so mail may go there instead", instead: true)
        }
        let hosts = exchanges.map { $0.host }.joined(separator: ", ")
        return item(record, .wrong, found, "the MX records of \(record.name) name \(hosts), not \(expectedHost), so its mail does not reach this server", instead: true)
    }

    private func checkSPF(_ record: DomainRecord) throws -> DomainCheckItem {
        let found = try texts(at: record.name).filter { Self.startsWith($0, "v=spf1", separators: [" "]) }
        guard !found.isEmpty else {
            return item(record, .missing, found, "no SPF record (v=spf1) at \(record.name), so any server can send mail in its name")
        }
        guard found.count == 1 else {
            return item(record, .wrong, found,
                        "\(found.count) SPF records at \(record.name): receivers treat two SPF records as an error (permerror) and check none; replace them with one",
                        instead: false)
        }
        let expectedTerms = Self.spfTerms(record.value)
        let foundTerms = Self.spfTerms(found[0])
        // Receivers stop at the first `all`: mechanisms after it count for nothing (RFC 7208 5.1).
        let expectedAll = expectedTerms.first(where: Self.isSPFAll).map(Self.spfAllQualified) ?? "-all"
        let foundAllIndex = foundTerms.firstIndex(where: Self.isSPFAll)
        let foundMechanisms = Set(foundTerms[..<(foundAllIndex ?? foundTerms.endIndex)].map(Self.spfMechanismNormalized))
        var faults: [String] = []
        if let foundAllIndex {
            let foundAll = Self.spfAllQualified(foundTerms[foundAllIndex])
            if foundAll != expectedAll {
                faults.append("ends with \(foundAll) (\(Self.spfAllMeaning(foundAll))), not \(expectedAll)")
            }
        } else {
            faults.append("has no final all (mail from any other server gets no verdict), not \(expectedAll)")
        }
        let lacking = expectedTerms.dropFirst().filter { !Self.isSPFAll($0) && !foundMechanisms.contains(Self.spfMechanismNormalized($0)) }
        if !lacking.isEmpty {
            faults.append("lacks \(lacking.joined(separator: ", ")), so mail this server sends may fail SPF")
        }
        // The configuration says who may send (mail.dns.spf_mechanisms): anything more lets other
        // servers pass SPF in the domain's name (ip4:0.0.0.0/0 lets every server).
        let allowed = Set(expectedTerms.dropFirst().filter { !Self.isSPFAll($0) }.map(Self.spfMechanismNormalized))
        let extra = foundTerms.dropFirst()[..<(foundAllIndex ?? foundTerms.endIndex)]
            .filter { !Self.isSPFAll($0) && !Self.isSPFModifier($0) && !allowed.contains(Self.spfMechanismNormalized($0)) }
            .filter { !$0.hasPrefix("-") && !$0.hasPrefix("~") && !$0.hasPrefix("?") }
        if !extra.isEmpty {
            faults.append("also lets \(extra.joined(separator: " ")) send, which mail.dns.spf_mechanisms does not (add it there if it is meant)")
        }
        if faults.isEmpty { return item(record, .present, found) }
        return item(record, .wrong, found, "the SPF record at \(record.name) " + faults.joined(separator: " and "), instead: true)
    }

    private func checkDKIM(_ record: DomainRecord) throws -> DomainCheckItem {
        let all = try texts(at: record.name)
        let found = all.filter { text in
            let tags = Self.tags(text)
            return tags["v"] == "DKIM1" || tags["p"] != nil
        }
        let selector = record.selector ?? String(record.name.prefix { $0 != "." })
        let consequence = Self.dkimConsequence(record.keyState)
        guard !found.isEmpty else {
            return item(record, .missing, found,
                        "no DKIM record at \(record.name)\(Self.others(all.count - found.count, kind: "v=DKIM1")), so \(consequence)")
        }
        let expectedTags = Self.tags(record.value)
        let expectedKey = expectedTags["p"] ?? ""
        let expectedType = (expectedTags["k"] ?? "rsa").lowercased()
        var faults: [String] = []
        for text in found {
            let tags = Self.tags(text)
            let key = tags["p"] ?? ""
            let type = (tags["k"] ?? "rsa").lowercased()
            if key.isEmpty {
                faults.append("holds an empty p= (the key is revoked)")
            } else if key != expectedKey {
                faults.append("holds another key (p= ends …\(key.suffix(8)); selector \(selector)'s key ends …\(expectedKey.suffix(8)))")
            } else if type != expectedType {
                faults.append("says k=\(type) but selector \(selector)'s key is \(expectedType)")
            } else if let hashes = tags["h"], !hashes.lowercased().split(separator: ":").contains("sha256") {
                faults.append("allows only h=\(hashes), so no sha256 signature verifies with it")
            } else if let services = tags["s"], !services.lowercased().split(separator: ":").contains(where: { $0 == "email" || $0 == "*" }) {
                faults.append("is for s=\(services), not e-mail, so no mail signature verifies with it")
            }
        }
        if faults.isEmpty { return item(record, .present, found) }
        let several = found.count > 1 ? " (\(found.count) DKIM records there; keep only one)" : ""
        return item(record, .wrong, found, "the DKIM record at \(record.name) " + faults.joined(separator: " and ") + several + ", so \(consequence)",
                    instead: true)
    }

    private func checkDMARC(_ record: DomainRecord) throws -> DomainCheckItem {
        let (found, verdict) = try single(record, tag: "v=DMARC1", kind: "DMARC",
                                          absent: "receivers apply no policy to mail forged in the domain's name",
                                          several: "receivers ignore DMARC when there is more than one (RFC 7489 6.6.3)")
        if let verdict { return verdict }
        let expected = Self.tags(record.value)
        let tags = Self.tags(found[0])
        let expectedPolicy = (expected["p"] ?? "none").lowercased()
        let policy = tags["p"]?.lowercased()
        var faults: [String] = []
        if let policy, let rank = Self.dmarcRank(policy) {
            if rank < (Self.dmarcRank(expectedPolicy) ?? 0) {
                faults.append("has p=\(policy), weaker than the configured p=\(expectedPolicy)")
            }
        } else {
            faults.append(policy.map { "has p=\($0), which is not a DMARC policy (receivers ignore the record)" } ?? "has no p= policy (receivers ignore the record)")
        }
        if let percent = tags["pct"], percent != "100" {
            faults.append("applies its policy to pct=\(percent)% of failing mail only, not all of it")
        }
        if let subdomains = tags["sp"]?.lowercased(), let rank = Self.dmarcRank(expectedPolicy),
           (Self.dmarcRank(subdomains) ?? -1) < rank {
            faults.append("has sp=\(subdomains), weaker for subdomains than the configured p=\(expectedPolicy), so forged mail from its subdomains gets through")
        }
        if let expectedReports = expected["rua"]?.lowercased() {
            let reports = (tags["rua"] ?? "").split(separator: ",").map { String($0.prefix { $0 != "!" }).lowercased() }
            if tags["rua"] == nil {
                faults.append("asks for no aggregate reports (no rua=), expected rua=\(expectedReports)")
            } else if !reports.contains(expectedReports) {
                faults.append("sends aggregate reports to \(reports.joined(separator: ",")), not to \(expectedReports)")
            }
        }
        if faults.isEmpty { return item(record, .present, found) }
        return item(record, .wrong, found, "the DMARC record at \(record.name) " + faults.joined(separator: " and "), instead: true)
    }

    private func checkMTASTS(_ record: DomainRecord) throws -> DomainCheckItem {
        let (found, verdict) = try single(record, tag: "v=STSv1", kind: "MTA-STS",
                                          absent: "senders do not know that TLS to the MX is required",
                                          several: "senders ignore MTA-STS when there is more than one (RFC 8461 3.1)")
        if let verdict { return verdict }
        let expectedID = Self.tags(record.value)["id"] ?? ""
        guard let id = Self.tags(found[0])["id"], !id.isEmpty else {
            return item(record, .wrong, found, "the MTA-STS record at \(record.name) has no id= (senders ignore it)", instead: true)
        }
        if id == expectedID { return item(record, .present, found) }
        return item(record, .wrong, found,
                    "the MTA-STS record at \(record.name) has id=\(id): the policy changed, publish id=\(expectedID) so senders fetch the new one",
                    instead: true)
    }

    private func checkMTASTSHost(_ record: DomainRecord) throws -> DomainCheckItem {
        let expectedTarget = Self.hostName(record.value)
        // mail.dns.mta_sts_host may name mta-sts.DOMAIN itself: then it needs addresses, not a CNAME.
        let servesItself = expectedTarget == Self.hostName(record.name)
        let addressesInstead = "publish A and/or AAAA records for \(record.name) (it serves the policy itself)"
        let answer = try resolver.lookup(record.name, .cname)
        var targets: [String] = []
        for case .cname(let target) in answer.records { targets.append(Self.hostName(target)) }
        if let target = targets.first {
            if servesItself {
                return item(record, .wrong, targets, "\(record.name) is a CNAME to \(target), but mail.dns.mta_sts_host names \(record.name) itself",
                            publish: addressesInstead + " instead")
            }
            if target == expectedTarget { return item(record, .present, targets) }
            return item(record, .wrong, targets,
                        "\(record.name) is a CNAME to \(target), not to \(expectedTarget) (the host that serves the MTA-STS policy)", instead: true)
        }
        // No CNAME: the name may have addresses of its own, when the policy is served directly.
        var addresses: [String] = []
        if answer != .noSuchName {
            for case .a(let address) in try resolver.lookup(record.name, .a).records { addresses.append("A \(address) (served directly, no CNAME)") }
            for case .aaaa(let address) in try resolver.lookup(record.name, .aaaa).records { addresses.append("AAAA \(address) (served directly, no CNAME)") }
        }
        if !addresses.isEmpty { return item(record, .present, addresses) }
        return item(record, .missing, [], "no \(servesItself ? "" : "CNAME, ")A or AAAA record at \(record.name), so senders cannot fetch the MTA-STS policy",
                    publish: servesItself ? addressesInstead : nil)
    }

    private func checkTLSRPT(_ record: DomainRecord) throws -> DomainCheckItem {
        let (found, verdict) = try single(record, tag: "v=TLSRPTv1", kind: "TLS-RPT",
                                          absent: "senders do not report TLS failures",
                                          several: "senders ignore TLS-RPT when there is more than one (RFC 8460 3)")
        if let verdict { return verdict }
        if let reports = Self.tags(found[0])["rua"], !reports.isEmpty { return item(record, .present, found) }
        return item(record, .wrong, found, "the TLS-RPT record at \(record.name) has no rua= (nowhere to send reports)", instead: true)
    }

    // MARK: - Helpers

    /// The TXT records at the record's name that start with `tag` (DMARC, MTA-STS and TLS-RPT
    /// allow exactly one), and the verdict when there is none (`absent`: what that causes) or
    /// several (`several`: what receivers then do); nil when there is exactly one to judge.
    private func single(_ record: DomainRecord, tag: String, kind: String, absent: String,
                        several: String) throws -> (found: [String], verdict: DomainCheckItem?) {
        let all = try texts(at: record.name)
        let found = all.filter { Self.startsWith($0, tag, separators: [";", " ", "\t"]) }
        if found.isEmpty {
            return (found, item(record, .missing, found, "no \(kind) record at \(record.name)\(Self.others(all.count, kind: tag)), so \(absent)"))
        }
        if found.count > 1 {
            return (found, item(record, .wrong, found, "\(found.count) \(kind) records at \(record.name): \(several); replace them with one"))
        }
        return (found, nil)
    }

    /// An item; a problem line ends with the record to publish (`instead`: in place of what is there).
    /// `publish` replaces the usual `publish NAME TYPE VALUE`.
    private func item(_ record: DomainRecord, _ status: DomainCheckItem.Status, _ found: [String], _ fault: String? = nil,
                      instead: Bool = false, publish: String? = nil) -> DomainCheckItem {
        guard status != .present, let fault else { return DomainCheckItem(record: record, status: status, found: found, problem: nil) }
        let value = record.type == "TXT" ? "\"\(record.value)\"" : record.value
        let problem = "\(fault): " + (publish ?? "publish \(record.name) \(record.type) \(value)" + (instead ? " instead" : ""))
        return DomainCheckItem(record: record, status: status, found: found, problem: problem)
    }

    /// The TXT records at `name` (none when the name or the type does not exist). A recursive resolver follows a CNAME there itself; an
    /// authoritative server (`--server`) answers with the CNAME alone, so it is followed here
    /// (a few steps: `_dmarc` pointed at a provider's record is common).
    private func texts(at name: String) throws -> [String] {
        var current = name
        for _ in 0..<8 {
            let answer = try resolver.lookup(current, .txt)
            let texts = answer.records.compactMap { record -> String? in
                if case .txt(let text) = record { return text }
                return nil
            }
            guard texts.isEmpty, answer == .noData,
                  case .cname(let target)? = try resolver.lookup(current, .cname).records.first else { return texts }
            current = Self.hostName(target)
        }
        return []
    }

    /// Lower-case, without a trailing dot.
    static func hostName(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// True when `text` starts with `prefix` (case-insensitive) followed by one of `separators` or its end.
    static func startsWith(_ text: String, _ prefix: String, separators: Set<Character>) -> Bool {
        let text = text.drop { $0 == " " || $0 == "\t" }
        guard text.lowercased().hasPrefix(prefix.lowercased()) else { return false }
        let rest = text.dropFirst(prefix.count)
        return rest.first.map { separators.contains($0) } ?? true
    }

    /// `, N other TXT record(s) there do not start KIND` or nothing.
    private static func others(_ count: Int, kind: String) -> String {
        switch count {
        case 0: ""
        case 1: " (the one TXT record there does not start \(kind))"
        default: " (the \(count) TXT records there do not start \(kind))"
        }
    }

    /// The tags of a DKIM, DMARC, MTA-STS or TLS-RPT record (`name=value` separated by `;`):
    /// names as written (tags are case-sensitive, RFC 6376 3.2), whitespace removed inside values
    /// (a key split over lines); the first of a repeated tag counts.
    static func tags(_ text: String) -> [String: String] {
        var tags: [String: String] = [:]
        for spec in text.split(separator: ";") {
            guard let equals = spec.firstIndex(of: "=") else { continue }
            let name = spec[..<equals].trimmingCharacters(in: .whitespacesAndNewlines)
            let value = String(spec[spec.index(after: equals)...].filter { !$0.isWhitespace })
            if !name.isEmpty, tags[name] == nil { tags[name] = value }
        }
        return tags
    }

    /// The terms of an SPF record after `v=spf1`, split on whitespace.
    static func spfTerms(_ text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// `name=value` with a name of letters, digits, '-', '_' and '.' (RFC 7208 4.6.1): a
    /// modifier, not a mechanism (`include:x=y` is a mechanism).
    static func isSPFModifier(_ term: String) -> Bool {
        guard let equals = term.firstIndex(of: "="), let first = term.first, first.isLetter, first.isASCII else { return false }
        return term[..<equals].allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "-_.".contains($0) }
    }

    static func isSPFAll(_ term: String) -> Bool {
        let lower = term.lowercased()
        return lower == "all" || (lower.count == 4 && "+-~?".contains(lower.first ?? " ") && lower.hasSuffix("all"))
    }

    /// `all` with its qualifier written out (`all` alone is `+all`).
    static func spfAllQualified(_ term: String) -> String {
        let lower = term.lowercased()
        return lower == "all" ? "+all" : lower
    }

    /// A mechanism without its default `+` qualifier, lower-case.
    static func spfMechanismNormalized(_ term: String) -> String {
        let lower = term.lowercased()
        return lower.hasPrefix("+") ? String(lower.dropFirst()) : lower
    }

    static func spfAllMeaning(_ all: String) -> String {
        switch all {
        case "+all": "pass: any server may send as the domain"
        case "?all": "neutral: no verdict on other servers"
        case "~all": "softfail: forged mail is accepted, at most marked"
        default: "fail: mail from other servers is refused"
        }
    }

    static func dmarcRank(_ policy: String) -> Int? {
        ["none": 0, "quarantine": 1, "reject": 2][policy]
    }

    static func dkimConsequence(_ state: DKIMKeyState?) -> String {
        switch state {
        case .active?: "mail signed with it fails DKIM verification"
        case .published?: "the rotation cannot move to it yet"
        case .retiring?: "mail signed with it before the rotation fails DKIM verification"
        case .retired?, nil: "mail signed with it fails DKIM verification"
        }
    }
}
