import Foundation
import SwitchboardTestSupport
import Testing

/// The package's layering, read from its sources: the rules that keep the audit funnel closed
/// and the libraries reusable by a second front end (healthd's HTTP API, a web page).
@Suite struct LayeringTests {
    static let root = Repository.root

    /// The modules each Swift file under `Sources/TARGET` imports.
    static func imports(of target: String) throws -> [(file: String, module: String)] {
        let folder = root + "/Sources/" + target
        let files = try #require(FileManager.default.enumerator(atPath: folder)?.allObjects as? [String], "no folder \(folder)")
        var found: [(String, String)] = []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
                      words[..<index].allSatisfy({ ["@testable", "public", "internal", "package", "private", "fileprivate", "@_exported"].contains($0) })
                else { continue }
                found.append((target + "/" + file, words[index + 1]))
            }
        }
        #expect(!found.isEmpty, "no imports found under \(folder): the scan is broken")
        return found
    }

    /// The text of one target's declaration in Package.swift, from its `name:` to its closing parenthesis.
    static func declaration(of target: String) throws -> String {
        let manifest = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        let name = try #require(manifest.range(of: "name: \"\(target)\""), "no target \(target) in Package.swift")
        let start = try #require(manifest[..<name.lowerBound].range(of: "(", options: .backwards))
        var depth = 0
        var end = start.lowerBound
        for index in manifest[start.lowerBound...].indices {
            if manifest[index] == "(" { depth += 1 }
            if manifest[index] == ")" { depth -= 1 }
            if depth == 0 { end = index; break }
        }
        return String(manifest[start.lowerBound...end])
    }

    @Test(arguments: ["dirctl", "mailctl", "meetctl", "SwitchboardCLI"])
    func frontEndsDoNotImportGRDB(target: String) throws {
        let offenders = try Self.imports(of: target).filter { $0.module == "GRDB" }.map(\.file)
        #expect(offenders.isEmpty, "\(offenders) import GRDB: only the libraries talk to the database")
        #expect(!(try Self.declaration(of: target)).contains("GRDB"), "the \(target) target depends on GRDB in Package.swift")
    }

    @Test(arguments: ["Transport", "Messaging", "ICalendar"])
    func clientLibrariesStayLeaves(target: String) throws {
        let heavy: Set<String> = ["GRDB", "Yams", "Crypto", "SwitchboardCore"]
        let offenders = try Self.imports(of: target).filter { heavy.contains($0.module) }.map { "\($0.file) imports \($0.module)" }
        #expect(offenders.isEmpty, "\(offenders)")
        let declaration = try Self.declaration(of: target)
        for module in heavy { #expect(!declaration.contains("\"\(module)\""), "\(target) depends on \(module)") }
    }

    @Test func theBaseTargetDependsOnNothing() throws {
        let allowed: Set<String> = ["Foundation", "Glibc", "Darwin"]
        let offenders = try Self.imports(of: "SwitchboardBase").filter { !allowed.contains($0.module) }.map { "\($0.file) imports \($0.module)" }
        #expect(offenders.isEmpty, "\(offenders)")
        #expect(!(try Self.declaration(of: "SwitchboardBase")).contains("dependencies"))
    }

    @Test func onlyTheSessionAppendsAuditEvents() throws {
        let sources = Self.root + "/Sources"
        let files = try #require(FileManager.default.enumerator(atPath: sources)?.allObjects as? [String])
        var offenders: [String] = []
        // The funnel itself, the log it writes, and the opener that owns the one writer.
        let funnel: Set<String> = ["SwitchboardCore/Access/Session.swift", "SwitchboardCore/Audit/AuditLog.swift",
                                   "SwitchboardCore/Database/SwitchboardDatabase.swift"]
        for file in files where file.hasSuffix(".swift") && !funnel.contains(file) {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            // healthd's history file is a database of its own (no directory, no audit log): its
            // opener sets pragmas outside a transaction there, and nowhere else may.
            let ownDatabase = file == "HealthMonitor/History/HistoryStore.swift"
            if text.contains("audit.append(") || text.contains(".append(db, context:") || (!ownDatabase && text.contains("writeWithoutTransaction")) {
                offenders.append(file)
            }
        }
        #expect(offenders.isEmpty, "\(offenders) write audit events or transactions outside Session")
    }
}
