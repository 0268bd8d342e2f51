import Foundation
public import GRDB

/// A DKIM signing algorithm (RFC 6376, RFC 8463).
public enum DKIMAlgorithm: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    case rsaSHA256 = "rsa-sha256"
    case ed25519SHA256 = "ed25519-sha256"

    /// The `k=` tag of the key record.
    public var keyType: String {
        switch self {
        case .rsaSHA256: "rsa"
        case .ed25519SHA256: "ed25519"
        }
    }
}

/// Where a key is in its life (ops/mail/schema-v6-dkim.sql).
public enum DKIMKeyState: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Its record is to be published; nothing is signed with it yet.
    case published
    /// Mail from the domain is signed with it.
    case active
    /// Replaced; its record stays published until the grace period ends.
    case retiring
    /// Its record may go; its file is deleted.
    case retired

    /// True when the key's TXT record belongs in DNS.
    public var isPublished: Bool { self != .retired }
}

/// A DKIM key as DNS publishes it.
public struct DKIMPublicKey: Sendable, Equatable, Codable {
    /// The selector (`SELECTOR._domainkey.DOMAIN`).
    public var selector: String
    /// The algorithm.
    public var algorithm: DKIMAlgorithm
    /// The public key, base64, as in the `p=` tag: an RSA SubjectPublicKeyInfo (DER), or the 32
    /// raw bytes of an Ed25519 key (RFC 8463).
    public var publicKey: String
    /// Where the key is in its life.
    public var state: DKIMKeyState

    /// A key.
    public init(selector: String, algorithm: DKIMAlgorithm, publicKey: String, state: DKIMKeyState) {
        self.selector = selector
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.state = state
    }

    /// The TXT record's text: `v=DKIM1; k=rsa; p=...`.
    public var recordText: String { "v=DKIM1; k=\(algorithm.keyType); p=\(publicKey)" }
}
