import Foundation

/// Writes a file that holds secrets: created new with mode 600, never world-readable even for a moment.
public enum SecretFile {
    /// Writes `text` to a new file at `path`.
    public static func write(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw CommandLineFileError(path: path, problem: "cannot be created (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard Foundation.write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw CommandLineFileError(path: path, problem: "cannot be written (\(String(cString: strerror(errno))))")
        }
    }
}
