import Foundation
import SwitchboardCore

/// Benchmarks of the foundation: audit append and verify, CSV import. Prints one line per figure.
///
/// Usage: SwitchboardBench [audit-append|audit-verify|import|mail-import|meet-parse|meet-expand|meet-conflicts|health-history|all] [--events N]
@main
struct SwitchboardBench {
    static func main() async {
        do {
            try await run()
        } catch {
            print("ERROR: \(error)")
            exit(1)
        }
    }

    static func run() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        let which = arguments.first ?? "all"
        let events = arguments.firstIndex(of: "--events").flatMap { Int(arguments[arguments.index(after: $0)]) } ?? 1_000_000
        if which == "all" || which == "audit-append" { try auditAppend() }
        if which == "all" || which == "audit-verify" { try auditVerify(events: events) }
        if which == "all" || which == "import" { try importPeople(count: 10_000) }
        if which == "all" || which == "mail-import" { try MailBenchmarks.importAccounts(count: 5_000) }
        if which == "all" || which == "meet-parse" { try MeetBenchmarks.parse() }
        if which == "all" || which == "meet-expand" { try MeetBenchmarks.expand() }
        if which == "all" || which == "meet-conflicts" { try MeetConflictBenchmarks.conflicts() }
        if which == "all" || which == "health-history" { try HealthHistoryBenchmarks.history() }
        if which == "mail-notify", let env = arguments.firstIndex(of: "--env").map({ arguments[arguments.index(after: $0)] }) {
            try await MailBenchmarks.notifications(count: 1_000, envFile: env)
        }
    }

    static func freshDatabase() throws -> SwitchboardDatabase {
        let folder = NSTemporaryDirectory() + "switchboard-bench-\(UUID().uuidString)"
        return try SwitchboardDatabase(path: folder + "/bench.sqlite", create: true)
    }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// One figure line: the name in 44 columns (ops/bench/compare.py matches before and after by it), the value, the unit.
    static func report(_ name: String, _ value: Double, _ unit: String, goal: String = "", note: String = "") {
        let figure = String(format: value < 10 ? "%12.2f" : "%12.1f", value)
        let remarks = [goal.isEmpty ? nil : "goal: \(goal)", note.isEmpty ? nil : note].compactMap { $0 }.joined(separator: "; ")
        print(name.padding(toLength: 44, withPad: " ", startingAt: 0) + figure + " " + unit + (remarks.isEmpty ? "" : "   (\(remarks))"))
    }

    /// A fresh database with its first admin, and a session acting as that admin.
    static func adminSession() throws -> Session {
        let database = try freshDatabase()
        let audit = AuditLog()
        let bootstrap = Session.bootstrap(database: database, osUser: "root", tool: "bench", host: "bench", audit: audit)
        _ = try DirectoryService(database: database, session: bootstrap, settings: .init())
            .initialize(admin: "root", fields: PersonFields(displayName: "Quản trị"))
        return try Session.resolve(database: database, osUser: "root", isRoot: true, asLogin: nil, tool: "bench", host: "bench", audit: audit)
    }

    /// `count` events through the session's batch form, `perTransaction` to a transaction.
    static func appendEvents(_ session: Session, count: Int, perTransaction: Int, details: AuditDetails, tag: String) throws {
        for batch in 0..<(count / perTransaction) {
            let _: Void = try session.batch(.personUpdate, target: "bench:\(tag)\(batch)") { _, events in
                for index in 0..<(perTransaction - 1) {
                    try events.record(.personUpdate, target: "person:\(tag)\(batch)-\(index)", details: details)
                }
                return .commit(())
            }
        }
    }

    static func auditAppend() throws {
        let session = try adminSession()
        var details = AuditDetails()
        details["name"] = "Nguyễn Văn An"
        let single = 2_000
        let seconds = try time {
            for index in 0..<single {
                try session.record(.personUpdate, target: "person:u\(index)", details: details)
            }
        }
        report("audit append, 1 event per transaction", Double(single) / seconds, "events/s")
        let batched = 200_000
        let batchSeconds = try time {
            try appendEvents(session, count: batched, perTransaction: 1000, details: details, tag: "b")
        }
        report("audit append, 1000 events per transaction", Double(batched) / batchSeconds, "events/s")
    }

    static func auditVerify(events: Int) throws {
        let session = try adminSession()
        var details = AuditDetails()
        details["name"] = "Nguyễn Văn An"
        details["unit"] = "TTCNTT-HD"
        let fill = try time {
            try appendEvents(session, count: events, perTransaction: 10_000, details: details, tag: "u")
        }
        report("filling \(events) events (setup)", fill, "s")
        let verifier = AuditVerifier(publicKey: nil)
        var intact = false
        let seconds = try time {
            intact = try session.database.read { db in try verifier.verify(db) }.intact
        }
        report("audit verify of \(events) events", seconds, "s", goal: "under 3 s")
        if !intact { print("ERROR: the benchmark log did not verify") }
    }

    static func importPeople(count: Int) throws {
        let session = try adminSession()
        let directory = DirectoryService(database: session.database, session: session, settings: .init())
        try directory.addUnit(code: "IT", name: "Trung tâm CNTT", parent: nil)
        var csv = "login,name,given_name,family_name,email,unit,title,employee_number,phone,language\n"
        let families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Bùi", "Đỗ"]
        for index in 0..<count {
            let family = families[index % families.count]
            csv += "user\(index),\(family) Văn Người \(index),Văn Người \(index),\(family),user\(index)@bonoivu.gov.vn,IT,\"Chuyên viên, bậc \(index % 9)\",NV\(index),024 3824 \(1000 + index % 9000),vi\n"
        }
        var report: ImportReport?
        let seconds = try time {
            report = try directory.importPeople(csv: Data(csv.utf8), fileName: "bench.csv", dryRun: false)
        }
        Self.report("CSV import of \(count) people", seconds, "s", goal: "under 5 s")
        if report?.added != count { print("ERROR: imported \(report?.added ?? 0) of \(count): \(report?.problems.prefix(3) ?? [])") }
    }
}
