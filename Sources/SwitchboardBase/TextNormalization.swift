import Foundation

/// Unicode normalization, search keys and validation for human-entered directory text.
public enum TextNormalization {
    /// Unicode NFC (precomposedStringWithCanonicalMapping) and trims surrounding whitespace
    /// (including line breaks).
    public static func nfc(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Accent- and case-insensitive search key: NFD, combining marks removed, đ/Đ -> d (and the
    /// look-alike ð/Ð), lower-cased, invisible format characters dropped, runs of whitespace
    /// collapsed to one space, trimmed. "Nguyễn Văn Đức" -> "nguyen van duc".
    public static func searchKey(_ text: String) -> String {
        let decomposed = text.lowercased().decomposedStringWithCanonicalMapping
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in decomposed.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .format:
                continue
            default:
                break
            }
            if scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.append(" ")
                pendingSpace = false
            }
            switch scalar {
            case "\u{0111}", "\u{0110}", "\u{00F0}", "\u{00D0}":
                result.append("d")
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// nil when acceptable, otherwise a short reason, for a single-line human text field (names,
    /// titles): not empty after trimming, at most `maxLength` characters (Character count of the
    /// text as given), no control characters at all (C0 incl. CR, LF, TAB, NUL; DEL; C1
    /// U+0080-U+009F), no U+2028/U+2029, no bidi override or isolate characters (U+202A-U+202E,
    /// U+2066-U+2069).
    public static func problem(inSingleLine text: String, maxLength: Int) -> String? {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00:
                return "contains a NUL byte"
            case 0x0A, 0x0D:
                return "contains a line break (CR or LF)"
            case 0x09:
                return "contains a tab (U+0009)"
            case 0x2028, 0x2029:
                return "contains a Unicode line or paragraph separator \(codePoint(scalar))"
            case 0x01...0x1F, 0x7F, 0x80...0x9F:
                return "contains a control character \(codePoint(scalar))"
            case 0x202A...0x202E, 0x2066...0x2069:
                return "contains a bidirectional override character \(codePoint(scalar))"
            default:
                continue
            }
        }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            return "is empty"
        }
        if text.utf8.count > maxLength {
            let length = text.count
            if length > maxLength {
                return "is longer than \(maxLength) characters (\(length))"
            }
            // Bytes as well as characters: one character may stack any number of combining marks.
            // Sixteen bytes a character leaves room for any real script, stacked Vietnamese included.
            if text.utf8.count > maxLength * 16 {
                return "is longer than \(maxLength * 16) bytes (\(text.utf8.count))"
            }
        }
        return nil
    }

    /// Formats a scalar as "U+XXXX" (at least four upper-case hex digits).
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
