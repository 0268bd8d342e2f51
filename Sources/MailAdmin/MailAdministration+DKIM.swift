import Foundation
public import GRDB
public import DNSLookup
import SwitchboardBase
import SwitchboardCore

/// A DKIM key as the directory records it (the private half stays in its file).
public struct DKIMKey: Sendable, Codable, Equatable, FetchableRecord {
    /// The domain.
    public var domain: String
    /// The selector.
    public var selector: String
    /// The algorithm.
    public var algorithm: DKIMAlgorithm
    /// The public key, base64 (`p=`).
    public var publicKey: String
    /// The private key's file.
    public var keyPath: String
    /// Where it is in its life.
    public var state: DKIMKeyState
    /// When it was made (UTC).
    public var createdAt: String
    /// When it started signing (UTC).
    public var activatedAt: String?
    /// For a retiring key: when its record may go (UTC).
    public var retireAfter: String?
    /// When it was retired (UTC).
    public var retiredAt: String?

    public init(row: Row) {
        domain = row["domain"]
        selector = row["selector"]
        algorithm = row["algorithm"]
        publicKey = row["public_key"]
        keyPath = row["key_path"]
        state = row["state"]
        createdAt = row["created_at"]
        activatedAt = row["activated_at"]
        retireAfter = row["retire_after"]
        retiredAt = row["retired_at"]
    }

    /// The key as DNS publishes it.
    public var published: DKIMPublicKey {
        DKIMPublicKey(selector: selector, algorithm: algorithm, publicKey: publicKey, state: state)
    }

    static let selection = """
        SELECT d.name AS domain, k.selector, k.algorithm, k.public_key, k.key_path, k.state, k.created_at,
               k.activated_at, k.retire_after, k.retired_at
        FROM mail_dkim_key k JOIN mail_domain d ON d.id = k.domain_id
        """
}

/// Whether a domain's mail is signed, and what stops it.
public struct DKIMSigningStatus: Sendable, Codable, Equatable {
    /// The domain.
    public var domain: String
    /// The keys that sign its mail now.
    public var signingKeys: [DKIMKey]
    /// What makes its mail go out unsigned, one line each (empty: it signs).
    public var problems: [String]
    /// What could not be looked at, or is worth knowing.
    public var notes: [String]

    /// True when mail from the domain is signed.
    public var signs: Bool { problems.isEmpty && !signingKeys.isEmpty }
}

/// One step `mailctl domain dkim advance` took or waits for.
public struct DKIMAdvanceStep: Sendable, Codable, Equatable {
    /// What happened to the key.
    public enum Change: String, Sendable, Codable {
        /// Its record is in DNS: it signs from now on (the key it replaces starts its grace period).
        case activated
        /// Its record is not in DNS yet: nothing changed.
        case waiting
        /// Its grace period is over: its record may go, its file is deleted.
        case retired
        /// DNS gave no answer about its record: nothing changed (the detail says why).
        case unchecked
    }
    /// The domain.
    public var domain: String
    /// The key's selector.
    public var selector: String
    /// What happened.
    public var change: Change
    /// One line about it.
    public var detail: String
}

/// `mailctl domain check`: the records DNS has, and whether the domain's mail is signed.
public struct DomainCheckReport: Sendable, Codable, Equatable {
    /// The domain.
    public var domain: String
    /// The DNS server asked (`system` for the system's resolver).
    public var server: String
    /// One item per record the domain needs.
    public var records: [DomainCheckItem]
    /// The signing side: keys and their files.
    public var signing: DKIMSigningStatus
    /// What else is worth knowing (a report mailbox that does not exist).
    public var notes: [String]

    /// True when every record is present and the domain signs (or DKIM is off).
    public var passed: Bool {
        records.allSatisfy { $0.status == .present } && signing.problems.isEmpty
    }
}

extension MailAdministration {
    var keyStore: DKIMKeyStore { DKIMKeyStore(settings: settings.dkim) }

    /// A key written to its file, before its row exists.
    struct WrittenKey {
        var material: DKIMKeyMaterial
        var selector: String
        var path: String
    }

    /// Makes and writes the keys of a new selector (RSA, and Ed25519 when configured); removes
    /// what it wrote when one fails.
    func writeNewKeys(domain: String, taken: Set<String>) throws -> [WrittenKey] {
        let store = keyStore
        _ = try store.signer()
        // A file left by an older database (a restore, a domain removed and added again) keeps
        // its name: the new selector avoids it.
        let taken = taken.union(store.existingSelectors(domain: domain))
        let day = Self.selectorDay(clock.now())
        var base = "sb-\(day)"
        var counter = 1
        while taken.contains(base) || taken.contains(base + "-ed") {
            counter += 1
            base = "sb-\(day)-\(counter)"
        }
        var algorithms: [DKIMAlgorithm] = [.rsaSHA256]
        if settings.dkim.ed25519 { algorithms.append(.ed25519SHA256) }
        var written: [WrittenKey] = []
        do {
            for algorithm in algorithms {
                let selector = algorithm == .rsaSHA256 ? base : base + "-ed"
                let material = try DKIMKeyMaker.make(algorithm, rsaBits: settings.dkim.rsaBits)
                let path = try store.write(material, domain: domain, selector: selector)
                written.append(WrittenKey(material: material, selector: selector, path: path))
            }
        } catch {
            for key in written { store.remove(domain: domain, selector: key.selector, recorded: key.path) }
            throw error
        }
        return written
    }

    func insert(_ keys: [WrittenKey], domainID: Int64, state: DKIMKeyState, db: Database) throws {
        let now = timestamp
        for key in keys {
            try db.execute(sql: """
                INSERT INTO mail_dkim_key (domain_id, selector, algorithm, public_key, key_path, state, created_at, activated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [domainID, key.selector, key.material.algorithm, key.material.publicKey, key.path, state, now,
                                 state == .active ? now : nil])
        }
    }

    static func selectorDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    static func domainName(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        return Punycode.toASCII(domain: trimmed) ?? trimmed.lowercased()
    }

    /// A domain's keys (every state, oldest first), or every domain's.
    public func dkimKeys(domain raw: String? = nil) throws -> [DKIMKey] {
        try session.authorize(.mailDomainRead, target: raw.map { "mail-domain:\(Self.domainName($0))" } ?? "mail-domain:*")
        return try database.read { db in
            if let raw {
                let domain = try Self.requireDomain(db, name: Self.domainName(raw))
                return try Self.keys(db, domainID: domain.id)
            }
            return try DKIMKey.fetchAll(db, sql: DKIMKey.selection + " ORDER BY d.name, k.created_at, k.id")
        }
    }

    static func keys(_ db: Database, domainID: Int64) throws -> [DKIMKey] {
        try DKIMKey.fetchAll(db, sql: DKIMKey.selection + " WHERE k.domain_id = ? ORDER BY k.created_at, k.id", arguments: [domainID])
    }

    /// Starts a rotation: a new key (RSA, and Ed25519 when configured) whose record is to be
    /// published; `advanceDKIM` makes it the signing key once DNS serves it.
    public func rotateDKIM(domain raw: String) throws -> [DKIMKey] {
        let name = Self.domainName(raw)
        let target = "mail-domain:\(name)"
        try session.authorize(.mailDKIMRotate, target: target)
        guard settings.dkim.enabled else {
            throw MailError(.refused, "DKIM is off in the configuration (mail.dkim.enabled: false): no key to rotate for \(name)")
        }
        let (domain, existing) = try database.read { db in
            let domain = try Self.requireDomain(db, name: name)
            return (domain, try Self.keys(db, domainID: domain.id))
        }
        if let waiting = existing.first(where: { $0.state == .published }) {
            throw MailError(.refused, "\(name) already has a new key waiting for its DNS record (selector \(waiting.selector)): publish it (`mailctl domain dns \(name)`), then run `mailctl domain dkim advance \(name)`")
        }
        let written = try writeNewKeys(domain: name, taken: Set(existing.map(\.selector)))
        do {
            try session.perform(.mailDKIMRotate, target: target) { db, details in
                // Checked again in the transaction: two rotations at once leave one waiting key.
                if let waiting = try String.fetchOne(db, sql: "SELECT selector FROM mail_dkim_key WHERE domain_id = ? AND state = 'published'",
                                                     arguments: [domain.id]) {
                    throw MailError(.refused, "\(name) already has a new key waiting for its DNS record (selector \(waiting)): publish it, then run `mailctl domain dkim advance \(name)`")
                }
                try insert(written, domainID: domain.id, state: .published, db: db)
                details["domain"] = name
                details["selectors"] = written.map(\.selector).joined(separator: ",")
            }
        } catch {
            for key in written { keyStore.remove(domain: name, selector: key.selector, recorded: key.path) }
            throw error
        }
        return try database.read { db in try Self.keys(db, domainID: domain.id) }.filter { key in written.contains { $0.selector == key.selector } }
    }

    /// Gives up a rotation whose new key never signed: its keys are retired at once and their
    /// files deleted (for a key that was never published, or published by mistake).
    public func cancelDKIMRotation(domain raw: String) throws -> [String] {
        let name = Self.domainName(raw)
        let target = "mail-domain:\(name)"
        try session.authorize(.mailDKIMCancel, target: target)
        let cancelled: [DKIMKey] = try session.perform(.mailDKIMCancel, target: target) { db, details in
            let domain = try Self.requireDomain(db, name: name)
            let waiting = try Self.keys(db, domainID: domain.id).filter { $0.state == .published }
            guard !waiting.isEmpty else {
                throw MailError(.refused, "\(name) has no rotation under way (no key waits for its DNS record): see `mailctl domain dkim list \(name)`")
            }
            try db.execute(sql: "UPDATE mail_dkim_key SET state = 'retired', retired_at = ? WHERE domain_id = ? AND state = 'published'",
                           arguments: [timestamp, domain.id])
            details["domain"] = name
            details["selectors"] = waiting.map(\.selector).joined(separator: ",")
            return waiting
        }
        return cancelled.map { key in
            if let problem = keyStore.remove(domain: name, selector: key.selector, recorded: key.keyPath) {
                return "\(key.selector) (its key file was not deleted: \(problem))"
            }
            return key.selector
        }
    }

    /// Moves rotations on: a published key whose record DNS serves becomes the signing key (the
    /// one it replaces keeps its record for `mail.dkim.rotation_grace`), and a retiring key whose
    /// grace period is over is retired and its file deleted. Each change is its own audited step.
    /// `domains` empty: every domain with a rotation under way.
    public func advanceDKIM(domains raws: [String], source: DKIMRecordSource) throws -> [DKIMAdvanceStep] {
        let publication = DKIMPublicationCheck(source: source)
        let names: [String]
        if raws.isEmpty {
            try session.authorize(.mailDKIMActivate, target: "mail-domain:*")
            names = try database.read { db in
                try String.fetchAll(db, sql: """
                    SELECT DISTINCT d.name FROM mail_dkim_key k JOIN mail_domain d ON d.id = k.domain_id
                    WHERE k.state IN ('published', 'retiring') ORDER BY d.name
                    """)
            }
        } else {
            names = raws.map(Self.domainName)
        }
        var steps: [DKIMAdvanceStep] = []
        for name in names {
            let target = "mail-domain:\(name)"
            try session.authorize(.mailDKIMActivate, target: target)
            let (domain, keys) = try database.read { db in
                let domain = try Self.requireDomain(db, name: name)
                return (domain, try Self.keys(db, domainID: domain.id))
            }
            for key in keys where key.state == .published {
                let recordName = "\(key.selector)._domainkey.\(name)"
                let outcome: DKIMPublicationCheck.Outcome
                do { outcome = try publication.check(record: recordName, domain: name, publicKey: key.publicKey) } catch let error as DNSError {
                    // One domain's DNS failing does not hold up the others (a timer runs them all).
                    steps.append(DKIMAdvanceStep(domain: name, selector: key.selector, change: .unchecked, detail: error.description))
                    continue
                }
                if case .notYet(let seen) = outcome {
                    steps.append(DKIMAdvanceStep(domain: name, selector: key.selector, change: .waiting,
                                                 detail: "waiting for \(recordName) in DNS (\(seen)); publish it: `mailctl domain dns \(name)`"))
                    continue
                }
                let retireAfter = Timestamp.format(clock.now().addingTimeInterval(settings.dkim.rotationGrace.inSeconds))
                let replaced: [String] = try session.perform(.mailDKIMActivate, target: target) { db, details in
                    let replaced = try String.fetchAll(db, sql: """
                        SELECT selector FROM mail_dkim_key WHERE domain_id = ? AND algorithm = ? AND state = 'active'
                        """, arguments: [domain.id, key.algorithm])
                    try db.execute(sql: """
                        UPDATE mail_dkim_key SET state = 'retiring', retire_after = ? WHERE domain_id = ? AND algorithm = ? AND state = 'active'
                        """, arguments: [retireAfter, domain.id, key.algorithm])
                    try db.execute(sql: """
                        UPDATE mail_dkim_key SET state = 'active', activated_at = ? WHERE domain_id = ? AND selector = ? AND state = 'published'
                        """, arguments: [timestamp, domain.id, key.selector])
                    guard db.changesCount == 1 else { throw MailError(.conflict, "DKIM key \(key.selector) of \(name) changed meanwhile: run it again") }
                    details["domain"] = name
                    details["selector"] = key.selector
                    details["replaced"] = replaced.joined(separator: ",")
                    details["retire_after"] = replaced.isEmpty ? "" : retireAfter
                    return replaced
                }
                let tail = replaced.isEmpty ? "" : "; \(replaced.joined(separator: ", ")) stays published until \(retireAfter) UTC"
                steps.append(DKIMAdvanceStep(domain: name, selector: key.selector, change: .activated,
                                             detail: "\(recordName) is in DNS: it signs \(name)'s mail from now on\(tail)"))
            }
            // A retired key whose file outlived it (a run stopped between the commit and the
            // delete): deleted now.
            for key in keys where key.state == .retired && FileManager.default.fileExists(atPath: keyStore.path(domain: name, selector: key.selector)) {
                keyStore.remove(domain: name, selector: key.selector, recorded: key.keyPath)
            }
            let now = timestamp
            let due = try database.read { db in try Self.keys(db, domainID: domain.id) }
                .filter { $0.state == .retiring && ($0.retireAfter ?? "") <= now }
            for key in due {
                try session.perform(.mailDKIMRetire, target: target) { db, details in
                    try db.execute(sql: """
                        UPDATE mail_dkim_key SET state = 'retired', retired_at = ? WHERE domain_id = ? AND selector = ? AND state = 'retiring'
                        """, arguments: [now, domain.id, key.selector])
                    guard db.changesCount == 1 else { throw MailError(.conflict, "DKIM key \(key.selector) of \(name) changed meanwhile: run it again") }
                    details["domain"] = name
                    details["selector"] = key.selector
                }
                var detail = "its grace period is over: remove \(key.selector)._domainkey.\(name) from DNS"
                if let problem = keyStore.remove(domain: name, selector: key.selector, recorded: key.keyPath) { detail += " (its key file was not deleted: \(problem))" }
                steps.append(DKIMAdvanceStep(domain: name, selector: key.selector, change: .retired, detail: detail))
            }
        }
        return steps
    }

    /// The records `domain` needs (`mailctl domain dns`).
    public func domainRecords(_ raw: String) throws -> DomainRecords {
        let name = Self.domainName(raw)
        try session.authorize(.mailDomainRead, target: "mail-domain:\(name)")
        let keys = try database.read { db in
            try Self.keys(db, domainID: try Self.requireDomain(db, name: name).id)
        }
        return DomainRecords(domain: name, keys: keys.filter { $0.state.isPublished }.map(\.published), settings: settings.dns)
    }

    /// Compares DNS with what `domain` needs, and looks at its signing keys (`mailctl domain check`).
    public func checkDomain(_ raw: String, resolver: any DNSLookingUp, server: String) throws -> DomainCheckReport {
        let records = try domainRecords(raw)
        let items = try DomainCheck(resolver: resolver).check(records)
        let reports = "\(settings.dns.reportLocalPart)@\(records.domain)"
        var notes: [String] = []
        if try database.read({ db in try Self.addressInUse(db, reports) }) == nil {
            notes.append("DMARC and TLS-RPT reports go to \(reports), which is no mailbox, alias or list here: add one (`mailctl alias add \(reports) ADDRESS`) or set mail.dns.report_local_part")
        }
        return DomainCheckReport(domain: records.domain, server: server, records: items, signing: try signingStatus(domain: records.domain),
                                 notes: notes)
    }

    /// Whether `domain`'s mail is signed now: its active keys and their files.
    public func dkimSigningStatus(domain raw: String) throws -> DKIMSigningStatus {
        let name = Self.domainName(raw)
        try session.authorize(.mailDomainRead, target: "mail-domain:\(name)")
        return try signingStatus(domain: name)
    }

    func signingStatus(domain name: String) throws -> DKIMSigningStatus {
        let (domain, keys) = try database.read { db in
            let domain = try Self.requireDomain(db, name: name)
            return (domain, try Self.keys(db, domainID: domain.id))
        }
        return Self.signingStatus(domain: domain, keys: keys, settings: settings.dkim)
    }

    static func signingStatus(domain: MailDomain, keys: [DKIMKey], settings: MailDKIMSettings) -> DKIMSigningStatus {
        let name = domain.name
        var status = DKIMSigningStatus(domain: name, signingKeys: [], problems: [], notes: [])
        let active = keys.filter { $0.state == .active }
        if domain.status != .active { status.notes.append("\(name) is disabled: it sends no mail") }
        // Files no key row names (an interrupted add or rotate, a restored older database).
        let known = Set(keys.filter { $0.state != .retired }.map(\.selector))
        let orphans = DKIMKeyStore(settings: settings).existingSelectors(domain: name).subtracting(known).sorted()
        if !orphans.isEmpty {
            status.notes.append("key files in \(settings.keyDirectory)/\(name) that no key of the directory uses: \(orphans.map { $0 + ".private" }.joined(separator: ", ")) (left by an interrupted run or an older database; remove them)")
        }
        guard active.contains(where: { $0.algorithm == .rsaSHA256 }) else {
            if settings.enabled {
                status.problems.append("\(name) has no active DKIM key: its mail goes out unsigned; make one with `mailctl domain dkim rotate \(name)`, publish it, then `mailctl domain dkim advance \(name)`")
            } else {
                status.notes.append("DKIM is off (mail.dkim.enabled: false): \(name)'s mail is not signed")
            }
            return status
        }
        let store = DKIMKeyStore(settings: settings)
        for key in active {
            let expected = store.path(domain: name, selector: key.selector)
            guard key.keyPath == expected else {
                status.problems.append("DKIM key \(key.selector) of \(name): the database names \(key.keyPath) as its file, not \(expected) where mailctl keeps it: rotate the key (`mailctl domain dkim rotate \(name)`)")
                continue
            }
            switch store.inspect(path: key.keyPath, publicKey: key.publicKey, algorithm: key.algorithm) {
            case .usable:
                status.signingKeys.append(key)
            case .broken(let problem):
                status.problems.append("DKIM key \(key.selector) of \(name): \(problem): mail from \(name) goes out unsigned (restore the file, or `mailctl domain dkim rotate \(name)`)")
            case .notInspected(let why):
                status.signingKeys.append(key)
                status.notes.append("DKIM key \(key.selector) of \(name) not inspected: \(why)")
            }
        }
        return status
    }
}
