public import Crypto
public import SwitchboardBase
public import Foundation
public import GRDB

/// A signed statement that the log had `seq` events ending in `hash`: kept outside the
/// database, it proves nothing was cut off after it.
public struct AuditCheckpoint: Sendable, Equatable, Codable {
    /// The log's name (`audit.origin`).
    public var origin: String
    /// The newest event covered.
    public var seq: Int64
    /// That event's hash.
    public var hash: String
    /// When it was signed (UTC).
    public var time: String
    /// The first 16 hex digits of SHA-256 over the public key.
    public var keyID: String
    /// Base64 Ed25519 signature over ``signedMessage``.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case origin, seq, hash, time, keyID = "key_id", signature
    }

    /// The exact bytes that are signed.
    public var signedMessage: Data {
        Data("switchboard-audit-checkpoint/v1\n\(origin)\n\(seq)\n\(hash)\n\(time)\n".utf8)
    }

    /// True when `signature` is a valid signature by `key`.
    public func isValid(for key: Curve25519.Signing.PublicKey) -> Bool {
        guard let raw = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(raw, for: signedMessage)
    }

    func insert(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO audit_checkpoint (seq, hash, time, origin, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [seq, hash, time, origin, keyID, signature])
    }

    /// Every checkpoint stored in the database, oldest first.
    public static func all(_ db: Database) throws -> [AuditCheckpoint] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit_checkpoint ORDER BY id").map { row in
            AuditCheckpoint(origin: row["origin"], seq: row["seq"], hash: row["hash"], time: row["time"],
                            keyID: row["key_id"], signature: row["signature"])
        }
    }
}

/// Signs checkpoints with the Ed25519 key of `audit.signing_key_file`.
public struct CheckpointSigner: Sendable {
    /// The raw private key (the Crypto key type is not `Sendable`).
    private let rawKey: Data
    /// The log's name.
    public let origin: String

    /// A signer for a key and origin.
    public init(key: Curve25519.Signing.PrivateKey, origin: String) {
        rawKey = key.rawRepresentation
        self.origin = origin
    }

    /// A signer for the key in `signingKeyFile`.
    public init(signingKeyFile: String, origin: String) throws {
        self.init(key: try AuditKeys.loadPrivate(signingKeyFile), origin: origin)
    }

    /// The id of the public half of the key.
    public var keyID: String {
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)).map { AuditKeys.keyID($0.publicKey) } ?? "invalid"
    }

    /// Signs a checkpoint over (`seq`, `hash`).
    public func sign(seq: Int64, hash: String, time: String) -> AuditCheckpoint {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: rawKey) else {
            preconditionFailure("a key made from a valid key's raw bytes is valid")
        }
        var checkpoint = AuditCheckpoint(origin: origin, seq: seq, hash: hash, time: time,
                                         keyID: AuditKeys.keyID(key.publicKey), signature: "")
        let signature = (try? key.signature(for: checkpoint.signedMessage)) ?? Data()
        checkpoint.signature = signature.base64EncodedString()
        return checkpoint
    }
}

/// Reading and writing the audit key files: one line of base64 over the raw 32-byte key.
public enum AuditKeys {
    /// Identifies a public key: the first 16 hex digits of its SHA-256.
    public static func keyID(_ key: Curve25519.Signing.PublicKey) -> String {
        String(Hex.encode(SHA256.hash(data: key.rawRepresentation)).prefix(16))
    }

    /// Makes a new key pair and writes it: the private key readable by its owner only, in a folder
    /// only its owner may write that is not the database's (`databaseFile`'s) folder: whoever may
    /// write that folder could swap the key for theirs. Returns the new key's id.
    public static func generate(privateKeyFile: String, publicKeyFile: String, overwrite: Bool, databaseFile: String? = nil) throws -> String {
        let fileManager = FileManager.default
        if !overwrite {
            for file in [privateKeyFile, publicKeyFile] where fileManager.fileExists(atPath: file) {
                throw DirectoryError(.refused, "audit key \(file) already exists; keep it, or pass --force to replace the key pair (old checkpoints then no longer verify with the new key)")
            }
        }
        for file in [privateKeyFile, publicKeyFile] {
            let folder = (file as NSString).deletingLastPathComponent
            // A new folder is its owner's alone; an existing one keeps its mode (checked below).
            if !folder.isEmpty, !fileManager.fileExists(atPath: folder) {
                try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: file == privateKeyFile ? 0o700 : 0o755])
            }
        }
        try checkPrivateFolder(of: privateKeyFile, databaseFile: databaseFile)
        let key = Curve25519.Signing.PrivateKey()
        try write(key.rawRepresentation.base64EncodedString() + "\n", to: privateKeyFile, mode: 0o600)
        try write(key.publicKey.rawRepresentation.base64EncodedString() + "\n", to: publicKeyFile, mode: 0o644)
        return keyID(key.publicKey)
    }

    /// Refuses a signing key folder that someone other than this process's user may write, that
    /// is a symbolic link, or that holds the database.
    static func checkPrivateFolder(of privateKeyFile: String, databaseFile: String?) throws {
        let folder = URL(fileURLWithPath: privateKeyFile).deletingLastPathComponent().standardizedFileURL.path
        if let databaseFile, URL(fileURLWithPath: databaseFile).deletingLastPathComponent().standardizedFileURL.path == folder {
            throw AuditKeyError(file: privateKeyFile, problem: "is in the database's folder \(folder), which the database's group may write: put the signing key in a folder of its own (the default is /etc/switchboard/private, mode 0700)")
        }
        switch PrivateFolder.exposure(of: folder) {
        case nil:
            return
        case let .unreadable(reason):
            throw AuditKeyError(file: privateKeyFile, problem: "its folder \(folder) cannot be read: \(reason)")
        case .symbolicLink:
            throw AuditKeyError(file: privateKeyFile, problem: "its folder \(folder) is a symbolic link: name the real folder")
        case let .writableByOthers(owner, mode):
            throw AuditKeyError(file: privateKeyFile, problem: "its folder \(folder) may be written by others (owner uid \(owner), mode \(mode)), who could swap the key: use a folder only you may write (chmod 700 \(folder))")
        case let .unsafeAncestor(unsafe):
            throw AuditKeyError(file: privateKeyFile, problem: "\(unsafe) above it may be written by others, who could swap the key's folder: keep the key under folders only root (or you) may write")
        }
    }

    /// Reads the private signing key, refusing a file others may read.
    public static func loadPrivate(_ file: String) throws -> Curve25519.Signing.PrivateKey {
        var status = stat()
        if lstat(file, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFLNK {
                throw AuditKeyError(file: file, problem: "is a symbolic link: name the key file itself")
            }
            if (status.st_mode & 0o077) != 0 {
                throw AuditKeyError(file: file, problem: "may be read by others (mode \(String(status.st_mode & 0o7777, radix: 8))): a signing key is its owner's alone (chmod 600 \(file)); make a new pair with `dirctl audit keygen --force` if others may have read it")
            }
            if status.st_uid != geteuid() {
                throw AuditKeyError(file: file, problem: "belongs to uid \(status.st_uid), not to the user signing (uid \(geteuid())): someone else's key signs nothing here")
            }
        }
        let raw = try readKey(file)
        do { return try Curve25519.Signing.PrivateKey(rawRepresentation: raw) } catch {
            throw AuditKeyError(file: file, problem: "is not an Ed25519 private key (expected one line of base64 over 32 bytes)")
        }
    }

    /// Reads the public verification key.
    public static func loadPublic(_ file: String) throws -> Curve25519.Signing.PublicKey {
        let raw = try readKey(file)
        do { return try Curve25519.Signing.PublicKey(rawRepresentation: raw) } catch {
            throw AuditKeyError(file: file, problem: "is not an Ed25519 public key (expected one line of base64 over 32 bytes)")
        }
    }

    private static func readKey(_ file: String) throws -> Data {
        // Read with the caller's rights: `--public-key` may name any file.
        guard let text = try? CallerIdentity.perform({ try String(contentsOfFile: file, encoding: .utf8) }) else {
            throw AuditKeyError(file: file, problem: "cannot be read (run `dirctl audit keygen` to make a key pair)")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32 else {
            throw AuditKeyError(file: file, problem: "is not a key file (expected one line of base64 over 32 bytes)")
        }
        return raw
    }

    private static func write(_ text: String, to file: String, mode: mode_t) throws {
        do { try AtomicFile.write(text, to: file, mode: mode) } catch let error as FileWriteError {
            throw AuditKeyError(file: file, problem: error.problem)
        }
    }
}

/// A key file that cannot be used.
public struct AuditKeyError: SwitchboardError {
    /// The file.
    public let file: String
    /// What is wrong and what to do.
    public let problem: String

    public var description: String { "audit key \(file): \(problem)" }

    public var category: ErrorCategory { .badInput }
}

/// A checkpoint kept outside the database, as a small JSON file.
public enum AuditCheckpointFile {
    /// Writes a checkpoint file.
    public static func write(_ checkpoint: AuditCheckpoint, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(checkpoint)) + Array("\n".utf8), to: path)
    }

    /// Reads a checkpoint file.
    public static func read(_ path: String) throws -> AuditCheckpoint {
        guard let data = try CallerIdentity.perform({ FileManager.default.contents(atPath: path) }) else {
            throw InputFileError(path: path, problem: "checkpoint file cannot be read (check the path)")
        }
        do { return try JSONDecoder().decode(AuditCheckpoint.self, from: data) } catch {
            throw InputFileError(path: path, problem: "is not a checkpoint file (expected the JSON written by `dirctl audit checkpoint --output`)")
        }
    }
}

/// A series of checkpoint files in one folder, kept off the host the way CloudTrail delivers its
/// digest files: one file per checkpoint, named so the names sort by seq, never overwritten.
///
/// The folder is meant to be on another host (an NFS or SMB share written only by this timer) or a
/// write-once mount: an attacker with write access to the database can then forge nothing covered
/// by the newest file, and `dirctl audit verify --checkpoints DIR` shows which events came after it.
public enum AuditCheckpointSeries {
    /// The file name of every checkpoint in a series starts with this.
    public static let prefix = "checkpoint-"

    /// `checkpoint-<seq, 20 digits>-<signing time, compact UTC>.json`: names sort by seq, then time.
    public static func fileName(for checkpoint: AuditCheckpoint) -> String {
        let digits = String(checkpoint.seq)
        let padded = String(repeating: "0", count: max(0, 20 - digits.count)) + digits
        let time = checkpoint.time.filter { $0 != "-" && $0 != ":" && $0 != "." }
        return "\(prefix)\(padded)-\(time).json"
    }

    /// Adds `checkpoint` to the series in `folder` as a new read-only file; returns its path.
    ///
    /// The file is created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so an existing file (or a symbolic
    /// link planted under its name) is never overwritten or followed, and written with one `write`
    /// and `fsync`ed, folder included. There is no temporary file and rename: `rename` replaces an
    /// existing name, and a write-once or append-only folder refuses to remove the temporary file.
    /// The folder is not created: a missing folder is usually a mount that is not there, and
    /// writing to the local disk instead would anchor nothing.
    ///
    /// Written with the caller's rights (``CallerIdentity``), as every file a caller names.
    public static func add(_ checkpoint: AuditCheckpoint, to folder: String) throws -> String {
        try CallerIdentity.perform { try addAsCaller(checkpoint, to: folder) }
    }

    private static func addAsCaller(_ checkpoint: AuditCheckpoint, to folder: String) throws -> String {
        try requireFolder(folder)
        let path = (folder as NSString).appendingPathComponent(fileName(for: checkpoint))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes = Array(try encoder.encode(checkpoint) + Data("\n".utf8))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "already exists and is never overwritten (is another checkpoint run writing at the same moment?)" : String(cString: strerror(errno))
            throw CheckpointFileError(path: path, category: .failed, problem: "cannot be created: \(reason)")
        }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { break }
            written += result
        }
        let synced = written == bytes.count && fsync(descriptor) == 0
        let problem = String(cString: strerror(errno))
        close(descriptor)
        guard synced else {
            // Best effort: a write-once folder may refuse; verify then names the partial file.
            unlink(path)
            throw CheckpointFileError(path: path, category: .failed, problem: "cannot be written: \(problem)")
        }
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
        return path
    }

    /// Throws unless `folder` is an existing folder (checked before anything is signed or logged).
    public static func requireFolder(_ folder: String) throws {
        var isFolder: ObjCBool = false
        guard try CallerIdentity.perform({ FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) }), isFolder.boolValue else {
            throw CheckpointFileError(path: folder, category: .unavailable,
                                      problem: "is not a folder: create it, or mount the share or write-once volume meant for checkpoints there (a checkpoint on this host's own disk anchors nothing)")
        }
    }

    /// Throws unless `folder` (`audit.checkpoint_dir`) is a real folder that only this process's
    /// user may write: anyone else who may write it could replace the checkpoints with their own.
    public static func requirePrivateFolder(_ folder: String) throws {
        switch PrivateFolder.exposure(of: folder) {
        case nil:
            break
        case .unreadable:
            throw CheckpointFileError(path: folder, category: .unavailable,
                                      problem: "is not there (audit.checkpoint_dir): create it, mode 0700 (`install -d -m 0700 \(folder)`)")
        case .symbolicLink:
            throw CheckpointFileError(path: folder, category: .failed, problem: "is a symbolic link (audit.checkpoint_dir): name the real folder")
        case let .writableByOthers(owner, mode):
            throw CheckpointFileError(path: folder, category: .failed,
                                      problem: "may be written by others (owner uid \(owner), mode \(mode)), who could replace the checkpoints: chmod 700 it (audit.checkpoint_dir)")
        case let .unsafeAncestor(unsafe):
            throw CheckpointFileError(path: folder, category: .failed,
                                      problem: "\(unsafe) above it may be written by others, who could swap the folder (audit.checkpoint_dir): keep it under folders only root may write")
        }
        try requireFolder(folder)
    }

    /// The files of the series in `folder`, in name order (by seq): each checkpoint with its path,
    /// and a problem for each file that is not a sound checkpoint of the log named `origin`.
    /// Files whose names do not start with ``prefix`` and end in `.json` are not part of the series.
    public static func read(folder: String, origin: String) throws -> (checkpoints: [SourcedCheckpoint], problems: [AuditProblem]) {
        try CallerIdentity.perform { try readAsCaller(folder: folder, origin: origin) }
    }

    private static func readAsCaller(folder: String, origin: String) throws -> (checkpoints: [SourcedCheckpoint], problems: [AuditProblem]) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw InputFileError(path: folder, problem: "checkpoint folder cannot be read (is the share or volume mounted? check the path)")
        }
        var checkpoints: [SourcedCheckpoint] = []
        var problems: [AuditProblem] = []
        for name in names.sorted() where name.hasPrefix(prefix) && name.hasSuffix(".json") {
            let path = (folder as NSString).appendingPathComponent(name)
            let checkpoint: AuditCheckpoint
            do { checkpoint = try AuditCheckpointFile.read(path) } catch {
                problems.append(AuditProblem(kind: "malformed", seq: nil, detail: "checkpoint file \(path) is not a checkpoint (empty or cut short?)"))
                continue
            }
            if fileName(for: checkpoint) != name {
                problems.append(AuditProblem(kind: "malformed", seq: checkpoint.seq,
                                             detail: "checkpoint file \(path) holds seq \(checkpoint.seq) signed \(checkpoint.time), which its name does not say: it was renamed or replaced"))
            }
            if checkpoint.origin != origin {
                problems.append(AuditProblem(kind: "wrong-origin", seq: checkpoint.seq,
                                             detail: "checkpoint file \(path) is for the log \"\(checkpoint.origin)\", this log is \"\(origin)\" (audit.origin): is this the right folder?"))
                continue
            }
            checkpoints.append(SourcedCheckpoint(checkpoint, source: path, external: true))
        }
        guard !checkpoints.isEmpty || !problems.isEmpty else {
            throw InputFileError(path: folder, problem: "holds no checkpoint files (\(prefix)*.json, written by `dirctl audit checkpoint --output-dir`): nothing to verify against")
        }
        return (checkpoints, problems)
    }
}

/// A checkpoint file or folder that cannot be written.
public struct CheckpointFileError: SwitchboardError {
    /// The file or folder.
    public let path: String
    /// Unavailable (69) when the folder is not there, failed (1) otherwise.
    public let category: ErrorCategory
    /// What is wrong and what to do.
    public let problem: String

    public var description: String { "checkpoint \(path): \(problem)" }
}

/// A folder that must hold what only its owner may change (the signing key, the checkpoint
/// series): why it cannot, or nil when it can.
enum PrivateFolder {
    /// What exposes a folder to others.
    enum Exposure: Equatable {
        /// It cannot be inspected (missing, or no search right on the way): the reason.
        case unreadable(String)
        /// It is a symbolic link.
        case symbolicLink
        /// Someone other than this process's user owns it, or group or others may write it.
        case writableByOthers(owner: uid_t, mode: String)
        /// A folder above it may be written by someone other than root or this user, without
        /// the sticky bit: they could rename the folder away and put their own in its place.
        case unsafeAncestor(String)
    }

    /// What exposes `folder`, or nil when only this process's user (or root above it) controls it.
    static func exposure(of folder: String) -> Exposure? {
        var status = stat()
        guard lstat(folder, &status) == 0 else { return .unreadable(String(cString: strerror(errno))) }
        if (status.st_mode & S_IFMT) == S_IFLNK { return .symbolicLink }
        if status.st_uid != geteuid() || (status.st_mode & (S_IWGRP | S_IWOTH)) != 0 {
            return .writableByOthers(owner: status.st_uid, mode: String(status.st_mode & 0o7777, radix: 8))
        }
        var path = URL(fileURLWithPath: folder).standardizedFileURL.deletingLastPathComponent().path
        while true {
            if lstat(path, &status) == 0 {
                let writable = (status.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (status.st_mode & S_ISVTX) == 0
                if (status.st_uid != 0 && status.st_uid != geteuid()) || writable { return .unsafeAncestor(path) }
            }
            if path == "/" || path.isEmpty { return nil }
            path = (path as NSString).deletingLastPathComponent
        }
    }
}
