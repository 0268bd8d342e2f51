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

    /// Prints an aligned table. Widths count terminal columns (``DisplayWidth``: CJK characters
    /// take two, combining marks none). On a terminal, or with `$COLUMNS` set, the table fits that
    /// width: the widest columns are narrowed and their long cells cut with `…` (pipes and files
    /// get every cell whole; `--json` is the way to get everything).
    public static func table(_ header: [String], _ rows: [[String]]) {
        for line in tableLines(header, rows, width: terminalWidth()) { out(line) }
    }

    /// The lines of a table fitted to `width` columns (nil: no limit).
    static func tableLines(_ header: [String], _ rows: [[String]], width limit: Int?) -> [String] {
        // A control character in a cell (a name, an --as login) could forge a row or move the cursor.
        let rows = rows.map { $0.map(escapingControls) }
        var widths = header.map(DisplayWidth.of)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        if let limit {
            // Narrow the widest column, one column at a time, down to 6 (or its header).
            let gaps = 2 * max(0, widths.count - 1)
            while widths.reduce(0, +) + gaps > limit {
                guard let widest = widths.indices.filter({ widths[$0] > max(6, DisplayWidth.of(header[$0])) }).max(by: { widths[$0] < widths[$1] })
                else { break }
                widths[widest] -= 1
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let width = index < widths.count ? widths[index] : DisplayWidth.of(cell)
                let shown = DisplayWidth.truncated(cell, to: width)
                return index == cells.count - 1 ? shown : shown + String(repeating: " ", count: max(0, width - DisplayWidth.of(shown)))
            }.joined(separator: "  ")
        }
        return [trimmingTrailingSpace(line(header))] + rows.map { trimmingTrailingSpace(line($0)) }
    }

    /// The width to fit tables to: `$COLUMNS` when set, else the terminal's when standard output
    /// is one, else none.
    static func terminalWidth() -> Int? {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
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
        let width = pairs.map { DisplayWidth.of($0.0) }.max() ?? 0
        for (key, value) in pairs {
            out(key + ":" + String(repeating: " ", count: width - DisplayWidth.of(key) + 1) + escapingControls(value))
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

}
