import Foundation
public import SwitchboardBase

/// Standard output, or a file (mode 0600: exports hold personal data) written beside its final
/// name and moved into place on close, through the one ``AtomicFile`` writer.
public final class OutputSink {
    private let file: AtomicFile?
    /// The first write that failed; reported by ``close()``, which then leaves nothing behind.
    private var failure: (any Error)?

    /// Opens the sink; `path` nil means standard output.
    public init(path: String?) throws {
        file = try path.map { try AtomicFile(path: $0) }
    }

    /// Writes text; a failure is kept and thrown by ``close()``.
    public func write(_ text: String) {
        guard let file else { return FileHandle.standardOutput.write(Data(text.utf8)) }
        guard failure == nil else { return }
        do { try file.write(text) } catch { failure = error }
    }

    /// Flushes and, for a file, moves it into place; throws the first failed write, if any.
    public func close() throws {
        if let failure {
            file?.discard()
            throw failure
        }
        try file?.commit()
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
