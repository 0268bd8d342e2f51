import Foundation
import SwitchboardTestSupport
import Testing

typealias Run = CommandRun

/// A scratch folder with a config whose database lives inside it, and the built binaries.
final class Workspace {
    let folder: String
    let config: String
    var database: String { folder + "/switchboard.sqlite" }

    /// A workspace; `sections` is more config (e.g. "directory:\n  departed_retention_days: 0").
    init(checkpointEvery: Int = 0, sections: String = "") throws {
        folder = try ScratchFolder.make("switchboard-test")
        config = folder + "/switchboard.yaml"
        // Domains added here get no DKIM key (`mail.dkim.enabled: false`): these tests are about
        // the directory, and keys live under /var/lib (MailWorkspace covers them). First, so
        // tests that append keys to the audit section still can.
        try """
        mail: {dkim: {enabled: false}}
        database:
          path: \(folder)/switchboard.sqlite
        audit:
          signing_key_file: \(folder)/keys/audit.key
          public_key_file: \(folder)/audit.pub
          origin: test.switchboard
          checkpoint_every: \(checkpointEvery)
        \(sections)
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    deinit {
        if let problem = ScratchFolder.remove(folder) { Issue.record(Comment(rawValue: problem)) }
    }

    /// The folder holding the built products (dirctl, StressWriter).
    static var products: String { ProcessRunner.products }

    /// Runs `dirctl` with this workspace's config (acting as root unless `--as` is given).
    @discardableResult
    func dirctl(_ arguments: [String], stdin: String? = nil) throws -> Run {
        try Self.run(Self.products + "/dirctl", arguments + ["--config", config], in: folder, stdin: stdin)
    }

    /// `dirctl` with the global options after the subcommand path, as users type them.
    @discardableResult
    func dirctl(_ arguments: String...) throws -> Run {
        try dirctl(Array(arguments))
    }

    /// Runs `sqlite3` on the workspace database; throws when sqlite3 fails.
    @discardableResult
    func sqlite(_ sql: String) throws -> Run {
        CommandRun(status: 0, stdout: try SQLite.run(database, sql), stderr: "")
    }

    /// Runs any program in `folder`.
    static func run(_ program: String, _ arguments: [String], in folder: String, stdin: String? = nil) throws -> Run {
        try ProcessRunner.run(program, arguments, in: folder, stdin: stdin)
    }

    /// A directory with root as admin and one person of each role: ad, hd, st, au.
    static func populated(sections: String = "") throws -> Workspace {
        let workspace = try Workspace(sections: sections)
        try workspace.expectOK("init", "--admin", "root", "--name", "Quản trị")
        try workspace.expectOK("unit", "add", "IT", "--name", "Trung tâm CNTT")
        for (login, role) in [("ad", "admin"), ("hd", "helpdesk"), ("st", "staff"), ("au", "auditor")] {
            try workspace.expectOK("person", "add", login, "--name", "Người \(role)", "--role", role, "--unit", "IT")
        }
        return workspace
    }

    /// Runs dirctl and records an issue unless it exits 0.
    @discardableResult
    func expectOK(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        try expectOK(Array(arguments), sourceLocation: sourceLocation)
    }

    /// Runs dirctl and records an issue unless it exits 0.
    @discardableResult
    func expectOK(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let run = try dirctl(arguments)
        #expect(run.status == 0, "dirctl \(arguments.joined(separator: " ")) failed: \(run.stderr)", sourceLocation: sourceLocation)
        return run
    }

    /// A single value from the database.
    func scalar(_ sql: String) throws -> String {
        try SQLite.scalar(database, sql)
    }

    /// The whole database as SQL text (`.dump`), to show a refused command changed nothing.
    func dump() throws -> String {
        try SQLite.run(database, ".dump")
    }
}
