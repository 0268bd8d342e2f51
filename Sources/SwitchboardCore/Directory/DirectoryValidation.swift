import Foundation
public import SwitchboardBase

/// Checks and normalizes directory input; every failure names the field and the value.
public enum DirectoryValidation {
    /// A login: 1-32 characters, lower-case ASCII letters, digits, `.`, `_`, `-`, starting with a letter.
    public static func login(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard !value.isEmpty else { throw DirectoryError.invalid("login", raw, "is empty") }
        guard value.utf8.count <= 32 else { throw DirectoryError.invalid("login", raw, "is longer than 32 characters") }
        guard let first = value.unicodeScalars.first, ("a"..."z").contains(first) else {
            throw DirectoryError.invalid("login", raw, "must start with a letter a-z")
        }
        guard value.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-" }) else {
            throw DirectoryError.invalid("login", raw, "may hold only a-z, 0-9, '.', '_' and '-' (no accents or spaces)")
        }
        return value
    }

    /// A unit code: 1-32 characters, ASCII letters, digits, `-`, `_`, `.`, stored upper-case.
    public static func unitCode(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard !value.isEmpty, value.utf8.count <= 32 else { throw DirectoryError.invalid("unit code", raw, "must be 1 to 32 characters") }
        guard value.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw DirectoryError.invalid("unit code", raw, "may hold only A-Z, 0-9, '-', '_' and '.'")
        }
        return value
    }

    /// A single-line text (a name, a title): NFC, trimmed, no control characters, bounded.
    public static func text(_ field: String, _ raw: String, maxLength: Int) throws -> String {
        if let problem = TextNormalization.problem(inSingleLine: raw, maxLength: maxLength) {
            throw DirectoryError.invalid(field, raw, problem)
        }
        return TextNormalization.nfc(raw)
    }

    /// An optional single-line text: empty is allowed and stored as empty.
    public static func optionalText(_ field: String, _ raw: String, maxLength: Int) throws -> String {
        if raw.trimmingCharacters(in: .whitespaces).isEmpty { return "" }
        return try text(field, raw, maxLength: maxLength)
    }

    /// A phone number: digits, spaces, `+`, `-`, `.`, `(`, `)`; at most 32 characters.
    public static func phone(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard value.count <= 32 else { throw DirectoryError.invalid("phone", raw, "is longer than 32 characters") }
        guard value.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || " +-.()".unicodeScalars.contains($0) }) else {
            throw DirectoryError.invalid("phone", raw, "may hold only digits, spaces and + - . ( )")
        }
        return value
    }

    /// A language: `vi` or `en`.
    public static func language(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard value == "vi" || value == "en" else { throw DirectoryError.invalid("language", raw, "must be vi or en") }
        return value
    }

    /// A role name.
    public static func role(_ raw: String) throws -> Role {
        guard let role = Role(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw DirectoryError.invalid("role", raw, "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }

    /// An e-mail address, validated and keyed (lower-case, IDN domain as punycode).
    public static func email(_ raw: String) throws -> EmailAddress {
        do { return try EmailAddress(raw) } catch let error as EmailAddressError {
            throw DirectoryError(.invalidInput, error.description, field: "email")
        }
    }
}

extension DirectoryValidation {
    /// A group name: 1-64 characters of ASCII letters, digits, `.`, `_`, `-`, stored lower-case.
    public static func groupName(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard !value.isEmpty, value.utf8.count <= 64 else { throw DirectoryError.invalid("group name", raw, "must be 1 to 64 characters") }
        guard value.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw DirectoryError.invalid("group name", raw, "may hold only a-z, 0-9, '.', '_' and '-'")
        }
        return value
    }
}
