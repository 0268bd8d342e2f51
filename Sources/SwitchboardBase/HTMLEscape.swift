/// HTML escaping by Unicode scalar, for element content and attribute values alike.
///
/// By scalar, not by `Character`: a grapheme cluster may hold a `<` glued to a prepended or
/// combining mark (`"\u{0600}<"` is one Character, not equal to `"<"`), and an escaper that
/// compares Characters lets that `<` through. Status pages, reports and mails show text that
/// monitored servers wrote (banners, error lines), so the difference is an injection.
public enum HTMLEscape {
    /// `value` with `& < > " '` replaced by entities.
    public static func escape(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { needsEscape($0) }) else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "&" || scalar == "<" || scalar == ">" || scalar == "\"" || scalar == "'"
    }
}
