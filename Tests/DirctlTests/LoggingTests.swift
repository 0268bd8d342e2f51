import Foundation
import SwitchboardTestSupport
import Testing

/// The tools log on standard error through swift-log, at the config's level or `--verbose`.
@Suite struct LoggingTests {
    @Test func verboseLogsEachStepOnStandardErrorOnly() throws {
        let workspace = try Workspace.populated()
        let quiet = try workspace.dirctl("unit", "add", "NET", "--name", "Mạng")
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty, "the default level (warning) printed: \(quiet.stderr)")

        let verbose = try workspace.dirctl("unit", "add", "SEC", "--name", "An ninh", "--verbose")
        #expect(verbose.status == 0)
        #expect(verbose.stdout == "Added unit SEC (An ninh)\n")
        #expect(verbose.stderr.contains("debug"))
        #expect(verbose.stderr.contains("done: unit.add on unit:SEC"))
    }

    @Test func theConfigSetsTheLevelAndARefusalIsLoggedAsANotice() throws {
        let workspace = try Workspace.populated()
        let config = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try (config + "\nlogging:\n  level: notice\n").write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let refused = try workspace.dirctl("unit", "add", "X", "--name", "X", "--as", "st")
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("notice"))
        #expect(refused.stderr.contains("refused unit.add on unit:X for st"))
        #expect(!refused.stderr.contains("debug"))

        try (config + "\nlogging:\n  level: chatty\n").write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let bad = try workspace.dirctl("unit", "list")
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("logging.level: expected one of trace, debug"))
    }

    @Test func aPasswordNeverReachesTheLog() throws {
        let workspace = try Workspace.populated()
        let password = "Mat-khau-bi-mat-2026!"
        _ = try ProcessRunner.run(Workspace.products + "/mailctl", ["domain", "add", "log.test", "--config", workspace.config], in: workspace.folder)
        let run = try ProcessRunner.run(Workspace.products + "/mailctl",
                                        ["account", "create", "an@log.test", "--name", "An", "--password-stdin", "--verbose", "--config", workspace.config],
                                        in: workspace.folder, stdin: password + "\n")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("done: mail.account.create on mailbox:an@log.test"))
        #expect(!run.stderr.contains(password) && !run.stdout.contains(password))
    }
}
