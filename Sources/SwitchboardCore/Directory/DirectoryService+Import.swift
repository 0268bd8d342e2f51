public import Foundation
import SwitchboardBase
import GRDB

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

    /// Imports people from CSV: upsert by login, all or nothing, every row checked before anything is written.
    ///
    /// - Parameter progress: called with (rows done, rows in all) as rows are written.
    public func importPeople(csv data: Data, fileName: String, dryRun: Bool,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> ImportReport {
        try session.authorize(.personImport, target: "import:\(fileName)")
        var report = ImportReport()
        report.dryRun = dryRun
        let table: CSVTable
        do { table = try CSVReader.parse(data) } catch let error as CSVError {
            report.problems.append(ImportProblem(line: error.line, field: nil, reason: error.description))
            return report
        }
        let header = table.header.map { $0.lowercased() }
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

        // Check every row before writing anything.
        var parsed: [(line: Int, login: String, checked: PersonFields.Checked)] = []
        var seenLogins: [String: Int] = [:]
        var seenEmails: [String: Int] = [:]
        for record in table.rows {
            report.rows += 1
            guard record.fields.count == header.count else {
                report.problems.append(ImportProblem(line: record.line, field: nil,
                                                     reason: "has \(record.fields.count) fields, the header has \(header.count)"))
                continue
            }
            var cells: [String: String] = [:]
            // A cell our own export protected from spreadsheets ('=..., '+84...) reads back as it was.
            for (column, value) in zip(header, record.fields) { cells[column] = CSVWriter.unneutralize(value) }
            let login: String
            do { login = try DirectoryValidation.login(cells["login"] ?? "") } catch let error as DirectoryError {
                report.problems.append(ImportProblem(line: record.line, field: "login", reason: error.description))
                continue
            }
            if let first = seenLogins[login] {
                report.problems.append(ImportProblem(line: record.line, field: "login", reason: "\(login) already appears on line \(first)"))
                continue
            }
            seenLogins[login] = record.line
            let fields = PersonFields(
                displayName: cells["name"], givenName: cells["given_name"], familyName: cells["family_name"],
                email: cells["email"], unit: cells["unit"], title: cells["title"], employeeNumber: cells["employee_number"],
                phone: cells["phone"], manager: cells["manager"], language: cells["language"].flatMap { $0.isEmpty ? nil : $0 })
            do {
                let checked = try fields.checked()
                if let email = checked.email {
                    if let first = seenEmails[email.key] {
                        report.problems.append(ImportProblem(line: record.line, field: "email", reason: "\(email.display) already appears on line \(first)"))
                        continue
                    }
                    seenEmails[email.key] = record.line
                }
                parsed.append((record.line, login, checked))
            } catch let error as DirectoryError {
                report.problems.append(ImportProblem(line: record.line, field: error.field?.replacingOccurrences(of: " ", with: "_"), reason: error.description))
            }
        }
        guard report.problems.isEmpty else { return report }

        let total = parsed.count
        let stamp = timestamp
        let fileDigest = Hex.encode(SHA256Digest.of(data))
        try session.batch(.personImport, target: "import:\(fileName)", dryRun: dryRun) { db, batch in
                var problems: [ImportProblem] = []
                var done = 0
                // Pass 1: people, with their managers when those exist already; the rest wait for pass 2
                // (a manager may come later in the file).
                var deferredManagers: Set<String> = []
                for row in parsed {
                    var checked = row.checked
                    if let manager = checked.manager, !manager.isEmpty,
                       try Int64.fetchOne(db, sql: "SELECT id FROM person WHERE login = ?", arguments: [manager]) == nil {
                        checked.manager = nil
                        deferredManagers.insert(row.login)
                    }
                    do {
                        var details = AuditDetails()
                        details["via"] = "import:\(fileName)"
                        if let existing = try Self.findPerson(db, login: row.login) {
                            if existing.status == "purged" {
                                throw DirectoryError(.refused, "person \(row.login) was purged; choose another login")
                            }
                            if try Self.updatePerson(db, person: existing, checked: checked, at: stamp, details: &details).isEmpty {
                                report.unchanged += 1
                            } else {
                                report.updated += 1
                                try batch.record(.personUpdate, target: "person:\(row.login)", details: details)
                            }
                        } else {
                            try Self.insertPerson(db, login: row.login, checked: checked, role: .staff, language: defaultLanguage, at: stamp, details: &details)
                            report.added += 1
                            try batch.record(.personAdd, target: "person:\(row.login)", details: details)
                        }
                    } catch let error as DirectoryError {
                        problems.append(ImportProblem(line: row.line, field: error.field?.replacingOccurrences(of: " ", with: "_"), reason: error.description))
                    }
                    done += 1
                    if done % 200 == 0 || done == total { progress(done, total) }
                }
                // Pass 2: managers.
                for row in parsed where deferredManagers.contains(row.login) {
                    guard let manager = row.checked.manager else { continue }
                    do {
                        guard let person = try Self.findPerson(db, login: row.login) else { continue }
                        var onlyManager = PersonFields.Checked()
                        onlyManager.manager = manager
                        var details = AuditDetails()
                        details["via"] = "import:\(fileName)"
                        if try !Self.updatePerson(db, person: person, checked: onlyManager, at: stamp, details: &details).isEmpty {
                            try batch.record(.personUpdate, target: "person:\(row.login)", details: details)
                        }
                    } catch let error as DirectoryError {
                        problems.append(ImportProblem(line: row.line, field: "manager", reason: error.description))
                    }
                }
                if !problems.isEmpty {
                    report.problems = problems
                    return .rollback(())
                }
                batch.summary["file"] = fileName
                batch.summary["sha256"] = fileDigest
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
