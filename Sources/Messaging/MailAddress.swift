import Foundation
import SwitchboardBase

/// A validated envelope address, safe to put in an SMTP command and a header: `name@example.vn`.
///
/// The local part is an ASCII dot-atom; the domain is ASCII letters, digits and hyphens, and a
/// Unicode domain ("bộ.vn") is converted to its punycode form ("xn--b-8xm.vn"). Equality uses
/// `address`, whose domain is lower-cased.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address in ASCII form, domain lower-cased: what goes into `RCPT TO` and headers.
    public let address: String
    /// The part before "@", as given.
    public let localPart: String
    /// The domain in lower-case ASCII (punycode) form.
    public let domain: String

    /// The address in ASCII form.
    public var description: String { address }

    /// Validates `text` as an envelope address.
    ///
    /// Throws `MessageError` with code `.headerInjection` for CR, LF or NUL and `.invalidAddress`
    /// for anything else that is wrong (a space, "<", ">", ",", a non-ASCII local part, a bad
    /// domain); the description starts with `field`, e.g. "recipient address contains a line
    /// break (CR/LF): refused before sending".
    /// - Parameters:
    ///   - text: The address alone, without display name or angle brackets.
    ///   - field: What the address is, in words, for the error: "recipient address".
    public init(_ text: String, field: String = "address") throws {
        func invalid(_ reason: String) -> MessageError {
            MessageError(
                .invalidAddress, field: field,
                "\(field) \(Quoting.quoted(text)) \(reason); give a plain address such as name@example.vn"
            )
        }

        for scalar in text.unicodeScalars {
            if let problem = HeaderSafety.problem(scalar) {
                throw MessageError(
                    .headerInjection, field: field,
                    "\(field) contains \(problem): refused before sending (value \(Quoting.quoted(text)))"
                )
            }
            switch scalar {
            case " ", "\t": throw invalid("contains a space")
            case "<", ">": throw invalid("contains an angle bracket (< or >): give the bare address, without a display name")
            case ",": throw invalid("contains a comma: give one address at a time")
            default: continue
            }
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw invalid(parts.count < 2 ? "has no \"@\"" : "has more than one \"@\"")
        }
        let local = String(parts[0])
        if let reason = Self.localPartProblem(local) { throw invalid(reason) }
        let domain: String
        switch Self.asciiDomain(String(parts[1])) {
        case .success(let ascii): domain = ascii
        case .failure(let problem): throw invalid(problem.reason)
        }
        let address = local + "@" + domain
        guard address.utf8.count <= 254 else {
            throw invalid("is longer than 254 characters")
        }
        self.localPart = local
        self.domain = domain
        self.address = address
    }

    /// Characters allowed in an RFC 5322 atom besides letters and digits.
    private static let atomSpecials = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    private static func localPartProblem(_ local: String) -> String? {
        if local.isEmpty { return "has nothing before \"@\"" }
        if let scalar = local.unicodeScalars.first(where: { !$0.isASCII }) {
            return "has a non-ASCII character \"\(scalar)\" before \"@\": internationalized local parts "
                + "(SMTPUTF8) are not supported"
        }
        if local.utf8.count > 64 { return "has more than 64 characters before \"@\"" }
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        if atoms.contains(where: \.isEmpty) {
            return "has a dot at the start or end of the part before \"@\", or two dots in a row"
        }
        for scalar in local.unicodeScalars where scalar != "." {
            let isAtom = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || atomSpecials.contains(scalar)
            if !isAtom { return "has a character \(Quoting.quoted(String(scalar))) not allowed before \"@\"" }
        }
        return nil
    }

    private struct DomainProblem: Error {
        let reason: String
    }

    /// Converts a domain to lower-case ASCII, punycoding Unicode labels, or says what is wrong.
    private static func asciiDomain(_ domain: String) -> Result<String, DomainProblem> {
        if domain.isEmpty { return .failure(DomainProblem(reason: "has nothing after \"@\"")) }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        var asciiLabels: [String] = []
        for label in labels {
            guard !label.isEmpty else {
                return .failure(DomainProblem(reason: "has an empty label in the domain (a dot at the start or end, or two dots in a row)"))
            }
            var ascii = String(label).lowercased()
            if !ascii.unicodeScalars.allSatisfy(\.isASCII) {
                let normalized = ascii.precomposedStringWithCanonicalMapping
                for scalar in normalized.unicodeScalars where !scalar.isASCII {
                    let props = scalar.properties
                    guard props.isAlphabetic || props.numericType != nil || props.generalCategory == .nonspacingMark
                        || props.generalCategory == .spacingMark
                    else {
                        return .failure(DomainProblem(reason: "has a character \"\(scalar)\" not allowed in a domain name"))
                    }
                }
                guard let encoded = Punycode.encode(normalized) else {
                    return .failure(DomainProblem(reason: "has a domain label that cannot be written in ASCII (punycode)"))
                }
                ascii = "xn--" + encoded
            }
            if let reason = Self.labelProblem(ascii, original: String(label)) {
                return .failure(DomainProblem(reason: reason))
            }
            asciiLabels.append(ascii)
        }
        let result = asciiLabels.joined(separator: ".")
        if result.utf8.count > 253 { return .failure(DomainProblem(reason: "has a domain longer than 253 characters")) }
        if let top = asciiLabels.last, top.allSatisfy(\.isNumber) {
            return .failure(DomainProblem(reason: "has an all-numeric top-level domain (IP literals are not accepted)"))
        }
        return .success(result)
    }

    private static func labelProblem(_ label: String, original: String) -> String? {
        if label.utf8.count > 63 { return "has a domain label \"\(original)\" longer than 63 characters" }
        for scalar in label.unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
            if !ok { return "has a character \(Quoting.quoted(String(scalar))) not allowed in a domain name" }
        }
        if label.hasPrefix("-") || label.hasSuffix("-") {
            return "has a domain label \"\(original)\" that starts or ends with a hyphen"
        }
        return nil
    }
}
