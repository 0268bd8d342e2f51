internal import CCrypt
import SwitchboardCore
public import SwitchboardBase

/// The hash schemes Dovecot verifies from the SQL row, stored with their `{SCHEME}` prefix.
public enum PasswordScheme: String, Sendable, CaseIterable {
    /// libxcrypt's yescrypt (`$y$`), stored as `{CRYPT}$y$...`.
    case yescrypt
    /// SHA-512 crypt (`$6$`), stored as `{SHA512-CRYPT}$6$...`.
    case sha512crypt = "sha512-crypt"
}

/// An error from libxcrypt.
public struct PasswordHashError: SwitchboardError {
    /// What failed, without the password.
    public let description: String

    public var category: ErrorCategory { .failed }
}

/// Hashes and verifies passwords through libxcrypt, exactly as Dovecot's `CRYPT` schemes read them.
public struct CryptPasswordHasher: Sendable {
    /// The scheme new hashes use.
    public let scheme: PasswordScheme
    /// Cost: yescrypt's cost factor (1-11) or SHA512-CRYPT's rounds; 0 takes libxcrypt's default.
    public let cost: Int

    /// A hasher for a scheme and cost.
    public init(scheme: PasswordScheme = .yescrypt, cost: Int = 0) {
        self.scheme = scheme
        self.cost = cost
    }

    /// Hashes a password with a fresh random salt; the result carries its `{SCHEME}` prefix.
    public func hash(_ password: Secret) throws -> String {
        let prefix: String
        let label: String
        switch scheme {
        case .yescrypt: (prefix, label) = ("$y$", "{CRYPT}")
        case .sha512crypt: (prefix, label) = ("$6$", "{SHA512-CRYPT}")
        }
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let made = prefix.withCString { prefixPointer in
            crypt_gensalt_rn(prefixPointer, UInt(cost), nil, 0, &setting, Int32(setting.count))
        }
        guard made != nil else {
            throw PasswordHashError(description: "libxcrypt could not make a \(scheme.rawValue) salt (cost \(cost))")
        }
        let settingText = String(decoding: setting.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return label + (try Self.crypt(password.exposedValue, setting: settingText))
    }

    /// True when `password` matches a stored `{CRYPT}`/`{SHA512-CRYPT}` hash.
    public static func verify(_ password: Secret, against stored: String) -> Bool {
        guard let brace = stored.firstIndex(of: "}"), stored.hasPrefix("{") else { return false }
        let hash = String(stored[stored.index(after: brace)...])
        guard let computed = try? crypt(password.exposedValue, setting: hash) else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(hash.utf8))
    }

    private static func crypt(_ phrase: String, setting: String) throws -> String {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer {
            // The work area held the password: wipe it before giving the memory back.
            UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
        guard let result = crypt_rn(phrase, setting, data, Int32(MemoryLayout<crypt_data>.size)) else {
            throw PasswordHashError(description: "libxcrypt refused the hash setting (unsupported or malformed scheme)")
        }
        let text = String(cString: result)
        if text.hasPrefix("*") {
            throw PasswordHashError(description: "libxcrypt refused the hash setting (unsupported or malformed scheme)")
        }
        return text
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
