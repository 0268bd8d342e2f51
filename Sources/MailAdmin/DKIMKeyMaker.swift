import Crypto
import _CryptoExtras
import Foundation
import SwitchboardBase

/// A new DKIM key pair: the private half as PEM, for the signer's file only, and the public half
/// as DNS publishes it.
struct DKIMKeyMaterial: Sendable {
    var algorithm: DKIMAlgorithm
    /// PEM text of the private key (PKCS#8). Never logged, audited or stored in the database.
    var privatePEM: Secret
    /// Base64, as in the `p=` tag.
    var publicKey: String
}

/// Makes DKIM keys and reads back the public half of a key file (swift-crypto).
enum DKIMKeyMaker {
    /// A fresh key: RSA of `rsaBits` (SubjectPublicKeyInfo published, as opendkim-genkey does and
    /// every verifier reads), or Ed25519 (the 32 raw public bytes, RFC 8463 3.1).
    static func make(_ algorithm: DKIMAlgorithm, rsaBits: Int) throws -> DKIMKeyMaterial {
        switch algorithm {
        case .rsaSHA256:
            let size: _RSA.Signing.KeySize = switch rsaBits {
            case 4096: .bits4096
            case 3072: .bits3072
            default: .bits2048
            }
            let key = try _RSA.Signing.PrivateKey(keySize: size)
            return DKIMKeyMaterial(algorithm: algorithm, privatePEM: Secret(key.pkcs8PEMRepresentation),
                                   publicKey: key.publicKey.derRepresentation.base64EncodedString())
        case .ed25519SHA256:
            let key = Curve25519.Signing.PrivateKey()
            return DKIMKeyMaterial(algorithm: algorithm, privatePEM: Secret(ed25519PEM(seed: key.rawRepresentation)),
                                   publicKey: key.publicKey.rawRepresentation.base64EncodedString())
        }
    }

    /// The public key (as published) of a private key file's PEM text, or nil when the text is
    /// not a key of that algorithm.
    static func publicKey(ofPEM pem: String, algorithm: DKIMAlgorithm) -> String? {
        switch algorithm {
        case .rsaSHA256:
            return (try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem))?.publicKey.derRepresentation.base64EncodedString()
        case .ed25519SHA256:
            guard let der = derBytes(ofPEM: pem, label: "PRIVATE KEY"), der.count == ed25519Prefix.count + 32,
                  der.starts(with: ed25519Prefix),
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) else { return nil }
            return key.publicKey.rawRepresentation.base64EncodedString()
        }
    }

    /// PKCS#8 (RFC 8410) for an Ed25519 seed: a fixed 16-byte prefix, then the 32 bytes.
    private static let ed25519Prefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    private static func ed25519PEM(seed: Data) -> String {
        let der = Data(ed25519Prefix) + seed
        return "-----BEGIN PRIVATE KEY-----\n" + der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END PRIVATE KEY-----\n"
    }

    private static func derBytes(ofPEM pem: String, label: String) -> [UInt8]? {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN \(label)-----"),
              let end = lines.firstIndex(of: "-----END \(label)-----"), begin < end else { return nil }
        return Data(base64Encoded: lines[(begin + 1)..<end].joined()).map { [UInt8]($0) }
    }
}
