import Foundation
import SwitchboardBase

/// Writes a file that holds secrets: new (never replacing anything), mode 600 from the first
/// byte, moved into place complete.
public enum SecretFile {
    /// Opens the file now, so a path that cannot be written fails before any work is done.
    public static func create(_ path: String) throws -> Handle {
        Handle(file: try AtomicFile(path: path, mode: 0o600, existing: .refuse))
    }

    /// An open secret file, written once.
    public final class Handle {
        private let file: AtomicFile

        init(file: AtomicFile) {
            self.file = file
        }

        /// The file.
        public var path: String { file.path }

        /// Writes the whole text, flushes it to disk and moves the file into place.
        public func write(_ text: String) throws {
            try file.write(text)
            try file.commit()
        }

        /// Gives up: nothing appears at the path.
        public func discard() {
            file.discard()
        }
    }
}
