import Foundation

/// Why a text is not an acceptable e-mail address.
public struct EmailAddressError: SwitchboardError {
    /// The rejected input in a form safe to show: truncated to 80 Unicode scalars (with "…"
    /// appended when cut), with control, format and line-separator characters, backslashes and
    /// double quotes escaped.
    public let input: String
    /// A short, specific reason, e.g. "contains a space".
    public let reason: String
    /// "invalid e-mail address \"...\": reason".
    public var description: String {
        "invalid e-mail address \"\(input)\": \(reason)"
    }

    public var category: ErrorCategory { .badInput }

}

extension EmailAddressError {
    /// Builds an error from raw, untrusted input, sanitizing it for display.
    init(rawInput: String, reason: String) {
        self.init(input: Self.sanitized(rawInput), reason: reason)
    }

    /// Truncates to 80 scalars and escapes anything that could break a one-line log message.
    static func sanitized(_ raw: String) -> String {
        Quoting.escaped(raw, limit: 80)
    }
}

/// A validated e-mail address.
///
/// Equality and hashing use `key` only: "A@X.VN" and "a@x.vn" are the same address.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    /// As typed, NFC-normalized, trimmed; domain kept in Unicode form for display.
    public let display: String
    /// The unique key: local part lower-cased, domain lower-cased and converted to IDNA ASCII
    /// (punycode "xn--" labels). "A@X.VN" and "a@x.vn" share a key, and so do "a@bộ.vn" and
    /// "a@xn--b-8xm.vn".
    public let key: String
    /// The local part as typed (NFC).
    public let localPart: String
    /// The domain in lower-case ASCII (punycode) form.
    public let asciiDomain: String

    /// Validates and normalizes `text`, throwing `EmailAddressError` with a short reason.
    ///
    /// Rules: no line breaks, NUL, control, invisible formatting characters or spaces anywhere
    /// (surrounding spaces are trimmed); exactly one "@"; local part 1...64 octets, an ASCII
    /// RFC 5322 dot-atom (letters, digits, !#$%&'*+/=?^_`{|}~- and single inner dots); domain of at
    /// least two labels, non-ASCII characters only letters, marks or digits, each label 1...63
    /// octets after IDNA conversion containing only letters, digits and hyphens, not starting or
    /// ending with a hyphen, "xn--" labels valid canonical punycode, top-level domain not
    /// all-numeric, domain at most 253 octets; whole address (key form) at most 254 octets.
    public init(_ text: String) throws {
        func fail(_ reason: String) -> EmailAddressError {
            EmailAddressError(rawInput: text, reason: reason)
        }

        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00:
                throw fail("contains a NUL byte")
            case 0x0A, 0x0D, 0x85, 0x2028, 0x2029:
                throw fail("contains a line break")
            case 0x09:
                throw fail("contains a tab")
            default:
                break
            }
            switch scalar.properties.generalCategory {
            case .control:
                throw fail("contains a control character \(TextNormalization.codePoint(scalar))")
            case .format:
                throw fail("contains an invisible formatting character \(TextNormalization.codePoint(scalar))")
            default:
                break
            }
        }

        let normalized = TextNormalization.nfc(text)
        guard !normalized.isEmpty else { throw fail("is empty") }
        if normalized.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw fail("contains a space")
        }
        // Every scalar costs at most 4 UTF-8 octets and at least one ASCII octet after
        // conversion, so this bound only rejects addresses that are certainly too long.
        guard normalized.utf8.count <= 4 * 256 else { throw fail("is longer than 254 octets") }

        // Split on scalars, not Characters: "@" followed by a combining mark is one Character.
        let parts = normalized.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count > 1 else { throw fail("has no @") }
        guard parts.count == 2 else { throw fail("contains more than one @") }
        let local = String(parts[0])
        let domain = String(parts[1])

        if let reason = Self.localPartProblem(local) {
            throw fail(reason)
        }
        let ascii: String
        switch Self.convertDomain(domain) {
        case .failure(let problem):
            throw fail(problem.reason)
        case .success(let value):
            ascii = value
        }

        let key = local.lowercased() + "@" + ascii
        guard key.utf8.count <= 254 else { throw fail("is longer than 254 octets (\(key.utf8.count))") }

        self.display = normalized
        self.key = key
        self.localPart = local
        self.asciiDomain = ascii
    }

    /// The display form.
    public var description: String { display }

    /// Two addresses are equal when their keys are equal.
    public static func == (lhs: EmailAddress, rhs: EmailAddress) -> Bool {
        lhs.key == rhs.key
    }

    /// Hashes the key only.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
    }

    // MARK: - Validation helpers

    private struct DomainProblem: Error {
        let reason: String
    }

    private static let atextSymbols = Set("!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    private static func localPartProblem(_ local: String) -> String? {
        guard !local.isEmpty else { return "local part is empty" }
        if let scalar = local.unicodeScalars.first(where: { !$0.isASCII }) {
            return "local part contains a non-ASCII character \(TextNormalization.codePoint(scalar))"
        }
        let octets = local.utf8.count
        guard octets <= 64 else { return "local part is longer than 64 octets (\(octets))" }
        for scalar in local.unicodeScalars {
            let isAlphanumeric = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar)
            if !(isAlphanumeric || scalar == "." || atextSymbols.contains(scalar)) {
                return "local part contains a character that is not allowed: \"\(Character(scalar))\""
            }
        }
        if local.hasPrefix(".") { return "local part starts with a dot" }
        if local.hasSuffix(".") { return "local part ends with a dot" }
        if local.contains("..") { return "local part contains two consecutive dots" }
        return nil
    }

    private static func convertDomain(_ domain: String) -> Result<String, DomainProblem> {
        func problem(_ reason: String) -> Result<String, DomainProblem> {
            .failure(DomainProblem(reason: reason))
        }
        guard !domain.isEmpty else { return problem("domain is empty") }
        let prepared = Punycode.prepare(domain)
        let labels = prepared.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if labels.contains(where: \.isEmpty) {
            if labels.first?.isEmpty == true { return problem("domain starts with a dot") }
            if labels.last?.isEmpty == true { return problem("domain ends with a dot") }
            return problem("domain contains two consecutive dots")
        }
        guard labels.count >= 2 else { return problem("domain needs at least two labels (like example.vn)") }

        var asciiLabels: [String] = []
        for label in labels {
            for scalar in label.unicodeScalars where !scalar.isASCII {
                switch scalar.properties.generalCategory {
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                     .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
                    continue
                default:
                    return problem("domain contains a character that is not allowed: \(TextNormalization.codePoint(scalar))")
                }
            }
            if let first = label.unicodeScalars.first {
                switch first.properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark:
                    return problem("domain label \"\(label)\" starts with a combining mark")
                default:
                    break
                }
            }
            let ascii: String
            switch Punycode.convertLabel(label) {
            case .success(let value):
                ascii = value
            case .empty:
                return problem("domain contains an empty label")
            case .tooLong(let octets):
                return problem("domain label \"\(label)\" is longer than 63 octets (\(octets))")
            case .invalidACE:
                return problem("domain label \"\(label)\" is not valid punycode")
            case .overflow:
                return problem("domain label \"\(label)\" cannot be converted to ASCII")
            }
            for scalar in ascii.unicodeScalars {
                let allowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
                if !allowed {
                    return problem("domain contains a character that is not allowed: \"\(Character(scalar))\"")
                }
            }
            if ascii.hasPrefix("-") { return problem("domain label \"\(label)\" starts with a hyphen") }
            if ascii.hasSuffix("-") { return problem("domain label \"\(label)\" ends with a hyphen") }
            asciiLabels.append(ascii)
        }
        if let tld = asciiLabels.last, tld.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) {
            return problem("top-level domain \"\(tld)\" is all-numeric")
        }
        let joined = asciiLabels.joined(separator: ".")
        guard joined.utf8.count <= 253 else {
            return problem("domain is longer than 253 octets (\(joined.utf8.count))")
        }
        return .success(joined)
    }
}
