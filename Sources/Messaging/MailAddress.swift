import Foundation
public import SwitchboardBase

/// A validated envelope address, safe to put in an SMTP command and a header: `name@example.vn`.
///
/// The rules are the directory's (``EmailAddress``, one set for every tool); this type adds what
/// an envelope needs on top: a refusal names the field ("recipient address") as a
/// ``MessageError``, line breaks are refused as header injection, and a display name, angle
/// brackets or a list get a specific hint. A Unicode domain ("bộ.vn") is converted to its
/// punycode form ("xn--b-8xm.vn"). Equality uses `address`, whose domain is lower-cased.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address in ASCII form, domain lower-cased: what goes into `RCPT TO` and headers.
    public let address: String
    /// The part before "@", as given.
    public let localPart: String
    /// The domain in lower-case ASCII (punycode) form.
    public let domain: String
    /// The directory's form of the same address (its `key` is how the directory compares addresses).
    public let email: EmailAddress

    /// The address in ASCII form.
    public var description: String { address }

    /// Validates `text` as an envelope address.
    ///
    /// Throws `MessageError` with code `.headerInjection` for CR, LF or NUL and `.invalidAddress`
    /// for anything else that is wrong (a space, "<", ">", ",", or whatever ``EmailAddress``
    /// refuses); the description starts with `field`, e.g. "recipient address contains a line
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
        let email: EmailAddress
        do {
            email = try EmailAddress(text)
        } catch let error as EmailAddressError {
            throw invalid(error.reason)
        }
        self.email = email
        localPart = email.localPart
        domain = email.asciiDomain
        address = email.localPart + "@" + email.asciiDomain
    }

    public static func == (lhs: MailAddress, rhs: MailAddress) -> Bool {
        lhs.address == rhs.address
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(address)
    }
}
