/// Shows untrusted text inside a one-line message: control, format and separator characters
/// escaped, backslashes and double quotes escaped, long values cut.
///
/// Names, addresses and header values are not secrets, and showing them lets an operator find
/// the record at fault; the escaping keeps a hostile value from forging log lines or table rows.
public enum Quoting {
    /// The value between double quotes, escaped and cut to `limit` Unicode scalars ("…" marks a cut).
    public static func quoted(_ value: String, limit: Int = 60) -> String {
        "\"" + escaped(value, limit: limit) + "\""
    }

    /// The value escaped and cut to `limit` Unicode scalars, without surrounding quotes.
    public static func escaped(_ value: String, limit: Int = 80) -> String {
        var shown = ""
        var taken = 0
        for scalar in value.unicodeScalars {
            if taken == limit {
                shown += "…"
                break
            }
            taken += 1
            switch scalar {
            case "\\": shown += "\\\\"
            case "\"": shown += "\\\""
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case "\0": shown += "\\0"
            default:
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
                    shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                default:
                    shown.unicodeScalars.append(scalar)
                }
            }
        }
        return shown
    }
}
