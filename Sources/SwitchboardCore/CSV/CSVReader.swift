public import Foundation
import SwitchboardBase

/// A parsed RFC 4180 CSV file: the header row and the data records that follow it.
public struct CSVTable: Sendable {
    /// The column names from the first record, each trimmed of surrounding spaces.
    public let header: [String]
    /// The data records after the header, in file order. Field counts may differ from the header's.
    public let rows: [CSVRecord]
}

/// One CSV record (row) together with where it starts in the file.
public struct CSVRecord: Sendable {
    /// The 1-based physical line on which this record starts in the file.
    public let line: Int
    /// The record's fields, unquoted and unescaped. Line breaks inside quoted fields are returned as LF.
    public let fields: [String]
}

/// A CSV file that cannot be parsed, naming the line (and, for encoding errors, the byte) at fault.
public struct CSVError: SwitchboardError {
    /// The 1-based physical line the problem is reported on.
    public let line: Int
    /// A one-line message that starts with the line, e.g. "line 7: unbalanced quote: ...".
    public let description: String

    public var category: ErrorCategory { .badInput }
}

/// An RFC 4180 CSV reader for UTF-8 input.
public enum CSVReader {
    /// Parses bytes: UTF-8 with or without BOM (BOM stripped), CRLF or LF or mixed line endings
    /// (a lone CR also ends a line), quoted fields containing commas, CR/LF newlines and doubled quotes.
    /// Line breaks inside quoted fields are returned as LF, so CRLF and LF files give the same result.
    /// Spaces or tabs between a field's start and its opening quote, or between its closing quote
    /// and the next comma or line end, are ignored.
    ///
    /// The first record is the header (each name trimmed of surrounding spaces). An empty trailing
    /// line is ignored and fully empty lines between records are ignored.
    ///
    /// Throws `CSVError` naming the line for: invalid UTF-8 (with the 1-based byte position in the
    /// file), a quote inside an unquoted field, text after a closing quote, an unbalanced quote (names
    /// the line where the quoted field started), and an empty file / no header. A record whose field
    /// count differs from the header is not an error here.
    public static func parse(_ data: Data) throws -> CSVTable {
        let bytes = [UInt8](data)
        if let bad = firstInvalidUTF8Offset(in: bytes) {
            let line = lineNumber(atOffset: bad, in: bytes)
            var message = "line \(line), byte \(bad + 1): invalid UTF-8"
            if bad == 0, bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
                message += " (the file looks like UTF-16; save it as UTF-8)"
            }
            throw CSVError(line: line, description: message)
        }
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var parser = Parser(bytes: bytes, start: start)
        let records = try parser.run()
        guard let first = records.first else {
            throw CSVError(line: 1, description: "line 1: empty file: there is no header row")
        }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        return CSVTable(header: header, rows: Array(records.dropFirst()))
    }

    // MARK: - UTF-8 validation

    /// Returns the offset of the first byte of the first ill-formed UTF-8 sequence, or nil.
    /// Rejects overlong forms, surrogates and code points above U+10FFFF.
    static func firstInvalidUTF8Offset(in bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let trailing: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: trailing = 1
            case 0xE0: trailing = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: trailing = 2
            case 0xED: trailing = 2; high = 0x9F
            case 0xF0: trailing = 3; low = 0x90
            case 0xF1...0xF3: trailing = 3
            case 0xF4: trailing = 3; high = 0x8F
            default: return index
            }
            for step in 1...trailing {
                let position = index + step
                guard position < count else { return index }
                let byte = bytes[position]
                let range: ClosedRange<UInt8> = step == 1 ? low...high : 0x80...0xBF
                guard range.contains(byte) else { return index }
            }
            index += trailing + 1
        }
        return nil
    }

    /// The 1-based line containing `offset`, counting CRLF, LF and lone CR as line breaks.
    static func lineNumber(atOffset offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        var index = 0
        while index < offset && index < bytes.count {
            let byte = bytes[index]
            if byte == lf {
                line += 1
            } else if byte == cr {
                if index + 1 < offset && bytes[index + 1] == lf {
                    index += 1
                }
                line += 1
            }
            index += 1
        }
        return line
    }

    // MARK: - Parser

    private static let quote: UInt8 = 0x22
    private static let comma: UInt8 = 0x2C
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A
    private static let space: UInt8 = 0x20
    private static let tab: UInt8 = 0x09

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        case afterClosingQuote
    }

    /// A byte-level state machine; input is already known to be valid UTF-8, and every
    /// delimiter is ASCII, so multi-byte sequences are never split.
    private struct Parser {
        let bytes: [UInt8]
        var index: Int
        var line = 1
        var state = State.fieldStart
        var field: [UInt8] = []
        var fields: [String] = []
        var records: [CSVRecord] = []
        var recordLine = 1
        var recordHasContent = false
        var quoteLine = 1

        init(bytes: [UInt8], start: Int) {
            self.bytes = bytes
            self.index = start
        }

        mutating func run() throws -> [CSVRecord] {
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                switch state {
                case .fieldStart, .unquoted:
                    switch byte {
                    case CSVReader.quote:
                        let onlyBlanks = field.allSatisfy { $0 == CSVReader.space || $0 == CSVReader.tab }
                        guard state == .fieldStart || onlyBlanks else {
                            throw error("quote character inside an unquoted field (quote the whole field and double any quote inside it)")
                        }
                        markContent()
                        field.removeAll(keepingCapacity: true)
                        state = .quoted
                        quoteLine = line
                        index += 1
                    case CSVReader.comma:
                        markContent()
                        endField()
                        state = .fieldStart
                        index += 1
                    case CSVReader.cr, CSVReader.lf:
                        endRecord()
                        consumeLineBreak()
                    default:
                        markContent()
                        field.append(byte)
                        state = .unquoted
                        index += 1
                    }
                case .quoted:
                    switch byte {
                    case CSVReader.quote:
                        if index + 1 < count && bytes[index + 1] == CSVReader.quote {
                            field.append(CSVReader.quote)
                            index += 2
                        } else {
                            state = .afterClosingQuote
                            index += 1
                        }
                    case CSVReader.cr, CSVReader.lf:
                        field.append(CSVReader.lf)
                        consumeLineBreak()
                    default:
                        field.append(byte)
                        index += 1
                    }
                case .afterClosingQuote:
                    switch byte {
                    case CSVReader.comma:
                        endField()
                        state = .fieldStart
                        index += 1
                    case CSVReader.cr, CSVReader.lf:
                        endRecord()
                        consumeLineBreak()
                    case CSVReader.space, CSVReader.tab:
                        index += 1
                    default:
                        throw error("text after a closing quote (expected a comma or the end of the line)")
                    }
                }
            }
            if state == .quoted {
                throw CSVError(
                    line: quoteLine,
                    description: "line \(quoteLine): unbalanced quote: the quoted field opened here is never closed"
                )
            }
            if recordHasContent {
                endRecord()
            }
            return records
        }

        private func error(_ message: String) -> CSVError {
            CSVError(line: line, description: "line \(line): \(message)")
        }

        /// Consumes CRLF, LF or a lone CR at `index` and advances the line counter.
        private mutating func consumeLineBreak() {
            if bytes[index] == CSVReader.cr && index + 1 < bytes.count && bytes[index + 1] == CSVReader.lf {
                index += 2
            } else {
                index += 1
            }
            line += 1
        }

        private mutating func markContent() {
            if !recordHasContent {
                recordHasContent = true
                recordLine = line
            }
        }

        private mutating func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }

        private mutating func endRecord() {
            endField()
            if recordHasContent {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields = []
            recordHasContent = false
            state = .fieldStart
        }
    }
}
