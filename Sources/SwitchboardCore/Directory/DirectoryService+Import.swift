public import Foundation
import Crypto
import GRDB
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
}

extension DirectoryService {
    /// The columns of a people CSV file; `login` and `name` are required.
    public static let personColumns = ["login", "name", "given_name", "family_name", "email", "unit", "title",
                                       "employee_number", "phone", "manager", "language"]

    /// Imports people from CSV bytes: upsert by login, all or nothing, every row checked before anything is written.
    ///
    /// - Parameter progress: called with (rows done, rows in all) as rows are written.
    public func importPeople(csv data: Data, fileName: String, dryRun: Bool,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> ImportReport {
        try importPeople(open: { try CSVRecordStream(data: data) }, digest: { SHA256Digest.of(data) },
                         fileName: fileName, dryRun: dryRun, progress: progress)
    }

    /// Imports people from a CSV file, read twice in 1 MB chunks (once to check every row, once to
    /// write): memory is bounded by a chunk and a row, not by the file. All or nothing, as above;
    /// a file changed between the two reads is refused and nothing is written.
    public func importPeople(file path: String, fileName: String, dryRun: Bool,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> ImportReport {
        try importPeople(open: { try CSVRecordStream(path: path) }, digest: { try Self.fileDigest(path) },
                         fileName: fileName, dryRun: dryRun, progress: progress)
    }

    /// The SHA-256 of a file, read in chunks.
    static func fileDigest(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
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

    /// The import's scratch tables, in this connection's TEMP database (never the shared file):
    /// the logins and e-mail keys seen so far, and the rows whose manager comes later in the file.
    private static let scratchTables = """
        CREATE TEMP TABLE IF NOT EXISTS import_login (login TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TEMP TABLE IF NOT EXISTS import_email (key TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TEMP TABLE IF NOT EXISTS import_manager (id INTEGER PRIMARY KEY, line INTEGER NOT NULL, login TEXT NOT NULL, manager TEXT NOT NULL);
        DELETE FROM temp.import_login; DELETE FROM temp.import_email; DELETE FROM temp.import_manager;
        """

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
        defer { try? database.writer.inDatabase { db in try db.execute(sql: "DROP TABLE IF EXISTS temp.import_login; DROP TABLE IF EXISTS temp.import_email; DROP TABLE IF EXISTS temp.import_manager") } }

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

        // Pass 2: read the file again and write it in one transaction, row by row.
        let total = report.rows
        let stamp = timestamp
        stream = try open()
        try session.batch(.personImport, target: "import:\(fileName)", dryRun: dryRun) { db, batch in
                var problems: [ImportProblem] = []
                var done = 0
                // People, with their managers when those exist already; the rest wait in
                // temp.import_manager (a manager may come later in the file).
                let deferManager = try db.cachedStatement(sql: "INSERT INTO temp.import_manager (line, login, manager) VALUES (?, ?, ?)")
                while let record = try stream.next() {
                    done += 1
                    if done % 200 == 0 || done == total { progress(done, total) }
                    guard case var .row(row) = Self.check(record, header: header) else {
                        // Checked in pass 1: the file changed since; the digest below refuses it.
                        continue
                    }
                    if let manager = row.checked.manager, !manager.isEmpty,
                       try Int64.fetchOne(db, sql: "SELECT id FROM person WHERE login = ?", arguments: [manager]) == nil {
                        row.checked.manager = nil
                        try deferManager.execute(arguments: [row.line, row.login, manager])
                    }
                    do {
                        var details = AuditDetails()
                        details["via"] = "import:\(fileName)"
                        if let existing = try Self.findPerson(db, login: row.login) {
                            if existing.status == .purged {
                                throw DirectoryError(.refused, "person \(row.login) was purged; choose another login")
                            }
                            if existing.role == .admin, session.role != .admin {
                                throw DirectoryError(.refused, "person \(row.login) is an admin: only an admin may change an admin", field: "login")
                            }
                            if try Self.updatePerson(db, person: existing, checked: row.checked, at: stamp, details: &details).isEmpty {
                                report.unchanged += 1
                            } else {
                                report.updated += 1
                                try batch.record(.personUpdate, target: "person:\(row.login)", details: details)
                            }
                        } else {
                            try Self.insertPerson(db, login: row.login, checked: row.checked, role: .staff, language: defaultLanguage, at: stamp, details: &details)
                            report.added += 1
                            try batch.record(.personAdd, target: "person:\(row.login)", details: details)
                        }
                    } catch let error as DirectoryError {
                        problems.append(ImportProblem(line: row.line, field: error.field?.replacingOccurrences(of: " ", with: "_"), reason: error.description))
                    }
                }
                // Managers named before they existed, a batch at a time.
                var after: Int64 = 0
                while true {
                    let pending = try Row.fetchAll(db, sql: "SELECT id, line, login, manager FROM temp.import_manager WHERE id > ? ORDER BY id LIMIT 1000", arguments: [after])
                    guard let last = pending.last else { break }
                    after = last["id"]
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
                if try digest() != fileDigest || done != total {
                    problems.append(ImportProblem(line: 1, field: nil, reason: "the file changed while it was being imported; nothing was written: import it again"))
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
