import Foundation
import SwitchboardTestSupport
import Testing

/// Several processes on one database file, and a process killed in the middle of a bulk import.
@Suite struct ConcurrencyAndCrashTests {
    @Test func fourProcessesWritingAtOnceLoseNothing() throws {
        let workspace = try Workspace.populated()
        let before = Int(try workspace.scalar("SELECT max(seq) FROM audit_event")) ?? 0
        let writer = Workspace.products + "/StressWriter"
        guard FileManager.default.isExecutableFile(atPath: writer) else {
            throw TestSetupError("\(writer) not built: run `swift build --build-tests`")
        }
        let writers = try (0..<4).map { index in try ProcessRunner.start(writer, [workspace.database, "p\(index)", "500"]) }
        for running in writers {
            try running.closeInput()
            let run = try running.finish()
            #expect(run.status == 0, "a writer failed: \(run.stderr)")
            #expect(!run.stderr.contains("locked"), "a user would have seen: \(run.stderr)")
        }
        #expect(try workspace.scalar("SELECT count(*) FROM room") == "2000")
        let events = try workspace.scalar("SELECT count(*) || ' ' || min(seq) || ' ' || max(seq) FROM audit_event WHERE seq > \(before)")
        #expect(events == "2000 \(before + 1) \(before + 2000)")
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event") == String(before + 2000))
        #expect(try workspace.dirctl("audit", "verify").status == 0)
    }

    @Test func killingAnImportPartWayLeavesNoTraceAndARerunSucceeds() throws {
        let workspace = try Workspace.populated()
        let file = workspace.folder + "/big.csv"
        var csv = "login,name,email,unit\n"
        for index in 0..<20_000 { csv += "user\(index),Người Dùng \(index),user\(index)@bo.gov.vn,IT\n" }
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let eventsBefore = try workspace.scalar("SELECT count(*) FROM audit_event")

        let running = try ProcessRunner.start(Workspace.products + "/dirctl", ["person", "import", file, "--progress", "--config", workspace.config])
        try running.closeInput()
        // Wait for the first progress line: the import is staging its rows (ImportStagingTests kills one while it applies them).
        let writing = running.waitForStandardError(containing: "importing", timeout: 60)
        running.kill()
        let killed = try running.finish()
        #expect(writing && killed.killedBySignal, "the import finished before it could be killed: \(killed.stderr.prefix(300))")

        #expect(try workspace.scalar("PRAGMA integrity_check") == "ok")
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login LIKE 'user%'") == "0")
        #expect(try workspace.scalar("SELECT count(*) FROM audit_event") == eventsBefore)
        #expect(try workspace.dirctl("audit", "verify").status == 0)

        let rerun = try workspace.expectOK("person", "import", file)
        #expect(rerun.stdout.contains("20000 added"))
        #expect(try workspace.scalar("SELECT count(*) FROM person WHERE login LIKE 'user%'") == "20000")
        #expect(try workspace.dirctl("audit", "verify").status == 0)
    }
}
