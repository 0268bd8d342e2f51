/// Writes the Prometheus text exposition format, version 0.0.4: one `# HELP` and `# TYPE` line
/// per family, then its samples (a family's samples kept together, as the format requires),
/// label values and help text escaped.
struct PrometheusText {
    /// A metric family's type.
    enum Kind: String {
        case counter, gauge
    }

    /// The text so far.
    private(set) var text = ""

    init(reservingCapacity capacity: Int = 0) {
        text.reserveCapacity(capacity)
    }

    /// Starts a family: its HELP and TYPE lines.
    mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One sample of the current family.
    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, (label, labelValue)) in labels.enumerated() {
                if index > 0 { text += "," }
                text += label
                text += "=\""
                text += Self.escapeLabelValue(labelValue)
                text += "\""
            }
            text += "}"
        }
        text += " "
        text += Self.format(value)
        text += "\n"
    }

    /// A label value: backslash, double quote and line feed escaped, by scalar (a Character may
    /// hold a quote glued to a combining mark).
    static func escapeLabelValue(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": escaped.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": escaped.append(contentsOf: "\\n".unicodeScalars)
            case "\r": break
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// Help text: backslash and line feed escaped.
    static func escapeHelp(_ help: String) -> String {
        var escaped = ""
        for character in help {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n", "\r\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A sample value as Prometheus reads it: whole numbers without a fraction, `+Inf`, `-Inf`, `NaN`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
