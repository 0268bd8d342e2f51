public import Foundation

/// What a finished command printed and returned.
public struct CommandRun: Sendable {
    /// The exit status.
    public var status: Int32
    /// Standard output.
    public var stdout: String
    /// Standard error.
    public var stderr: String
    /// True when a signal ended the program (`status` is then the signal's number).
    public var killedBySignal: Bool

    /// A result.
    public init(status: Int32, stdout: String, stderr: String, killedBySignal: Bool = false) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.killedBySignal = killedBySignal
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
        let running = try start(program, arguments, in: folder, environment: environment)
        try running.closeInput(writing: stdin)
        return try running.finish(timeout: timeout)
    }

    /// Starts a program and returns at once, for tests that watch it run or kill it part-way;
    /// `finish` then collects it, with the same timeout rule as `run`.
    public static func start(
        _ program: String, _ arguments: [String], in folder: String? = nil, environment: [String: String?] = [:]
    ) throws -> RunningProcess {
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
        return try RunningProcess(process, named: ([program] + arguments).joined(separator: " "))
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

/// A started program whose two outputs are read as they come, each on a thread of its own, so a
/// large output cannot block the child and a hung child cannot block the test.
public final class RunningProcess: @unchecked Sendable {
    /// The process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    private let process: Process
    private let name: String
    private let input = Pipe()
    private let readers = DispatchGroup()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    init(_ process: Process, named name: String) throws {
        self.process = process
        self.name = name
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = input
        try process.run()
        for (handle, isError) in [(outPipe.fileHandleForReading, false), (errPipe.fileHandleForReading, true)] {
            readers.enter()
            Thread { [self] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.lock()
                    if isError { err.append(chunk) } else { out.append(chunk) }
                    lock.unlock()
                }
                readers.leave()
            }.start()
        }
    }

    /// Writes `text` (if any) to the program's standard input and closes it.
    public func closeInput(writing text: String? = nil) throws {
        if let text { input.fileHandleForWriting.write(Data(text.utf8)) }
        try input.fileHandleForWriting.close()
    }

    /// Standard output so far.
    public var standardOutput: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard error so far.
    public var standardError: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: err, as: UTF8.self)
    }

    /// Waits until standard error contains `text`; false after `timeout` seconds or when the program ended first.
    public func waitForStandardError(containing text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if standardError.contains(text) { return true }
            if !process.isRunning { return standardError.contains(text) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// Sends a signal (SIGKILL unless told).
    public func kill(_ signal: Int32 = SIGKILL) {
        _ = Glibc.kill(process.processIdentifier, signal)
    }

    /// Waits for the program to end and returns what it printed; kills it and throws after `timeout` seconds.
    public func finish(timeout: Double = ProcessRunner.defaultTimeout) throws -> CommandRun {
        if readers.wait(timeout: .now() + timeout) == .timedOut {
            kill()
            process.waitUntilExit()
            // A grandchild may still hold the pipes: give the readers a moment, no more.
            _ = readers.wait(timeout: .now() + 2)
            throw TestSetupError("\(name.prefix(300)) still ran after \(Int(timeout)) s and was killed; its stderr: \(standardError.suffix(500))")
        }
        process.waitUntilExit()
        lock.lock()
        defer { lock.unlock() }
        return CommandRun(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                          stderr: String(decoding: err, as: UTF8.self), killedBySignal: process.terminationReason == .uncaughtSignal)
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
