import Foundation
import SwitchboardBase

/// The private key files: `KEYDIR/DOMAIN/SELECTOR.private`, PEM, owned by the signer's user
/// (`mail.dkim.signer_user`) with mode 0400, in root-owned folders (0755) no other user can
/// write. The folders are not closed to other users on purpose: opendkim runs with the
/// database folder's group (to read the directory), not its own, and the selectors it would
/// show are public in DNS anyway; the files themselves are the signer's alone.
///
/// OpenDKIM (`RequireSafeKeys`, its default) refuses a key that other users can read or whose
/// path has a folder other users can write, so the checks here are the ones it makes, done
/// before a key is written, to fail with a line that says what to change.
struct DKIMKeyStore: Sendable {
    let settings: MailDKIMSettings

    /// What a look at a key file found.
    enum FileStatus: Equatable {
        /// The signer can read it and it holds the published key.
        case usable
        /// It cannot be used: what is wrong, in words.
        case broken(String)
        /// This process may not look (not root): why.
        case notInspected(String)
    }

    func path(domain: String, selector: String) -> String {
        "\(settings.keyDirectory)/\(domain)/\(selector).private"
    }

    /// The selectors that have a file in the domain's key folder.
    func existingSelectors(domain: String) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(settings.keyDirectory)/\(domain)")) ?? []
        return Set(names.filter { $0.hasSuffix(".private") }.map { String($0.dropLast(".private".count)) })
    }

    /// The signer's uid and gid; throws when writing keys cannot work here.
    func signer() throws -> (uid: uid_t, gid: gid_t) {
        guard geteuid() == 0 else {
            throw MailError(.denied, "a DKIM key is written for its signer (user \(settings.signerUser)), which needs root: run it as root (sudo), or set mail.dkim.enabled: false to manage domains without DKIM")
        }
        guard let account = Self.account(named: settings.signerUser) else {
            throw MailError(.serviceUnavailable, "the DKIM signer's user \(settings.signerUser) does not exist: install opendkim (`make deps`, or apt-get install opendkim) or set mail.dkim.signer_user")
        }
        return account
    }

    /// Writes a new key file (never over an existing one) and returns its path.
    func write(_ material: DKIMKeyMaterial, domain: String, selector: String) throws -> String {
        let owner = try signer()
        try prepareFolders(domain: domain)
        let path = path(domain: domain, selector: selector)
        let file = try AtomicFile(path: path, mode: 0o400, existing: .refuse)
        try file.write(material.privatePEM.exposedValue)
        try file.commit()
        guard lchown(path, owner.uid, owner.gid) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw MailError(.serviceUnavailable, "DKIM key \(path): cannot give it to \(settings.signerUser): \(reason)")
        }
        return path
    }

    /// Removes the key file of `domain`'s `selector`; a file already gone is fine. Returns the
    /// problem, if any, in words. The path is made here from the domain and the selector (both
    /// restricted to letters, digits, '-' and '.' by the schema), never taken from the database's
    /// key_path: a row someone wrote by hand must not make root delete another file.
    @discardableResult
    func remove(domain: String, selector: String, recorded: String) -> String? {
        let path = path(domain: domain, selector: selector)
        guard recorded == path else {
            return "its recorded key file \(recorded) is not where mailctl keeps it (\(path)); nothing deleted"
        }
        guard Self.isPlainName(domain), Self.isPlainName(selector) else { return "\(path): not a key file name; nothing deleted" }
        if unlink(path) == 0 || errno == ENOENT { return nil }
        return "\(path): \(String(cString: strerror(errno)))"
    }

    /// Letters, digits, '-' and '.', not starting with '.': one path component, never '..'.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
        }
    }

    /// Whether the signer can sign with the key at `path`, and whether it is the one published.
    func inspect(path: String, publicKey: String, algorithm: DKIMAlgorithm) -> FileStatus {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return .broken("key file \(path) is missing") }
            if code == EACCES, geteuid() != 0 { return .notInspected("this user may not look into \(settings.keyDirectory) (run the check as root)") }
            return .broken("key file \(path) cannot be examined: \(String(cString: strerror(code)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .broken("key file \(path) is not a regular file") }
        let signer = Self.account(named: settings.signerUser)
        if let signer, info.st_uid != signer.uid {
            let owner = Self.userName(of: info.st_uid)
            return .broken("key file \(path) belongs to \(owner), not \(settings.signerUser): the signer cannot use it (`chown \(settings.signerUser) \(path)`)")
        }
        if info.st_mode & 0o400 == 0 { return .broken("key file \(path) is unreadable (mode \(String(info.st_mode & 0o777, radix: 8))): `chmod 0400 \(path)`") }
        if info.st_mode & 0o077 != 0 {
            return .broken("key file \(path) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))): OpenDKIM refuses it; `chmod 0400 \(path)`")
        }
        guard geteuid() == 0 else { return .notInspected("only root may read the key to compare it with the published one") }
        guard let text = Self.read(path) else { return .broken("key file \(path) cannot be read: \(String(cString: strerror(errno)))") }
        guard let derived = DKIMKeyMaker.publicKey(ofPEM: text, algorithm: algorithm) else {
            return .broken("key file \(path) does not hold a \(algorithm.keyType.uppercased()) private key")
        }
        guard derived == publicKey else { return .broken("key file \(path) holds another key than the one published for it") }
        return .usable
    }

    /// KEYDIR and KEYDIR/DOMAIN: root's, 0755, made when missing.
    private func prepareFolders(domain: String) throws {
        let top = settings.keyDirectory
        try Self.folder(top, mode: 0o755, group: 0, what: "mail.dkim.key_dir")
        try Self.safeAncestors(of: top)
        try Self.folder("\(top)/\(domain)", mode: 0o755, group: 0, what: "the domain's key folder")
    }

    private static func folder(_ path: String, mode: mode_t, group: gid_t, what: String) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw MailError(.serviceUnavailable, "\(what) \(path): \(String(cString: strerror(errno)))") }
            let parent = (path as NSString).deletingLastPathComponent
            if parent != path, !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
                try folder(parent, mode: 0o755, group: 0, what: "the parent of \(what)")
            }
            guard mkdir(path, mode) == 0 || errno == EEXIST else {
                throw MailError(.serviceUnavailable, "\(what) \(path) cannot be made: \(String(cString: strerror(errno)))")
            }
            guard lchown(path, 0, group) == 0, chmod(path, mode) == 0 else {
                throw MailError(.serviceUnavailable, "\(what) \(path): \(String(cString: strerror(errno)))")
            }
            guard lstat(path, &info) == 0 else { throw MailError(.serviceUnavailable, "\(what) \(path): \(String(cString: strerror(errno)))") }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw MailError(.serviceUnavailable, "\(what) \(path) is not a folder (a link or a file is refused)")
        }
        guard info.st_uid == 0, info.st_mode & 0o022 == 0 else {
            throw MailError(.serviceUnavailable, "\(what) \(path) must belong to root and be writable by nobody else (it is uid \(info.st_uid), mode \(String(info.st_mode & 0o777, radix: 8))): OpenDKIM refuses keys in it")
        }
    }

    /// OpenDKIM refuses a key below a folder that others can write (a sticky /var/tmp included).
    private static func safeAncestors(of path: String) throws {
        var current = (path as NSString).deletingLastPathComponent
        while !current.isEmpty {
            var info = stat()
            if stat(current, &info) == 0, info.st_mode & 0o002 != 0 || (info.st_mode & 0o020 != 0 && info.st_gid != 0) {
                throw MailError(.invalidInput, "mail.dkim.key_dir \(path) is below \(current), which other users can write: OpenDKIM refuses keys there; choose a folder such as /var/lib/switchboard-dkim", field: "mail.dkim.key_dir")
            }
            if current == "/" { break }
            current = (current as NSString).deletingLastPathComponent
        }
    }

    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 65_536)
        var length = 0
        while length < bytes.count {
            let count = bytes[length...].withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            length += count
        }
        return String(decoding: bytes[..<length], as: UTF8.self)
    }

    static func account(named name: String) -> (uid: uid_t, gid: gid_t)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return (entry.pw_uid, entry.pw_gid)
    }

    static func userName(of uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
