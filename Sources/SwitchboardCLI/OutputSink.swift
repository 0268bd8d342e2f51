import Foundation
import SwitchboardBase

/// Standard output, or a file written beside its final name and moved into place on close.
public final class OutputSink {
    private let handle: FileHandle
    private let path: String?
    private let staging: String?

    /// Opens the sink; `path` nil means standard output.
    public init(path: String?) throws {
        self.path = path
        if let path {
            let staging = path + ".partial-\(getpid())"
            guard FileManager.default.createFile(atPath: staging, contents: nil), let handle = FileHandle(forWritingAtPath: staging) else {
                throw CommandLineFileError(path: path, problem: "cannot be written (check the folder and permissions)")
            }
            self.staging = staging
            self.handle = handle
        } else {
            staging = nil
            handle = FileHandle.standardOutput
        }
    }

    /// Writes text.
    public func write(_ text: String) {
        handle.write(Data(text.utf8))
    }

    /// Flushes and, for a file, moves it into place.
    public func close() throws {
        guard let path, let staging else { return }
        try handle.synchronize()
        try handle.close()
        if rename(staging, path) != 0 {
            throw CommandLineFileError(path: path, problem: "cannot be written: \(String(cString: strerror(errno)))")
        }
    }
}

/// A file named on the command line that cannot be used.
public struct CommandLineFileError: SwitchboardError {
    /// The file.
    public let path: String
    /// What is wrong.
    public let problem: String

    public var description: String { "\(path): \(problem)" }

    public var category: ErrorCategory { .badInput }
}
