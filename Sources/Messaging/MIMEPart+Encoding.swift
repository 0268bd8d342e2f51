import Foundation
import SwitchboardBase

extension MIMEPart {
    /// The part's headers and encoded body (CRLF lines, no final CRLF), after checking that the
    /// content type is well formed and the content can travel in the chosen transfer encoding.
    func encoded(field: String) throws -> MIMEEntity {
        try Self.checkContentType(contentType, field: field)
        var headers: [(String, String)] = [
            ("Content-Type", contentType),
            ("Content-Transfer-Encoding", transferEncoding.rawValue),
        ]
        if let disposition {
            headers.append(("Content-Disposition", try Self.dispositionValue(disposition, field: field)))
        }
        return .leaf(headers: headers, body: try encodedBody(field: field))
    }

    private func encodedBody(field: String) throws -> String {
        switch (content, transferEncoding) {
        case (.text(let text), .quotedPrintable):
            return QuotedPrintable.encode(text)
        case (.data(let data), .quotedPrintable):
            return QuotedPrintable.encode(data)
        case (.text(let text), .base64):
            return Self.base64Lines(Data(QuotedPrintable.lines(of: text).joined(separator: "\r\n").utf8))
        case (.data(let data), .base64):
            return Self.base64Lines(data)
        case (.text(let text), .sevenBit):
            let lines = QuotedPrintable.lines(of: text)
            try Self.checkSevenBit(lines, field: field)
            return lines.joined(separator: "\r\n")
        case (.data(let data), .sevenBit):
            let text = String(decoding: data, as: UTF8.self)
            let lines = QuotedPrintable.lines(of: text)
            // Bytes are sent exactly, so the only line breaks allowed are CRLF pairs.
            guard lines.joined(separator: "\r\n").utf8.elementsEqual(data) else {
                throw MessageError(
                    .invalidBody, field: field,
                    "\(field) is 7bit but is not ASCII text with CRLF line breaks; use quoted-printable or base64"
                )
            }
            try Self.checkSevenBit(lines, field: field)
            return text
        }
    }

    private static func checkSevenBit(_ lines: [String], field: String) throws {
        for line in lines {
            if line.unicodeScalars.contains(where: { !$0.isASCII || $0 == "\0" }) {
                throw MessageError(
                    .invalidBody, field: field,
                    "\(field) is 7bit but holds a non-ASCII or NUL character; use quoted-printable or base64"
                )
            }
            if line.utf8.count > 998 {
                throw MessageError(
                    .invalidBody, field: field,
                    "\(field) is 7bit but has a line longer than 998 characters; use quoted-printable or base64"
                )
            }
        }
    }

    /// Base64 in lines of 76 characters joined by CRLF.
    static func base64Lines(_ data: Data) -> String {
        let encoded = Array(data.base64EncodedString().utf8)
        var lines: [String] = []
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            lines.append(String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// RFC 2045 tspecials, which may not appear in a type or subtype token.
    private static let tspecials = Set("()<>@,;:\\\"/[]?=".unicodeScalars)

    private static func checkContentType(_ value: String, field: String) throws {
        try HeaderSafety.check(value, field: "\(field) content type")
        func invalid(_ reason: String) -> MessageError {
            MessageError(
                .invalidContentType, field: field,
                "\(field) content type \(Quoting.quoted(value)) \(reason); write it as type/subtype; parameters, "
                    + "e.g. text/calendar; charset=UTF-8; method=REQUEST"
            )
        }
        guard value.unicodeScalars.allSatisfy({ $0.isASCII && ($0.value >= 0x20 || $0 == "\t") }) else {
            throw invalid("is not plain ASCII")
        }
        let mediaType = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let pieces = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        let isToken = { (piece: Substring) in
            !piece.isEmpty && piece.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !tspecials.contains($0) }
        }
        guard pieces.count == 2, isToken(pieces[0]), isToken(pieces[1]) else {
            throw invalid("is not of the form type/subtype")
        }
        if pieces[0].lowercased() == "multipart" || pieces[0].lowercased() == "message" {
            throw invalid("is a container type; the renderer builds multipart structure itself")
        }
    }

    private static func dispositionValue(_ disposition: Disposition, field: String) throws -> String {
        switch disposition {
        case .inline:
            return "inline"
        case .attachment(let filename):
            try HeaderSafety.check(filename, field: "\(field) file name")
            let plain = filename.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
            if plain {
                let escaped = filename.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                return "attachment; filename=\"\(escaped)\""
            }
            // RFC 2231: filename*=UTF-8''percent-encoded bytes, understood by current clients.
            let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
            var encoded = ""
            for byte in filename.utf8 {
                if unreserved.contains(byte) {
                    encoded.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
            }
            return "attachment; filename*=UTF-8''\(encoded)"
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
