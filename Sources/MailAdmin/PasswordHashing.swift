import SwitchboardCore
public import SwitchboardBase

/// Turns a password into the stored `{SCHEME}` hash. The real one is ``CryptPasswordHasher``.
public protocol PasswordHashing: Sendable {
    /// Hashes a password with a fresh salt.
    func hash(_ password: Secret) throws -> String
}

extension CryptPasswordHasher: PasswordHashing {}
