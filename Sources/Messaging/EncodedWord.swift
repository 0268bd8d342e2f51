import Foundation
import SwitchboardBase

/// RFC 2047 encoded-words: how non-ASCII text (a Vietnamese subject, a display name) travels in
/// a header that must stay ASCII.
///
/// Encoding uses UTF-8 "B" (base64) words of at most 75 characters, cut only between characters
/// so no word holds half a UTF-8 sequence: a mail client that decodes words one by one still
/// shows every letter.
public enum EncodedWord {
    /// The longest encoded-word RFC 2047 allows, delimiters included.
    public static let maximumLength = 75
    /// The longest header line this encoder produces, CRLF excluded (RFC 5322's "SHOULD").
    public static let lineLimit = 78

    /// "=?UTF-8?B?" and "?=".
    private static let prefix = "=?UTF-8?B?"
    private static let overhead = 12

    /// Whether `text` must be encoded to go into an unstructured header: it has a non-ASCII or
    /// control character, or a "=?" a reader would take for the start of an encoded-word.
    public static func needsEncoding(_ text: String) -> Bool {
        if text.contains("=?") { return true }
        return text.unicodeScalars.contains { !$0.isASCII || ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }
    }

    /// Encodes a header value: returned unchanged when it is plain ASCII, otherwise as UTF-8
    /// B encoded-words joined by CRLF SP (folded, one word per line).
    ///
    /// - Parameters:
    ///   - text: The value, which must already have passed `HeaderSafety.check`.
    ///   - prefixLength: Columns taken on the first line before the value, e.g. 9 for
    ///     "Subject: ", so the first line also stays within 78 characters.
    public static func encode(_ text: String, prefixLength: Int = 0) -> String {
        guard needsEncoding(text) else { return text }
        let firstLimit = min(maximumLength, lineLimit - prefixLength)
        // One word must hold at least one 4-byte scalar: "=?UTF-8?B?" + 8 + "?=".
        if firstLimit < overhead + 8 {
            return "\r\n " + words(for: text).joined(separator: "\r\n ")
        }
        return words(for: text, firstWordLimit: firstLimit).joined(separator: "\r\n ")
    }

    /// Splits `text` into UTF-8 B encoded-words, each at most `maximumLength` characters and the
    /// first at most `firstWordLimit`, cut only on character (grapheme cluster) boundaries; a
    /// single character too long for one word is cut between Unicode scalars.
    public static func words(for text: String, firstWordLimit: Int = maximumLength) -> [String] {
        words(for: text, firstWordLimit: firstWordLimit, preferSpaces: false)
    }

    /// As `words(for:firstWordLimit:)`; with `preferSpaces` a full word ends just after the last
    /// space it holds when there is one, rather than in the middle of a word.
    ///
    /// Display names use it because some readers (Python's email package among them) keep the
    /// whitespace between adjacent encoded-words in a phrase, against RFC 2047 section 6.2:
    /// cutting after a space turns their mistake into a double space instead of a space inside
    /// a word, while compliant readers see exactly the text.
    static func words(for text: String, firstWordLimit: Int, preferSpaces: Bool) -> [String] {
        var words: [String] = []
        // The characters of the word being filled, as UTF-8, and their byte count.
        var pending: [[UInt8]] = []
        var pendingBytes = 0
        var limit = max(overhead + 8, min(firstWordLimit, maximumLength))

        func capacity() -> Int { (limit - overhead) / 4 * 3 }
        func emit(_ units: ArraySlice<[UInt8]>) {
            words.append(prefix + Data(units.joined()).base64EncodedString() + "?=")
            limit = maximumLength
        }
        func flush() {
            guard !pending.isEmpty else { return }
            if preferSpaces, let space = pending.lastIndex(of: [0x20]), space > 0, space < pending.count - 1 {
                emit(pending[...space])
                pending = Array(pending[(space + 1)...])
            } else {
                emit(pending[...])
                pending = []
            }
            pendingBytes = pending.reduce(0) { $0 + $1.count }
        }
        func append(_ unit: [UInt8]) {
            while pendingBytes + unit.count > capacity() && !pending.isEmpty { flush() }
            pending.append(unit)
            pendingBytes += unit.count
        }

        for character in text {
            let bytes = Array(String(character).utf8)
            let fitsNow = bytes.count <= capacity()
            let fitsNextWord = !pending.isEmpty && bytes.count <= (maximumLength - overhead) / 4 * 3
            if fitsNow || fitsNextWord {
                append(bytes)
                continue
            }
            // A grapheme longer than a word (long emoji or combining sequences): cut between scalars.
            for scalar in character.unicodeScalars {
                append(Array(String(scalar).utf8))
            }
        }
        if !pending.isEmpty { emit(pending[...]) }
        return words
    }

    /// Decodes the encoded-words in a header value (B and Q; UTF-8, ISO-8859-1 and US-ASCII),
    /// after unfolding. Whitespace between two adjacent encoded-words is dropped, as RFC 2047
    /// says; a malformed word or an unknown charset is left as it is.
    public static func decode(_ value: String) -> String {
        let bytes = Array(unfold(value).utf8)
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "="), let (word, end) = parseWord(bytes, at: index) {
                if !literal.isEmpty {
                    let onlySpace = literal.allSatisfy { $0 == 0x20 || $0 == 0x09 }
                    if !(onlySpace && pieces.last?.isEncoded == true) { pieces.append(.literal(literal)) }
                    literal = []
                }
                pieces.append(word)
                index = end
            } else {
                literal.append(bytes[index])
                index += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return render(pieces)
    }

    /// Removes CRLF (or a lone LF) that is followed by a space or tab: RFC 5322 unfolding.
    private static func unfold(_ value: String) -> String {
        var result: [UInt8] = []
        let bytes = Array(value.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D, index + 2 < bytes.count, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x20 || bytes[index + 2] == 0x09 {
                index += 2
                continue
            }
            if byte == 0x0A, index + 1 < bytes.count, bytes[index + 1] == 0x20 || bytes[index + 1] == 0x09 {
                index += 1
                continue
            }
            result.append(byte)
            index += 1
        }
        return String(decoding: result, as: UTF8.self)
    }

    private enum Piece {
        case literal([UInt8])
        case encoded(charset: String, bytes: [UInt8])

        var isEncoded: Bool {
            if case .encoded = self { return true }
            return false
        }
    }

    /// Parses "=?charset?X?text?=" starting at `start`; returns the decoded piece and the index after it.
    private static func parseWord(_ bytes: [UInt8], at start: Int) -> (Piece, Int)? {
        guard start + 1 < bytes.count, bytes[start + 1] == UInt8(ascii: "?") else { return nil }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var index = start + 2
        var charset: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "?"), !isSpace(bytes[index]) {
            charset.append(bytes[index])
            index += 1
        }
        guard !charset.isEmpty, index + 2 < bytes.count, bytes[index] == UInt8(ascii: "?"),
            bytes[index + 2] == UInt8(ascii: "?")
        else { return nil }
        let encoding = bytes[index + 1] | 0x20
        index += 3
        var text: [UInt8] = []
        while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "?") && bytes[index + 1] == UInt8(ascii: "=")) {
            if isSpace(bytes[index]) { return nil }
            text.append(bytes[index])
            index += 1
        }
        guard index + 1 < bytes.count else { return nil }
        // RFC 2231 allows "charset*language"; the language is not needed to decode.
        let name = String(decoding: charset, as: UTF8.self).split(separator: "*").first.map(String.init) ?? ""
        guard supportedCharsets.contains(name.lowercased()) else { return nil }
        let decoded: [UInt8]?
        switch encoding {
        case UInt8(ascii: "b"): decoded = decodeBase64(text)
        case UInt8(ascii: "q"): decoded = decodeQ(text)
        default: decoded = nil
        }
        guard let decoded else { return nil }
        return (.encoded(charset: name.lowercased(), bytes: decoded), index + 2)
    }

    private static let supportedCharsets: Set<String> = ["utf-8", "utf8", "iso-8859-1", "latin1", "us-ascii"]

    private static func decodeBase64(_ text: [UInt8]) -> [UInt8]? {
        var padded = String(decoding: text, as: UTF8.self)
        // Some encoders drop the padding; Foundation insists on it.
        while padded.utf8.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded).map { Array($0) }
    }

    private static func decodeQ(_ text: [UInt8]) -> [UInt8]? {
        var result: [UInt8] = []
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                result.append(0x20)
                index += 1
            } else if byte == UInt8(ascii: "=") {
                guard index + 2 < text.count, let value = hexByte(text[index + 1], text[index + 2]) else { return nil }
                result.append(value)
                index += 3
            } else {
                result.append(byte)
                index += 1
            }
        }
        return result
    }

    /// The byte written as two hexadecimal digits, or nil.
    static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        guard let high = value(high), let low = value(low) else { return nil }
        return high << 4 | low
    }

    /// Joins the pieces; adjacent encoded pieces in one charset are joined as bytes first, so a
    /// character split across two words by a careless encoder still comes out whole.
    private static func render(_ pieces: [Piece]) -> String {
        var result = ""
        var pendingCharset: String?
        var pendingBytes: [UInt8] = []
        func flush() {
            guard let charset = pendingCharset else { return }
            result += decodeCharset(pendingBytes, charset: charset)
            pendingCharset = nil
            pendingBytes = []
        }
        for piece in pieces {
            switch piece {
            case .literal(let bytes):
                flush()
                result += String(decoding: bytes, as: UTF8.self)
            case .encoded(let charset, let bytes):
                if pendingCharset != charset { flush() }
                pendingCharset = charset
                pendingBytes += bytes
            }
        }
        flush()
        return result
    }

    private static func decodeCharset(_ bytes: [UInt8], charset: String) -> String {
        switch charset {
        case "utf-8", "utf8":
            return String(decoding: bytes, as: UTF8.self)
        default:
            // ISO-8859-1 maps each byte to the code point of the same value; US-ASCII is a subset.
            var text = ""
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        }
    }
}
