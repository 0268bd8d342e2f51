import Foundation
import Testing

/// The result of running a command.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A scratch folder with a config whose database lives inside it, and the built binaries.
final class Workspace {
    let folder: String
    let config: String
    var database: String { folder + "/switchboard.sqlite" }

    init(checkpointEvery: Int = 0) throws {
        folder = NSTemporaryDirectory() + "switchboard-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        config = folder + "/switchboard.yaml"
        try """
        database:
          path: \(folder)/switchboard.sqlite
        audit:
          signing_key_file: \(folder)/audit.key
          public_key_file: \(folder)/audit.pub
          origin: test.switchboard
          checkpoint_every: \(checkpointEvery)
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The folder holding the built products (dirctl, StressWriter).
    static let products: String = {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let executable = Bundle.main.executablePath { candidates.append((executable as NSString).deletingLastPathComponent) }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        candidates.append(root + "/.build/debug")
        for candidate in candidates {
            var folder = candidate
            for _ in 0..<3 {
                if fileManager.isExecutableFile(atPath: folder + "/dirctl") { return folder }
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        return root + "/.build/debug"
    }()

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

    /// Runs `sqlite3` on the workspace database.
    @discardableResult
    func sqlite(_ sql: String) throws -> Run {
        let run = try Self.run("/usr/bin/sqlite3", [database, sql], in: folder)
        if run.status != 0 {
            Issue.record("sqlite3 failed (install it with `make deps`): \(run.stderr)")
        }
        return run
    }

    /// Runs any program.
    static func run(_ program: String, _ arguments: [String], in folder: String, stdin: String? = nil) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw TestSetupError("\(program) not found: build first (`swift build --build-tests`, or `make test`)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting, so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A directory with root as admin and one person of each role: ad, hd, st, au.
    static func populated() throws -> Workspace {
        let workspace = try Workspace()
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
        let run = try dirctl(Array(arguments))
        #expect(run.status == 0, "dirctl \(arguments.joined(separator: " ")) failed: \(run.stderr)", sourceLocation: sourceLocation)
        return run
    }

    /// A single value from the database.
    func scalar(_ sql: String) throws -> String {
        try sqlite(sql).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
