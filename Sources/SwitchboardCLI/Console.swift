import Foundation
import SwitchboardCore
import SwitchboardBase

/// Output: tables for people, JSON for machines, errors on standard error.
public enum Console {
    /// Prints a line on standard output.
    public static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints a line on standard error.
    public static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Prints a value as pretty, key-sorted JSON.
    public static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        out(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Prints an aligned table; widths count characters as a terminal shows them (combining marks take none).
    public static func table(_ header: [String], _ rows: [[String]]) {
        // A control character in a cell (a name, an --as login) could forge a row or move the cursor.
        let rows = rows.map { $0.map(escapingControls) }
        var widths = header.map(displayWidth)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], displayWidth(cell))
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - displayWidth(cell))
            }.joined(separator: "  ")
        }
        out(trimmingTrailingSpace(line(header)))
        for row in rows { out(trimmingTrailingSpace(line(row))) }
    }

    /// The cell with control, format and line-separator characters shown as `\u{XX}`.
    static func escapingControls(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: isControl) else { return cell }
        var shown = ""
        for scalar in cell.unicodeScalars {
            if isControl(scalar) { shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" } else { shown.unicodeScalars.append(scalar) }
        }
        return shown
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// The line without trailing white space: what the regular expression `\s+$` removes (ICU's
    /// `\s` is the Unicode White_Space property), without loading ICU's regex engine.
    static func trimmingTrailingSpace(_ line: String) -> String {
        var scalars = line.unicodeScalars[...]
        while let last = scalars.last, last.properties.isWhitespace {
            scalars = scalars.dropLast()
        }
        return String(scalars)
    }

    /// Key: value lines, keys aligned.
    public static func fields(_ pairs: [(String, String)]) {
        let width = pairs.map { $0.0.count }.max() ?? 0
        for (key, value) in pairs {
            out(key + ":" + String(repeating: " ", count: width - key.count + 1) + value)
        }
    }

    /// Progress on a terminal only: rewritten in place on standard error.
    public static func progress(_ done: Int, _ total: Int, label: String, force: Bool = false) {
        guard force || OperatingSystem.standardErrorIsTerminal else { return }
        let percent = total == 0 ? 100 : done * 100 / total
        let text = "\(label): \(done)/\(total) (\(percent)%)"
        if OperatingSystem.standardErrorIsTerminal {
            FileHandle.standardError.write(Data(("\r" + text + (done == total ? "\n" : "")).utf8))
        } else {
            error(text)
        }
    }

    /// A stored UTC time shown in the configured zone, `2026-11-29 08:22`.
    public static func localTime(_ stored: String?, zone: String, seconds: Bool = false) -> String {
        Timestamp.display(stored, zone: zone, seconds: seconds)
    }

    private static func displayWidth(_ text: String) -> Int {
        text.count
    }
}
