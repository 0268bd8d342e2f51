import Foundation

/// What a finished command printed and returned.
public struct CommandRun: Sendable {
    /// The exit status.
    public var status: Int32
    /// Standard output.
    public var stdout: String
    /// Standard error.
    public var stderr: String
}

/// A test's set-up is missing something; the message says how to provide it.
public struct TestSetupError: Error, CustomStringConvertible {
    /// What is missing and what to run.
    public let description: String

    /// An error with its message.
    public init(_ description: String) { self.description = description }
}

/// Runs the built binaries and system tools from tests.
public enum ProcessRunner {
    /// The repository root, from this file's place.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The folder holding the built executables (`dirctl`, `mailctl`, `StressWriter`).
    public static let products: String = {
        var candidates: [String] = []
        if let executable = Bundle.main.executablePath { candidates.append((executable as NSString).deletingLastPathComponent) }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        candidates.append(root + "/.build/debug")
        for candidate in candidates {
            var folder = candidate
            for _ in 0..<3 {
                if FileManager.default.isExecutableFile(atPath: folder + "/dirctl") { return folder }
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        return root + "/.build/debug"
    }()

    /// Runs a program to completion, feeding `stdin`, reading both output pipes as it goes.
    public static func run(_ program: String, _ arguments: [String], in folder: String? = nil, stdin: String? = nil) throws -> CommandRun {
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw TestSetupError("\(program) not found: build first (`swift build --build-tests`, or `make test`)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
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
        return CommandRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self))
    }
}
