import Foundation
import SwitchboardBase

/// An RFC 4180 CSV writer that also defuses spreadsheet formula injection.
public enum CSVWriter {
    /// Encodes a header and rows as RFC 4180 with CRLF line endings (every record, including the
    /// last, ends with CRLF), quoting fields that contain comma, quote, CR or LF (quotes doubled).
    /// Every cell (header cells included) that starts with = + - @ TAB or CR is neutralized by
    /// prefixing a single quote ' so spreadsheets do not run it as a formula; see `neutralize(_:)`.
    /// A record that consists of one empty cell is written as `""` so that it is not read back as
    /// a blank line.
    public static func encode(header: [String], rows: [[String]]) -> String {
        var output = ""
        appendRecord(header, to: &output)
        for row in rows {
            appendRecord(row, to: &output)
        }
        return output
    }

    /// Neutralizes one cell: a cell whose first Unicode scalar is = + - @ TAB or CR gets a single
    /// quote ' prepended (this includes "-" and plain negative numbers such as "-5"); any other
    /// cell is returned unchanged.
    public static func neutralize(_ cell: String) -> String {
        // Look at the first scalar, not the first Character: "\r\n" is a single Character.
        guard let first = cell.unicodeScalars.first else { return cell }
        switch first {
        case "=", "+", "-", "@", "\t", "\r":
            return "'" + cell
        default:
            return cell
        }
    }

    /// Undoes ``neutralize(_:)``: a cell of our own export read back in keeps its original text.
    public static func unneutralize(_ cell: String) -> String {
        var scalars = cell.unicodeScalars.makeIterator()
        guard scalars.next() == "'", let second = scalars.next(), ["=", "+", "-", "@", "\t", "\r"].contains(second) else {
            return cell
        }
        return String(cell.unicodeScalars.dropFirst())
    }

    private static func appendRecord(_ cells: [String], to output: inout String) {
        if cells.count == 1, cells.first?.isEmpty == true {
            output += "\"\"\r\n"
            return
        }
        for (position, cell) in cells.enumerated() {
            if position > 0 {
                output += ","
            }
            output += quotedIfNeeded(neutralize(cell))
        }
        output += "\r\n"
    }

    private static func quotedIfNeeded(_ cell: String) -> String {
        let needsQuotes = cell.utf8.contains { byte in
            byte == 0x2C || byte == 0x22 || byte == 0x0D || byte == 0x0A
        }
        guard needsQuotes else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
