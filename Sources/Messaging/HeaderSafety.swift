import SwitchboardBase

/// The gate every header value passes before a message is rendered or sent.
///
/// A line break inside a header value would end that header and let the rest of the value
/// become new headers ("Bcc: everyone@…") or even the body. Such values are refused, never
/// cleaned: silently dropping the break would send something nobody wrote.
public enum HeaderSafety {
    /// Throws `MessageError` with code `.headerInjection` when `value` holds CR, LF, NUL, or a
    /// Unicode line or paragraph separator.
    ///
    /// - Parameters:
    ///   - value: The header value as given, before any encoding.
    ///   - field: The field in words, used in the error: "subject", "display name of sender".
    public static func check(_ value: String, field: String) throws {
        for scalar in value.unicodeScalars {
            guard let found = Self.problem(scalar) else { continue }
            throw MessageError(
                .headerInjection,
                field: field,
                "\(field) contains \(found): refused before sending (value \(Quoting.quoted(value))); "
                    + "remove it from the \(field) and try again"
            )
        }
    }

    /// Names what is wrong with `scalar` in a header value, or nil when it is acceptable.
    static func problem(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "\r", "\n": "a line break (CR/LF)"
        case "\0": "a NUL character"
        case "\u{85}": "a line break (U+0085 NEXT LINE)"
        case "\u{2028}": "a line break (U+2028 LINE SEPARATOR)"
        case "\u{2029}": "a line break (U+2029 PARAGRAPH SEPARATOR)"
        default: nil
        }
    }
}
