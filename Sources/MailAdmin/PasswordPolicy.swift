import Foundation
import SwitchboardCore
public import SwitchboardBase

/// What a mailbox password must be: long enough, not the login or the name, not a common password.
public struct PasswordPolicy: Sendable {
    /// The shortest password accepted, in characters.
    public var minimumLength: Int

    /// A policy.
    public init(minimumLength: Int = 12) {
        self.minimumLength = minimumLength
    }

    /// nil when acceptable, else the reason (which never repeats the password).
    public func problem(with password: Secret, address: String, displayName: String) -> String? {
        let text = password.exposedValue
        if text.count < minimumLength { return "the password is shorter than \(minimumLength) characters" }
        if text.count > 256 { return "the password is longer than 256 characters" }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "the password contains a control character"
        }
        let folded = TextNormalization.searchKey(text).replacingOccurrences(of: " ", with: "")
        let local = address.split(separator: "@").first.map { String($0).lowercased() } ?? address
        let localParts = local.split(whereSeparator: { ".-_+".contains($0) }).map(String.init).filter { $0.count >= 3 }
        for part in ([local] + localParts).filter({ $0.count >= 3 }) where folded.contains(TextNormalization.searchKey(part)) {
            return "the password contains the login (\(part))"
        }
        for word in TextNormalization.searchKey(displayName).split(separator: " ") where word.count >= 3 && folded.contains(word) {
            return "the password contains part of the person's name"
        }
        // A listed password, alone or with a few digits or symbols added ("matkhau2026!").
        let letters = String(folded.prefix(while: { $0.isLetter }))
        let rest = folded.dropFirst(letters.count)
        let padded = rest.count <= 6 && rest.allSatisfy { $0.isNumber || "!@#$%^&*._-".contains($0) }
        if CommonPasswords.set.contains(folded) || (padded && CommonPasswords.set.contains(letters)) {
            return "the password is a common password (or one with a few digits added)"
        }
        if Set(text).count <= 3 { return "the password repeats too few different characters" }
        return nil
    }
}

/// Generates passwords that are easy to read out over the phone and satisfy the policy.
public enum PasswordGenerator {
    /// Letters and digits without look-alikes (no 0/O, 1/l/I).
    static let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    /// Four groups of four random characters joined by hyphens, such as `Xk7q-mP3v-9tRw-hN4s` (about 95 bits).
    public static func generate() -> Secret {
        var generator = SystemRandomNumberGenerator()
        let groups = (0..<4).map { _ in String((0..<4).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] }) }
        return Secret(groups.joined(separator: "-"))
    }
}
