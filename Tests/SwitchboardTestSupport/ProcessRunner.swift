import Foundation

/// What a finished command printed and returned.
public struct CommandRun: Sendable {
    /// The exit status.
    public var status: Int32
    /// Standard output.
    public var stdout: String
    /// Standard error.
    public var stderr: String

    /// A result.
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A test's set-up is missing something, or a helper failed; the message says what and how to fix it.
public struct TestSetupError: Error, CustomStringConvertible {
    /// What is missing and what to run.
    public let description: String

    /// An error with its message.
    public init(_ description: String) { self.description = description }
}

/// The repository the tests run from.
public enum Repository {
    /// The repository root, from this file's place (Tests/SwitchboardTestSupport/ProcessRunner.swift).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SwitchboardTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent().path

    /// A path inside the repository.
    public static func path(_ relative: String) -> String { root + "/" + relative }
}

/// Runs the built binaries and system tools from tests: the one process runner, with a timeout.
public enum ProcessRunner {
    /// How long a program may run before it is killed and the test fails.
    public static let defaultTimeout: Double = 120

    /// The folder holding the built executables (`dirctl`, `mailctl`, `StressWriter`).
    public static let products: String = {
        var candidates: [String] = []
        if let executable = Bundle.main.executablePath { candidates.append((executable as NSString).deletingLastPathComponent) }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        candidates.append(Repository.root + "/.build/debug")
        for candidate in candidates {
            var folder = candidate
            for _ in 0..<3 {
                if FileManager.default.isExecutableFile(atPath: folder + "/dirctl") { return folder }
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        return Repository.root + "/.build/debug"
    }()

    /// A built product's path (`dirctl`, `mailctl`, `StressWriter`).
    public static func product(_ name: String) -> String { products + "/" + name }

    /// Runs a program to completion, feeding `stdin`, reading both output pipes as it goes.
    ///
    /// `environment` adds variables to (or, with a nil value, removes them from) this process's
    /// environment. A program still running after `timeout` seconds is killed and the call throws.
    public static func run(
        _ program: String, _ arguments: [String], in folder: String? = nil, stdin: String? = nil,
        environment: [String: String?] = [:], timeout: Double = defaultTimeout
    ) throws -> CommandRun {
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw TestSetupError("\(program) not found: build first (`swift build --build-tests`, or `make test`)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (key, value) in environment { merged[key] = value }
            process.environment = merged
        }
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // Read both pipes on their own threads, so a large output cannot block the child and a hung child cannot block us.
        let group = DispatchGroup()
        let collected = Collected()
        for (pipe, isError) in [(out, false), (err, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isError: isError)
                group.leave()
            }
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        if group.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // A grandchild may still hold the pipes: give the readers a moment, no more.
            _ = group.wait(timeout: .now() + 2)
            let (_, errData) = collected.get()
            throw TestSetupError("\(program) \(arguments.joined(separator: " ")) still ran after \(Int(timeout)) s and was killed; its stderr: \(String(decoding: errData, as: UTF8.self).suffix(500))")
        }
        process.waitUntilExit()
        let (outData, errData) = collected.get()
        return CommandRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a program that must succeed; throws with its stderr otherwise.
    @discardableResult
    public static func runChecked(
        _ program: String, _ arguments: [String], in folder: String? = nil, stdin: String? = nil, timeout: Double = defaultTimeout
    ) throws -> String {
        let run = try run(program, arguments, in: folder, stdin: stdin, timeout: timeout)
        guard run.status == 0 else {
            throw TestSetupError("\(program) \(arguments.joined(separator: " ").prefix(300)) failed with exit \(run.status): \(run.stderr.prefix(500))")
        }
        return run.stdout
    }
}

/// The two outputs of a child process, filled by the reader threads.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    func set(_ data: Data, isError: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isError { err = data } else { out = data }
    }

    func get() -> (Data, Data) {
        lock.lock()
        defer { lock.unlock() }
        return (out, err)
    }
}

/// The sqlite3 command-line tool on a database file: every call checks sqlite3's exit status.
public enum SQLite {
    /// The sqlite3 binary (`make deps` installs it).
    public static let binary = "/usr/bin/sqlite3"

    /// Runs SQL (or a dot-command) and returns its output; throws when sqlite3 fails.
    /// A busy timeout lets it wait for the tools and mail servers that write the same file.
    @discardableResult
    public static func run(_ database: String, _ sql: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSetupError("\(binary) is missing: install it with `make deps`")
        }
        let run = try ProcessRunner.run(binary, ["-bail", "-cmd", ".timeout 10000", database, sql])
        guard run.status == 0, !run.stderr.contains("Error") else {
            throw TestSetupError("sqlite3 \(database) failed (exit \(run.status)) on \(sql.prefix(200)): \(run.stderr.prefix(500))")
        }
        return run.stdout
    }

    /// One value (the output, trimmed).
    public static func scalar(_ database: String, _ sql: String) throws -> String {
        try run(database, sql).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A value quoted as an SQL string literal.
    public static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// Files a test made and must remove again; a failure to remove is reported, not swallowed.
public enum ScratchFolder {
    /// A fresh folder under the temporary directory, named with `prefix`.
    public static func make(_ prefix: String) throws -> String {
        let folder = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Removes a folder; returns the problem (for the caller to record) when it cannot.
    public static func remove(_ folder: String) -> String? {
        do {
            try FileManager.default.removeItem(atPath: folder)
            return nil
        } catch {
            return "cannot remove the scratch folder \(folder): \(error)"
        }
    }
}
