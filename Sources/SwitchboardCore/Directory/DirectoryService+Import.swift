public import Foundation
import Crypto
import GRDB
import Logging
import SwitchboardBase

/// One problem with one row of an import file.
public struct ImportProblem: Sendable, Codable, Equatable {
    /// The physical line of the file where the row starts.
    public var line: Int
    /// The column at fault, when one is.
    public var field: String?
    /// What is wrong.
    public var reason: String

    /// A problem on a line, in a field.
    public init(line: Int, field: String?, reason: String) {
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// One line for a person: `people.csv:12: email: ...`.
    public func describe(file: String) -> String {
        // Validation messages already start with the field's name: do not say it twice.
        let label = field.flatMap { reason.hasPrefix($0.replacingOccurrences(of: "_", with: " ")) ? nil : "\($0): " } ?? ""
        return "\(file):\(line): \(label)\(reason)"
    }
}

/// What an import did, or would do with `--dry-run`.
public struct ImportReport: Sendable, Codable {
    /// Rows read.
    public var rows = 0
    /// People added.
    public var added = 0
    /// People changed.
    public var updated = 0
    /// Rows that changed nothing.
    public var unchanged = 0
    /// Problems; any problem means nothing was written.
    public var problems: [ImportProblem] = []
    /// True when nothing was meant to be written.
    public var dryRun = false
    /// True when the changes were committed.
    public var committed = false

    enum CodingKeys: String, CodingKey { case rows, added, updated, unchanged, problems, dryRun = "dry_run", committed }
}

extension DirectoryService {
    /// The columns of a people CSV file; `login` and `name` are required.
    public static let personColumns = ["login", "name", "given_name", "family_name", "email", "unit", "title",
                                       "employee_number", "phone", "manager", "language"]

    /// Imports people from CSV bytes: upsert by login, all or nothing, every row checked before anything is written.
    ///
    /// The rows are checked and staged in this connection's TEMP database without locking the
    /// shared file, then applied in one short write transaction that checks each row again
    /// against what other tools wrote meanwhile and records the events and the summary with it.
    ///
    /// - Parameter progress: called with (rows done, rows in all) as rows are staged.
    public func importPeople(csv data: Data, fileName: String, dryRun: Bool,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> ImportReport {
        try importPeople(open: { try CSVRecordStream(data: data) }, digest: { SHA256Digest.of(data) },
                         fileName: fileName, dryRun: dryRun, progress: progress)
    }

    /// Imports people from a CSV file, read twice in 1 MB chunks (once to check every row, once to
    /// stage it): memory is bounded by a chunk and a row, not by the file. All or nothing, and the
    /// write lock held only while the staged rows are applied, as above; a file changed between
    /// the two reads is refused and nothing is written.
    public func importPeople(file path: String, fileName: String, dryRun: Bool,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> ImportReport {
        try importPeople(open: { try CSVRecordStream(path: path) }, digest: { try Self.fileDigest(path) },
                         fileName: fileName, dryRun: dryRun, progress: progress)
    }

    /// Runs `body` on the rows `sql` selects, a batch at a time in `id` order: `sql` takes the last
    /// id seen and the batch size as its two arguments (`WHERE id > ? ORDER BY id LIMIT ?`).
    static func forEachStagedBatch(_ db: Database, sql: String, _ body: ([Row]) throws -> Void) throws {
        var after: Int64 = 0
        while true {
            let rows = try Row.fetchAll(db, sql: sql, arguments: [after, stagingBatchRows])
            guard let last = rows.last else { return }
            after = last["id"]
            try body(rows)
        }
    }

    /// The SHA-256 of a file, read in chunks.
    static func fileDigest(_ path: String) throws -> [UInt8] {
        // Opened with the caller's rights, as every file a caller names (CallerIdentity).
        guard let handle = try CallerIdentity.perform({ FileHandle(forReadingAtPath: path) }) else {
            throw InputFileError(path: path, problem: "cannot be read (check the path and its permissions)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return Array(hasher.finalize())
    }

    /// One row checked on its own: its login and fields, or what is wrong with it.
    private struct ImportRow {
        var line: Int
        var login: String
        var checked: PersonFields.Checked
    }

    private enum CheckedRow {
        case row(ImportRow)
        case problem(ImportProblem)
    }

    private static func check(_ record: CSVRecord, header: [String]) -> CheckedRow {
        guard record.fields.count == header.count else {
            return .problem(ImportProblem(line: record.line, field: nil, reason: "has \(record.fields.count) fields, the header has \(header.count)"))
        }
        var cells: [String: String] = [:]
        // A cell our own export protected from spreadsheets ('=..., '+84...) reads back as it was.
        for (column, value) in zip(header, record.fields) { cells[column] = CSVWriter.unneutralize(value) }
        let login: String
        do { login = try DirectoryValidation.login(cells["login"] ?? "") } catch {
            return .problem(ImportProblem(line: record.line, field: "login", reason: "\(error)"))
        }
        let fields = PersonFields(
            displayName: cells["name"], givenName: cells["given_name"], familyName: cells["family_name"],
            email: cells["email"], unit: cells["unit"], title: cells["title"], employeeNumber: cells["employee_number"],
            phone: cells["phone"], manager: cells["manager"], language: cells["language"].flatMap { $0.isEmpty ? nil : $0 })
        do { return .row(ImportRow(line: record.line, login: login, checked: try fields.checked())) } catch let error as DirectoryError {
            return .problem(ImportProblem(line: record.line, field: error.field?.replacingOccurrences(of: " ", with: "_"), reason: error.description))
        } catch {
            return .problem(ImportProblem(line: record.line, field: nil, reason: "\(error)"))
        }
    }

    /// The import's scratch tables, in this connection's TEMP database, never the shared file:
    /// writing them takes no lock that another tool, Dovecot or Postfix waits on, and they vanish
    /// with the connection, so an import killed part-way leaves nothing a rerun could see. They
    /// hold the logins and e-mail keys seen so far (duplicates within the file), the checked rows
    /// waiting to be applied (the staging table), and the rows whose manager comes later in the file.
    private static let scratchTables = """
        CREATE TEMP TABLE IF NOT EXISTS import_login (login TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TEMP TABLE IF NOT EXISTS import_email (key TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TEMP TABLE IF NOT EXISTS import_person (
            id INTEGER PRIMARY KEY, line INTEGER NOT NULL, login TEXT NOT NULL, name TEXT, given_name TEXT, family_name TEXT,
            email TEXT, email_key TEXT, clear_email INTEGER NOT NULL, unit TEXT, title TEXT, employee_number TEXT, phone TEXT,
            manager TEXT, language TEXT, search_key TEXT NOT NULL);
        CREATE TEMP TABLE IF NOT EXISTS import_manager (id INTEGER PRIMARY KEY, line INTEGER NOT NULL, login TEXT NOT NULL, manager TEXT NOT NULL);
        DELETE FROM temp.import_login; DELETE FROM temp.import_email; DELETE FROM temp.import_person; DELETE FROM temp.import_manager;
        """

    /// Rows staged per transaction on the TEMP database, and read back per query when applied.
    static let stagingBatchRows = 1_000

    private func importPeople(open: () throws -> CSVRecordStream, digest: () throws -> [UInt8], fileName: String, dryRun: Bool,
                              progress: (Int, Int) -> Void) throws -> ImportReport {
        try session.authorize(.personImport, target: "import:\(fileName)")
        if let reason = database.readOnlyReason {
            throw StorageError(.readOnly, "database \(database.path) is open read-only (\(reason)): an import changes it; run it as a user who may write the file and its folder")
        }
        var report = ImportReport()
        report.dryRun = dryRun
        var stream: CSVRecordStream
        do { stream = try open() } catch let error as CSVError {
            report.problems.append(ImportProblem(line: error.line, field: nil, reason: error.description))
            return report
        }
        let header = stream.header.map { $0.lowercased() }
        for (index, column) in header.enumerated() where !Self.personColumns.contains(column) {
            report.problems.append(ImportProblem(line: 1, field: column.isEmpty ? "column \(index + 1)" : column,
                                                 reason: "unknown column (known: \(Self.personColumns.joined(separator: ", ")))"))
        }
        for required in ["login", "name"] where !header.contains(required) {
            report.problems.append(ImportProblem(line: 1, field: required, reason: "required column missing"))
        }
        if Set(header).count != header.count {
            report.problems.append(ImportProblem(line: 1, field: nil, reason: "a column appears twice"))
        }
        guard report.problems.isEmpty else { return report }
        let fileDigest = try digest()
        defer {
            try? database.writer.inDatabase { db in
                try db.execute(sql: "DROP TABLE IF EXISTS temp.import_login; DROP TABLE IF EXISTS temp.import_email; DROP TABLE IF EXISTS temp.import_person; DROP TABLE IF EXISTS temp.import_manager")
            }
        }

        // Pass 1: check every row before writing anything. Only the TEMP database is written, in a
        // deferred transaction that takes no lock on the shared file.
        try database.writer.inDatabase { db in
            try db.execute(sql: Self.scratchTables)
            try db.inTransaction(.deferred) {
                let addLogin = try db.cachedStatement(sql: "INSERT OR IGNORE INTO temp.import_login VALUES (?, ?)")
                let addEmail = try db.cachedStatement(sql: "INSERT OR IGNORE INTO temp.import_email VALUES (?, ?)")
                do {
                    while let record = try stream.next() {
                        report.rows += 1
                        let row: ImportRow
                        switch Self.check(record, header: header) {
                        case let .problem(problem):
                            report.problems.append(problem)
                            continue
                        case let .row(checked):
                            row = checked
                        }
                        try addLogin.execute(arguments: [row.login, row.line])
                        if db.changesCount == 0 {
                            let first = try Int.fetchOne(db, sql: "SELECT line FROM temp.import_login WHERE login = ?", arguments: [row.login]) ?? 0
                            report.problems.append(ImportProblem(line: row.line, field: "login", reason: "\(row.login) already appears on line \(first)"))
                            continue
                        }
                        if let email = row.checked.email {
                            try addEmail.execute(arguments: [email.key, row.line])
                            if db.changesCount == 0 {
                                let first = try Int.fetchOne(db, sql: "SELECT line FROM temp.import_email WHERE key = ?", arguments: [email.key]) ?? 0
                                report.problems.append(ImportProblem(line: row.line, field: "email", reason: "\(email.display) already appears on line \(first)"))
                            }
                        }
                    }
                } catch let error as CSVError {
                    report.problems.append(ImportProblem(line: error.line, field: nil, reason: error.description))
                }
                return .commit
            }
        }
        guard report.problems.isEmpty else { return report }

        // Pass 2: read the file again and stage its checked rows, still outside the write lock.
        let total = report.rows
        stream = try open()
        let staged = try stagePeople(&stream, header: header, total: total, progress: progress)
        if try digest() != fileDigest || staged != total {
            report.problems.append(ImportProblem(line: 1, field: nil, reason: "the file changed while it was being imported; nothing was written: import it again"))
            return report
        }

        // Apply: one short write transaction from the staged rows, every row checked again against
        // what other tools wrote meanwhile, with the events and the summary in the same transaction.
        let clock = ContinuousClock()
        var locked: ContinuousClock.Instant?
        defer {
            if let locked {
                session.logger.debug("timing: import apply \(String(format: "%.1f ms", (clock.now - locked).inSeconds * 1000)) holding the write lock (\(total) rows\(dryRun ? ", dry run" : ""))")
            }
        }
        let stamp = timestamp
        try session.batch(.personImport, target: "import:\(fileName)", dryRun: dryRun) { db, batch in
            locked = clock.now
            session.logger.debug("applying \(total) staged rows of \(fileName) (the write lock is held until they commit)")
            var problems: [ImportProblem] = []
            // People, with their managers when those exist already; the rest wait in
            // temp.import_manager (a manager may come later in the file).
            let deferManager = try db.cachedStatement(sql: "INSERT INTO temp.import_manager (line, login, manager) VALUES (?, ?, ?)")
            var people = try StagedPeople(db)
            try Self.forEachStagedBatch(db, sql: "SELECT * FROM temp.import_person WHERE id > ? ORDER BY id LIMIT ?") { rows in
                for staged in rows {
                    let line: Int = staged["line"]
                    let login: String = staged["login"]
                    do {
                        var managerID: Int64?
                        var managerDeferred = false
                        if let manager = staged["manager"] as String?, !manager.isEmpty {
                            managerID = try people.id(login: manager)
                            if managerID == nil {
                                managerDeferred = true
                                try deferManager.execute(arguments: [line, login, manager])
                            }
                        }
                        var details = AuditDetails()
                        details["via"] = "import:\(fileName)"
                        if let existing = try people.find(login: login) {
                            if existing.status == .purged {
                                throw DirectoryError(.refused, "person \(login) was purged; choose another login")
                            }
                            if existing.role == .admin, session.role != .admin {
                                throw DirectoryError(.refused, "person \(login) is an admin: only an admin may change an admin", field: "login")
                            }
                            var checked = try Self.checkedFields(staged)
                            if managerDeferred { checked.manager = nil }
                            if try Self.updatePerson(db, person: existing, checked: checked, at: stamp, details: &details).isEmpty {
                                report.unchanged += 1
                            } else {
                                report.updated += 1
                                try batch.record(.personUpdate, target: "person:\(login)", details: details)
                            }
                        } else {
                            try people.add(staged, login: login, managerID: managerID, language: defaultLanguage, at: stamp, details: &details)
                            report.added += 1
                            try batch.record(.personAdd, target: "person:\(login)", details: details)
                        }
                    } catch let error as DirectoryError {
                        problems.append(ImportProblem(line: line, field: error.field?.replacingOccurrences(of: " ", with: "_"), reason: error.description))
                    }
                }
            }
            // Managers named before they existed, a batch at a time.
            try Self.forEachStagedBatch(db, sql: "SELECT id, line, login, manager FROM temp.import_manager WHERE id > ? ORDER BY id LIMIT ?") { pending in
                for deferred in pending {
                    let login: String = deferred["login"]
                    do {
                        guard let person = try Self.findPerson(db, login: login) else { continue }
                        var onlyManager = PersonFields.Checked()
                        onlyManager.manager = deferred["manager"]
                        var details = AuditDetails()
                        details["via"] = "import:\(fileName)"
                        if try !Self.updatePerson(db, person: person, checked: onlyManager, at: stamp, details: &details).isEmpty {
                            try batch.record(.personUpdate, target: "person:\(login)", details: details)
                        }
                    } catch let error as DirectoryError {
                        problems.append(ImportProblem(line: deferred["line"], field: "manager", reason: error.description))
                    }
                }
            }
            if !problems.isEmpty {
                report.problems = problems
                return .rollback(())
            }
            batch.summary["file"] = fileName
            batch.summary["sha256"] = Hex.encode(fileDigest)
            batch.summary["rows"] = report.rows
            batch.summary["added"] = report.added
            batch.summary["updated"] = report.updated
            report.committed = !dryRun
            return .commit(())
        }
        return report
    }

    /// Pass 2: reads the file again and stages its checked rows in temp.import_person, a batch of
    /// rows per transaction on the TEMP database alone: the shared file is not locked, so other
    /// tools keep writing while a large file is read, checked and normalized. Returns the rows read.
    private func stagePeople(_ stream: inout CSVRecordStream, header: [String], total: Int, progress: (Int, Int) -> Void) throws -> Int {
        try database.writer.inDatabase { db in
            let stage = try db.cachedStatement(sql: """
                INSERT INTO temp.import_person (line, login, name, given_name, family_name, email, email_key, clear_email, unit, title,
                    employee_number, phone, manager, language, search_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var done = 0
            var finished = false
            while !finished {
                try db.inTransaction(.deferred) {
                    for _ in 0..<Self.stagingBatchRows {
                        guard let record = try stream.next() else {
                            finished = true
                            break
                        }
                        done += 1
                        if done % 200 == 0 || done == total { progress(done, total) }
                        // Checked in pass 1: a row that fails now means the file changed; the digest refuses it.
                        guard case let .row(row) = Self.check(record, header: header) else { continue }
                        let fields = row.checked
                        // The search key a new person gets (insertPerson's), computed here rather than under the lock.
                        let searchKey = TextNormalization.searchKey([fields.displayName ?? row.login, row.login, fields.email?.display ?? ""].joined(separator: " "))
                        try stage.execute(arguments: [
                            row.line, row.login, fields.displayName, fields.givenName, fields.familyName, fields.email?.display, fields.email?.key,
                            fields.clearEmail, fields.unit, fields.title, fields.employeeNumber, fields.phone, fields.manager, fields.language, searchKey,
                        ])
                    }
                    return .commit
                }
            }
            return done
        }
    }

    /// A staged row's fields, as ``PersonFields/checked()`` gave them (the e-mail address is
    /// parsed again from its normalized form, which gives the same address).
    private static func checkedFields(_ row: Row) throws -> PersonFields.Checked {
        var fields = PersonFields.Checked()
        fields.displayName = row["name"]
        fields.givenName = row["given_name"]
        fields.familyName = row["family_name"]
        fields.email = try (row["email"] as String?).map { try DirectoryValidation.email($0) }
        fields.clearEmail = row["clear_email"]
        fields.unit = row["unit"]
        fields.title = row["title"]
        fields.employeeNumber = row["employee_number"]
        fields.phone = row["phone"]
        fields.manager = row["manager"]
        fields.language = row["language"]
        return fields
    }

    /// The apply step's reads and inserts, with their statements prepared once per import and each
    /// unit's id looked up once: the write lock is held for the database work alone. Units cannot
    /// change meanwhile (this transaction holds the lock).
    private struct StagedPeople {
        let db: Database
        let personID: Statement
        let person: Statement
        let emailOwner: Statement
        let insert: Statement
        var unitIDs: [String: Int64] = [:]

        init(_ db: Database) throws {
            self.db = db
            personID = try db.cachedStatement(sql: "SELECT id FROM person WHERE login = ?")
            person = try db.cachedStatement(sql: try Person.selection.build(db).sql + " WHERE p.login = ?")
            emailOwner = try db.cachedStatement(sql: "SELECT login FROM person WHERE email_key = ? AND login <> ?")
            // The row insertPerson writes (ImportStagingTests compares the two).
            insert = try db.cachedStatement(sql: """
                INSERT INTO person (login, display_name, given_name, family_name, search_key, email, email_key, unit_id, title,
                    employee_number, phone, manager_id, language, role, status, status_changed_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
                """)
        }

        func id(login: String) throws -> Int64? {
            try Int64.fetchOne(personID, arguments: [login])
        }

        func find(login: String) throws -> Person? {
            try Person.fetchOne(person, arguments: [login])
        }

        /// Adds a staged row as a new staff member, as ``DirectoryService/insertPerson`` does (same
        /// checks, same messages, same audit details), from the values normalized when staging.
        mutating func add(_ staged: Row, login: String, managerID: Int64?, language: String, at stamp: String, details: inout AuditDetails) throws {
            let displayName = staged["name"] as String? ?? login
            let email = staged["email"] as String?
            let emailKey = staged["email_key"] as String?
            if let email, let emailKey, let owner = try String.fetchOne(emailOwner, arguments: [emailKey, login]) {
                throw DirectoryError(.conflict, "e-mail \(email) is already used by \(owner)", field: "email")
            }
            var unitID: Int64?
            let unit = staged["unit"] as String?
            if let unit, !unit.isEmpty {
                if let known = unitIDs[unit] {
                    unitID = known
                } else {
                    unitID = try DirectoryService.requireUnitID(db, code: unit)
                    unitIDs[unit] = unitID
                }
            }
            try insert.execute(arguments: [
                login, displayName, staged["given_name"] as String? ?? "", staged["family_name"] as String? ?? "", staged["search_key"] as String,
                email, emailKey, unitID, staged["title"] as String? ?? "", staged["employee_number"] as String? ?? "", staged["phone"] as String? ?? "",
                managerID, staged["language"] as String? ?? language, Role.staff.rawValue, stamp, stamp, stamp,
            ])
            details["name"] = displayName
            details["role"] = Role.staff.rawValue
            if let email { details["email"] = email }
            if let unit, !unit.isEmpty { details["unit"] = unit }
        }
    }

    /// Writes people as CSV, with formula-like cells neutralized for spreadsheets.
    public func exportPeople(_ filter: PersonFilter) throws -> String {
        try session.authorize(.personExport, target: "person:*")
        let rows = try people(filter).map { person in
            [person.login, person.displayName, person.givenName, person.familyName, person.email ?? "", person.unit ?? "",
             person.title, person.employeeNumber, person.phone, person.manager ?? "", person.language]
        }
        return CSVWriter.encode(header: Self.personColumns, rows: rows)
    }
}
