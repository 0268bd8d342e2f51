public import Foundation
import Synchronization
import GRDB
import Logging
public import SwitchboardCore
public import SwitchboardBase

/// What a mailbox import did, or would do with `--dry-run`.
public struct MailImportReport: Sendable, Codable {
    /// Rows read.
    public var rows = 0
    /// Mailboxes created.
    public var created = 0
    /// Mailboxes that existed and whose display name or quota the file changed.
    public var updated = 0
    /// Mailboxes that existed exactly as the file says (a rerun reports every row here).
    public var unchanged = 0
    /// Problems by line; any problem means nothing was written.
    public var problems: [ImportProblem] = []
    /// True when nothing was meant to be written.
    public var dryRun = false
    /// Seconds spent hashing passwords (all cores).
    public var hashingSeconds = 0.0
    /// The generated passwords, by address, to hand out once. Not encoded into JSON.
    public var passwords: [(address: String, password: Secret)] = []
    /// The welcome notices queued with the new mailboxes (`--send-welcome`), to send after the commit.
    public var notices: [QueuedNotice] = []

    enum CodingKeys: String, CodingKey { case rows, created, updated, unchanged, problems, dryRun = "dry_run", hashingSeconds = "hashing_seconds" }

    /// An empty report.
    public init() {}
}

extension MailAdministration {
    /// The columns of a mailbox CSV file; `address` is required, and `login` or `display_name`.
    public static let accountColumns = ["address", "login", "display_name", "quota_mb"]

    /// Creates mailboxes from CSV, all or nothing: every row checked first, passwords generated and
    /// hashed on all cores, then one transaction. The generated passwords come back in the report.
    ///
    /// Like `kubectl apply`, a rerun is harmless: a row whose address is already a mailbox of the
    /// same owner is unchanged, or updated when the file gives another display name or quota
    /// (never a new password); a mailbox of someone else, or an alias, is a problem.
    ///
    /// The checked rows and their hashes are the staging: they wait in memory (the file is read
    /// whole, and its size is capped by `directory.import_max_mb`), outside any transaction, while
    /// the passwords are hashed; the write lock is taken only for the one transaction that checks
    /// each row again against what other tools wrote meanwhile and inserts it with its event.
    ///
    /// `keep` receives the generated passwords inside the transaction, before it commits: when it
    /// cannot keep them (a full disk, a file that cannot be written), it throws and nothing is
    /// created, so no mailbox ever exists with a password nobody knows.
    public func importAccounts(csv data: Data, fileName: String, dryRun: Bool, welcomeIn timeZone: String? = nil,
                               progress: @Sendable (Int, Int) -> Void = { _, _ in },
                               keep: ([(address: String, password: Secret)]) throws -> Void = { _ in }) throws -> MailImportReport {
        try session.authorize(.mailAccountImport, target: "import:\(fileName)")
        // Welcome notices are queued with their mailboxes, in the import's transaction.
        if timeZone != nil { try session.authorize(.mailNotify, target: "import:\(fileName)") }
        let notifier = try timeZone.map { try MailNotifier(settings: settings, timeZone: $0) }
        var notices: [QueuedNotice] = []
        var report = MailImportReport()
        report.dryRun = dryRun
        let table: CSVTable
        do { table = try CSVReader.parse(data) } catch let error as CSVError {
            report.problems.append(ImportProblem(line: error.line, field: nil, reason: error.description))
            return report
        }
        let header = table.header.map { $0.lowercased() }
        for column in header where !Self.accountColumns.contains(column) {
            report.problems.append(ImportProblem(line: 1, field: column, reason: "unknown column (known: \(Self.accountColumns.joined(separator: ", ")))"))
        }
        if !header.contains("address") { report.problems.append(ImportProblem(line: 1, field: "address", reason: "required column missing")) }
        if !header.contains("login"), !header.contains("display_name") {
            report.problems.append(ImportProblem(line: 1, field: "login", reason: "give a login or a display_name column"))
        }
        guard report.problems.isEmpty else { return report }

        struct Planned {
            var line: Int; var address: EmailAddress; var login: String?; var name: String?; var quota: Int?
            /// The mailbox this row names already, when it exists.
            var existing: Int64?
        }
        struct Existing { var id: Int64; var owner: String?; var name: String; var quotaBytes: Int? }
        var rows: [Planned] = []
        var seen: [String: Int] = [:]
        let (domains, logins, aliases, mailboxes) = try database.read { db in
            (Set(try String.fetchAll(db, sql: "SELECT name FROM mail_domain")),
             Dictionary(uniqueKeysWithValues: try PeopleIndex.fetch(db)),
             Set(try String.fetchAll(db, sql: "SELECT address FROM mail_alias")),
             Dictionary(uniqueKeysWithValues: try GRDB.Row.fetchAll(db, sql: """
                SELECT m.id, m.address, p.login, m.display_name, m.quota_bytes FROM mailbox m LEFT JOIN person p ON p.id = m.person_id
                """).map { row -> (String, Existing) in
                    (row["address"], Existing(id: row["id"], owner: row["login"], name: row["display_name"], quotaBytes: row["quota_bytes"]))
                }))
        }
        for record in table.rows {
            report.rows += 1
            guard record.fields.count == header.count else {
                report.problems.append(ImportProblem(line: record.line, field: nil, reason: "has \(record.fields.count) fields, the header has \(header.count)"))
                continue
            }
            var cells: [String: String] = [:]
            for (column, value) in zip(header, record.fields) { cells[column] = value.trimmingCharacters(in: .whitespaces) }
            do {
                let address = try Self.normalize(address: cells["address"] ?? "")
                if let first = seen[address.key] { throw MailError(.conflict, "address \(address.key) already appears on line \(first)", field: "address") }
                seen[address.key] = record.line
                guard domains.contains(address.asciiDomain) else {
                    throw MailError(.notFound, "address: no mail domain \(address.asciiDomain) (add it with `mailctl domain add`)", field: "address")
                }
                if aliases.contains(address.key) { throw MailError(.conflict, "address \(address.key) is already an alias", field: "address") }
                let login = try cells["login"].flatMap { $0.isEmpty ? nil : try DirectoryValidation.login($0) }
                let existing = mailboxes[address.key]
                if let existing, existing.owner != login {
                    throw MailError(.conflict, "address \(address.key) is already the mailbox of \(existing.owner.map { "person \($0)" } ?? "a service (no person)"), not of \(login.map { "person \($0)" } ?? "a service")", field: "address")
                }
                if let login, existing == nil {
                    guard let status = logins[login] else { throw MailError(.notFound, "login: no person with login \(Quoting.quoted(login))", field: "login") }
                    guard status == "active" else { throw MailError(.refused, "login: person \(login) is \(status)", field: "login") }
                }
                let name = try cells["display_name"].flatMap { $0.isEmpty ? nil : try DirectoryValidation.text("display name", $0, maxLength: 200) }
                if login == nil, name == nil { throw MailError(.invalidInput, "display name: a service mailbox needs a display_name", field: "display name") }
                let quota = try cells["quota_mb"].flatMap { $0.isEmpty ? nil : $0 }.map { text -> Int in
                    guard let value = Int(text) else { throw MailError.invalid("quota_mb", text, "must be a whole number of MB") }
                    return value
                }
                _ = try quotaBytes(quota ?? settings.defaultQuotaMB)
                rows.append(Planned(line: record.line, address: address, login: login, name: name, quota: quota, existing: existing?.id))
            } catch {
                // Row problems are mail or directory validation errors; anything else stops the import.
                let field: String?
                switch error {
                case let error as MailError: field = error.field
                case let error as DirectoryError: field = error.field
                default: throw error
                }
                // Fields are named as the file's columns.
                let column = ["display name": "display_name", "quota": "quota_mb"][field ?? ""] ?? field ?? "address"
                report.problems.append(ImportProblem(line: record.line, field: column, reason: String(describing: error)))
            }
        }
        // Rows naming an existing mailbox: unchanged, or the display name and quota to set.
        struct Update { var row: Planned; var name: String?; var quotaBytes: Int?? }
        var updates: [Update] = []
        for row in rows where row.existing != nil {
            guard let existing = mailboxes[row.address.key] else { continue }
            let name = row.name.flatMap { $0 == existing.name ? nil : $0 }
            let quota = try row.quota.map { try quotaBytes($0) }.flatMap { $0 == existing.quotaBytes ? nil : Optional($0) }
            if name == nil, quota == nil { report.unchanged += 1 } else { updates.append(Update(row: row, name: name, quotaBytes: quota)) }
        }
        report.updated = updates.count
        rows.removeAll { $0.existing != nil }
        report.created = dryRun ? rows.count : 0
        guard report.problems.isEmpty, !dryRun else { return report }

        // Hash on every core: yescrypt is the slow part of an import.
        let passwords = rows.map { _ in PasswordGenerator.generate() }
        let hashes = HashResults(count: rows.count)
        let hasher = self.hasher
        let total = rows.count
        report.hashingSeconds = ContinuousClock().seconds {
            DispatchQueue.concurrentPerform(iterations: rows.count) { index in
                let done = hashes.set(index, Result { try hasher.hash(passwords[index]) })
                if done % 100 == 0 || done == total { progress(done, total) }
            }
        }
        let hashed = try hashes.values()

        var late: [ImportProblem] = []
        let clock = ContinuousClock()
        var locked: ContinuousClock.Instant?
        defer {
            if let locked {
                session.logger.debug("timing: import apply \(String(format: "%.1f ms", (clock.now - locked).inSeconds * 1000)) holding the write lock (\(rows.count) rows)")
            }
        }
        try session.batch(.mailAccountImport, target: "import:\(fileName)") { db, batch in
                locked = clock.now
                // Looked up once per import (this transaction holds the lock: nothing changes them meanwhile).
                var domainIDs: [String: Int64?] = [:]
                let findPerson = try db.cachedStatement(sql: "SELECT id, display_name, status FROM person WHERE login = ?")
                for (index, row) in rows.enumerated() {
                    // Checked again inside the transaction: another tool may have changed things since.
                    if let used = try Self.addressInUse(db, row.address.key) {
                        late.append(ImportProblem(line: row.line, field: "address", reason: "\(row.address.key) became \(used) meanwhile"))
                        continue
                    }
                    if domainIDs[row.address.asciiDomain] == nil {
                        domainIDs[row.address.asciiDomain] = try Int64.fetchOne(db, sql: "SELECT id FROM mail_domain WHERE name = ?", arguments: [row.address.asciiDomain])
                    }
                    guard let domainID = domainIDs[row.address.asciiDomain] ?? nil else {
                        late.append(ImportProblem(line: row.line, field: "address", reason: "the mail domain \(row.address.asciiDomain) was removed meanwhile"))
                        continue
                    }
                    let person = try row.login.flatMap { try GRDB.Row.fetchOne(findPerson, arguments: [$0]) }
                    if let person, let status = person["status"] as PersonStatus?, status != .active {
                        late.append(ImportProblem(line: row.line, field: "login", reason: "person \(row.login ?? "") is \(status.rawValue) now"))
                        continue
                    }
                    let name = row.name ?? person?["display_name"] ?? row.address.key
                    try newMailbox(address: row.address.key, domainID: domainID, personID: person?["id"], displayName: name,
                                   passwordHash: hashed[index], quotaBytes: try quotaBytes(row.quota ?? settings.defaultQuotaMB),
                                   mustChangePassword: true).insert(db)
                    var details = AuditDetails()
                    details["via"] = "import:\(fileName)"
                    details["owner"] = row.login ?? ""
                    details["auto_generated"] = true
                    if let notifier {
                        let account = try Self.requireAccount(db, address: row.address.key)
                        notices.append(contentsOf: try queue(.welcome, to: account, notifier: notifier, in: db, details: &details))
                    }
                    try batch.record(.mailAccountCreate, target: "mailbox:\(row.address.key)", details: details)
                }
                for update in updates {
                    guard let id = update.row.existing,
                          try Int.fetchOne(db, sql: "SELECT count(*) FROM mailbox WHERE id = ? AND address = ?", arguments: [id, update.row.address.key]) == 1 else {
                        late.append(ImportProblem(line: update.row.line, field: "address", reason: "\(update.row.address.key) was renamed or removed meanwhile"))
                        continue
                    }
                    var details = AuditDetails()
                    details["via"] = "import:\(fileName)"
                    if let name = update.name {
                        try db.execute(sql: "UPDATE mailbox SET display_name = ? WHERE id = ?", arguments: [name, id])
                        details["display_name"] = name
                    }
                    if let quota = update.quotaBytes {
                        try db.execute(sql: "UPDATE mailbox SET quota_bytes = ? WHERE id = ?", arguments: [quota, id])
                        details["to_bytes"] = quota.map { Int64($0) } ?? 0
                    }
                    try batch.record(.mailAccountUpdate, target: "mailbox:\(update.row.address.key)", details: details)
                }
                if !late.isEmpty { return .rollback(()) }
                batch.summary["file"] = fileName
                batch.summary["created"] = rows.count
                batch.summary["updated"] = updates.count
                batch.summary["unchanged"] = report.unchanged
                try keep(zip(rows, passwords).map { ($0.address.key, $1) })
                return .commit(())
        }
        guard late.isEmpty else {
            report.problems = late
            return report
        }
        report.created = rows.count
        report.passwords = zip(rows, passwords).map { ($0.address.key, $1) }
        report.notices = notices
        return report
    }
}

/// People's logins and statuses, for checking import rows without a query each.
private enum PeopleIndex {
    static func fetch(_ db: Database) throws -> [(String, String)] {
        try GRDB.Row.fetchAll(db, sql: "SELECT login, status FROM person").map { ($0["login"], $0["status"]) }
    }
}

/// Hash results filled in from many threads.
/// The hashes of an import, filled in by every core at once.
private final class HashResults: Sendable {
    private struct State {
        var results: [Result<String, any Error>?]
        var done = 0
    }

    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(results: Array(repeating: nil, count: count))) }

    /// Stores one result; returns how many are done.
    func set(_ index: Int, _ result: sending Result<String, any Error>) -> Int {
        state.withLock { state in
            state.results[index] = result
            state.done += 1
            return state.done
        }
    }

    func values() throws -> [String] {
        try state.withLock { state in
            try state.results.map { result in
                guard let result else { throw PasswordHashError(description: "a password was not hashed") }
                return try result.get()
            }
        }
    }
}
