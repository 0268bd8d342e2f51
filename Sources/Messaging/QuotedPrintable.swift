public import Foundation
import SwitchboardBase

/// RFC 2045 quoted-printable, the transfer encoding for text bodies: readable where it is ASCII,
/// exact for every UTF-8 byte, and safe through any mail relay.
///
/// Lines are at most 76 characters (soft line breaks "=" before that), "=" and trailing
/// whitespace are encoded, and a line starting with "." or "From " has that first character
/// encoded, so neither an SMTP server nor an mbox file can change it.
public enum QuotedPrintable {
    /// The longest encoded line, soft-break "=" included and CRLF excluded.
    public static let lineLimit = 76

    /// Encodes text; every line break (CRLF, CR or LF) becomes a CRLF hard line break.
    /// The result has CRLF line endings only.
    public static func encode(_ text: String) -> String {
        lines(of: text)
            .map { line in encodeLine(line.unicodeScalars.map { Array(String($0).utf8) }) }
            .joined(separator: "\r\n")
    }

    /// Encodes binary data: CR and LF bytes are data here, written as =0D and =0A.
    public static func encode(_ data: Data) -> String {
        encodeLine(data.map { [$0] })
    }

    /// Decodes quoted-printable text: soft line breaks are removed, hard line breaks become CRLF,
    /// trailing transport whitespace is dropped, and a stray "=" is kept as it is.
    public static func decode(_ encoded: String) -> Data {
        var output: [UInt8] = []
        let bytes = Array(encoded.utf8)
        var rawLines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                let end = index > start && bytes[index - 1] == 0x0D ? index - 1 : index
                rawLines.append(bytes[start..<end])
                start = index + 1
            }
            index += 1
        }
        rawLines.append(bytes[start..<bytes.count])

        for (number, rawLine) in rawLines.enumerated() {
            var line = rawLine
            while let last = line.last, last == 0x20 || last == 0x09 { line = line.dropLast() }
            var soft = false
            if line.last == UInt8(ascii: "=") {
                soft = true
                line = line.dropLast()
            }
            var position = line.startIndex
            while position < line.endIndex {
                let byte = line[position]
                if byte == UInt8(ascii: "="), position + 2 < line.endIndex,
                    let value = EncodedWord.hexByte(line[position + 1], line[position + 2])
                {
                    output.append(value)
                    position += 3
                } else {
                    output.append(byte)
                    position += 1
                }
            }
            if !soft && number < rawLines.count - 1 {
                output += [0x0D, 0x0A]
            }
        }
        return Data(output)
    }

    /// Splits text into lines on CRLF, CR or LF, working on scalars because Swift treats CRLF
    /// as a single Character.
    static func lines(of text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if scalar == "\r" || scalar == "\n" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        lines.append(String(current))
        return lines
    }

    /// Encodes one hard line given as units (the bytes of one scalar, or one byte), never
    /// splitting a unit across a soft line break.
    private static func encodeLine(_ units: [[UInt8]]) -> String {
        var physicalLines: [String] = []
        var current = ""
        var currentLength = 0
        for (index, unit) in units.enumerated() {
            let isLast = index == units.count - 1
            let startsFrom = unit == [UInt8(ascii: "F")] && index + 4 < units.count
                && units[(index + 1)...(index + 4)].elementsEqual([[0x72], [0x6F], [0x6D], [0x20]])
            var token = self.token(unit, atLineStart: currentLength == 0, isLast: isLast, startsFrom: startsFrom)
            // The last unit needs no room for a soft break after it.
            let limit = isLast ? lineLimit : lineLimit - 1
            if currentLength + token.utf8.count > limit {
                physicalLines.append(current + "=")
                current = ""
                currentLength = 0
                token = self.token(unit, atLineStart: true, isLast: isLast, startsFrom: startsFrom)
            }
            current += token
            currentLength += token.utf8.count
        }
        physicalLines.append(current)
        return physicalLines.joined(separator: "\r\n")
    }

    private static func token(_ unit: [UInt8], atLineStart: Bool, isLast: Bool, startsFrom: Bool) -> String {
        if unit.count == 1 {
            let byte = unit[0]
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "F"):
                let mustEncode = atLineStart && (byte == UInt8(ascii: ".") || startsFrom)
                if !mustEncode { return String(UnicodeScalar(byte)) }
            case 0x20, 0x09:
                if !isLast { return String(UnicodeScalar(byte)) }
            case 33...126 where byte != UInt8(ascii: "="):
                return String(UnicodeScalar(byte))
            default:
                break
            }
        }
        return unit.map { hex($0) }.joined()
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func hex(_ byte: UInt8) -> String {
        String(decoding: [UInt8(ascii: "="), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
