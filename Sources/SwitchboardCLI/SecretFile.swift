import Foundation
import SwitchboardBase

/// Writes a file that holds secrets: created new with mode 600, never world-readable even for a moment.
public enum SecretFile {
    /// Creates the new, empty file now, so a path that cannot be written fails before any work is done.
    public static func create(_ path: String) throws -> Handle {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw CommandLineFileError(path: path, problem: "cannot be created (\(String(cString: strerror(errno)))); it must be a new file in a writable folder")
        }
        return Handle(path: path, descriptor: descriptor)
    }

    /// An open secret file, written once.
    public final class Handle {
        /// The file.
        public let path: String
        private var descriptor: Int32

        init(path: String, descriptor: Int32) {
            self.path = path
            self.descriptor = descriptor
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
        }

        /// Writes the whole text, flushes it to disk and closes the file.
        public func write(_ text: String) throws {
            defer {
                close(descriptor)
                descriptor = -1
            }
            let bytes = Array(text.utf8)
            guard Foundation.write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
                throw CommandLineFileError(path: path, problem: "cannot be written (\(String(cString: strerror(errno))))")
            }
        }

        /// Removes the file (nothing was written).
        public func discard() {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
            unlink(path)
        }
    }
}
