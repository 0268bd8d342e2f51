public import Foundation
public import SwitchboardBase

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
        var stream = try CSVRecordStream(data: data, chunkSize: max(data.count, 1))
        var rows: [CSVRecord] = []
        while let record = try stream.next() { rows.append(record) }
        return CSVTable(header: stream.header, rows: rows)
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

    fileprivate static let quote: UInt8 = 0x22
    fileprivate static let comma: UInt8 = 0x2C
    fileprivate static let cr: UInt8 = 0x0D
    fileprivate static let lf: UInt8 = 0x0A
    fileprivate static let space: UInt8 = 0x20
    fileprivate static let tab: UInt8 = 0x09

    fileprivate enum State {
        case fieldStart
        case unquoted
        case quoted
        case afterClosingQuote
    }

    /// A byte-level state machine fed one chunk at a time; input is already known to be valid
    /// UTF-8, and every delimiter is ASCII, so multi-byte sequences are never split. Only a CR (which
    /// may start a CRLF) and a quote in a quoted field (which may start a doubled quote) need the
    /// next byte: at the end of a chunk that is not the last, they are handed back to come again
    /// at the start of the next one.
    fileprivate struct Parser {
        var bytes: [UInt8] = []
        var index = 0
        var line = 1
        var state = State.fieldStart
        var field: [UInt8] = []
        var fields: [String] = []
        var records: [CSVRecord] = []
        var recordLine = 1
        var recordHasContent = false
        var quoteLine = 1

        /// Parses `chunk` from `start`, appending complete records to `records`; returns the bytes
        /// left for the next chunk (none when `final`).
        mutating func feed(_ chunk: [UInt8], from start: Int, final: Bool) throws -> ArraySlice<UInt8> {
            bytes = chunk
            index = start
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if !final, index == count - 1, byte == CSVReader.cr || (byte == CSVReader.quote && state == .quoted) {
                    return bytes[index...]
                }
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
            guard final else { return [] }
            if state == .quoted {
                throw CSVError(
                    line: quoteLine,
                    description: "line \(quoteLine): unbalanced quote: the quoted field opened here is never closed"
                )
            }
            if recordHasContent {
                endRecord()
            }
            return []
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

/// Reads a CSV file one record at a time, holding one chunk of the file and the records parsed
/// from it, never the whole file: the memory of an import is bounded by the chunk, not the file.
///
/// Same rules and errors as ``CSVReader/parse(_:)`` (which is this stream with one chunk), with
/// one difference for a file with several problems: a chunk is checked for UTF-8 just before it
/// is parsed, so a syntax error in an earlier chunk is reported before invalid UTF-8 in a later one.
public struct CSVRecordStream {
    /// The column names from the first record, each trimmed of surrounding spaces.
    public private(set) var header: [String] = []

    private let read: () throws -> [UInt8]?
    private var parser = CSVReader.Parser()
    /// Bytes carried to the next chunk: the parser's lookahead byte and an incomplete UTF-8 sequence.
    private var carried: [UInt8] = []
    /// The file offset of the first byte of `carried` (for the byte position of a UTF-8 error).
    private var offset = 0
    private var started = false
    private var finished = false
    private var queue: [CSVRecord] = []
    private var queueIndex = 0

    /// A stream over the file at `path`, read `chunkSize` bytes at a time.
    public init(path: String, chunkSize: Int = 1 << 20) throws {
        let file = try ChunkedFile(path: path)
        read = { try file.read(max(chunkSize, 1)) }
        try readHeader()
    }

    /// A stream over bytes already in memory, `chunkSize` at a time.
    public init(data: Data, chunkSize: Int = 1 << 20) throws {
        var position = data.startIndex
        let size = max(chunkSize, 1)
        read = {
            guard position < data.endIndex else { return nil }
            let end = data.index(position, offsetBy: size, limitedBy: data.endIndex) ?? data.endIndex
            defer { position = end }
            return [UInt8](data[position..<end])
        }
        try readHeader()
    }

    /// The next data record, or nil at the end of the file.
    public mutating func next() throws -> CSVRecord? {
        while queueIndex == queue.count {
            guard !finished else { return nil }
            try fill()
        }
        defer { queueIndex += 1 }
        return queue[queueIndex]
    }

    private mutating func readHeader() throws {
        guard let first = try next() else {
            throw CSVError(line: 1, description: "line 1: empty file: there is no header row")
        }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Reads, checks and parses the next chunk into `queue`.
    private mutating func fill() throws {
        var buffer = carried
        var final = false
        // The first buffer holds at least 3 bytes (or the whole file), to recognize a BOM.
        repeat {
            if let chunk = try read() { buffer += chunk } else { final = true }
        } while !final && (!started && buffer.count < 3 || buffer.isEmpty)
        // Keep an incomplete UTF-8 sequence at the end for the next chunk.
        let checked = final ? buffer.count : Self.completeUTF8Prefix(buffer)
        if let bad = CSVReader.firstInvalidUTF8Offset(in: Array(buffer[..<checked])) {
            let line = parser.line + CSVReader.lineNumber(atOffset: bad, in: buffer) - 1
            var message = "line \(line), byte \(offset + bad + 1): invalid UTF-8"
            if offset + bad == 0, buffer.starts(with: [0xFF, 0xFE]) || buffer.starts(with: [0xFE, 0xFF]) {
                message += " (the file looks like UTF-16; save it as UTF-8)"
            }
            throw CSVError(line: line, description: message)
        }
        var start = 0
        if !started {
            started = true
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        }
        let tail = buffer[checked...]
        let left = try parser.feed(Array(buffer[..<checked]), from: start, final: final)
        offset += checked - left.count
        carried = Array(left) + tail
        queue = parser.records
        queueIndex = 0
        parser.records.removeAll(keepingCapacity: true)
        finished = final
    }

    /// The length of `bytes` without an incomplete multi-byte sequence at its end.
    static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
        var start = bytes.count
        // Back over up to three continuation bytes to the lead byte of the last sequence.
        while start > 0, bytes.count - start < 3, bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        guard start > 0 else { return bytes.count }
        let lead = bytes[start - 1]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return bytes.count - (start - 1) < length ? start - 1 : bytes.count
    }
}

/// A file read in chunks with read(2), closed when the last reference goes.
private final class ChunkedFile {
    let descriptor: Int32
    let path: String

    init(path: String) throws {
        // Opened with the caller's rights: a set-gid tool must not read its group's files for them.
        descriptor = try CallerIdentity.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw InputFileError(path: path, problem: "cannot be read: \(String(cString: strerror(errno))) (check the path and its permissions)")
        }
        self.path = path
    }

    deinit { close(descriptor) }

    func read(_ size: Int) throws -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: size)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, size) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                throw InputFileError(path: path, problem: "cannot be read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return nil }
            chunk.removeLast(size - count)
            return chunk
        }
    }
}
