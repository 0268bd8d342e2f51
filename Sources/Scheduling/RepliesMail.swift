import Foundation
import Messaging

/// The parts of a fetched mail message that `meetctl replies sync` needs: who sent it, and the
/// text of every iCalendar part in it.
///
/// Calendar clients package replies differently: `text/calendar; method=REPLY` inside a
/// `multipart/alternative`, the same without `method=`, `application/ics` as an attachment,
/// base64, quoted-printable or 8-bit. Every leaf part is looked at, whatever its type says, and
/// kept when its decoded text is a VCALENDAR.
struct ReplyMail: Sendable, Equatable {
    /// The From address (lower-case, no display name), or empty.
    var from: String
    /// The envelope sender the delivering server recorded (Return-Path), or empty.
    var envelope: String
    /// The Message-ID without angle brackets, or empty.
    var messageID: String
    /// The decoded text of each calendar part, in message order.
    var calendars: [String]

    /// The deepest multipart nesting looked into: real replies have two or three levels.
    static let maxDepth = 8

    /// Reads a raw message (CRLF or LF line ends).
    init(raw: String) {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let (headers, body) = Self.split(Substring(normalized))
        from = Self.address(in: headers.value("from") ?? "")
        envelope = Self.address(in: headers.value("return-path") ?? "")
        messageID = (headers.value("message-id") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
        var found: [String] = []
        Self.collect(headers: headers, body: body, depth: 0, into: &found)
        calendars = found
    }

    /// A message's or part's header fields, unfolded; names lower-cased.
    struct Headers {
        var fields: [(name: String, value: String)] = []

        /// The first field of this name.
        func value(_ name: String) -> String? {
            fields.first { $0.name == name }?.value
        }
    }

    /// Headers and body of an entity: the headers end at the first empty line.
    static func split(_ text: Substring) -> (Headers, Substring) {
        var headers = Headers()
        var rest = text[...]
        var current: (String, String)?
        while true {
            let lineEnd = rest.firstIndex(of: "\n") ?? rest.endIndex
            let line = rest[rest.startIndex..<lineEnd]
            rest = lineEnd == rest.endIndex ? rest[lineEnd...] : rest[rest.index(after: lineEnd)...]
            if line.isEmpty || line.allSatisfy({ $0 == "\r" }) { break }
            if line.first == " " || line.first == "\t" {
                if let open = current { current = (open.0, open.1 + " " + line.trimmingCharacters(in: .whitespaces)) }
            } else if let colon = line.firstIndex(of: ":") {
                if let open = current { headers.fields.append((name: open.0, value: open.1)) }
                current = (line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                           line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            if rest.isEmpty { break }
        }
        if let open = current { headers.fields.append((name: open.0, value: open.1)) }
        return (headers, rest)
    }

    /// `text/calendar; method=REPLY; charset="utf-8"` as a lower-cased type and its parameters
    /// (names lower-cased, values unquoted).
    static func contentType(_ value: String) -> (type: String, parameters: [String: String]) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for character in value {
            if character == "\"" { quoted.toggle(); continue }
            if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        let type = (pieces.first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            parameters[name] = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return (type.isEmpty ? "text/plain" : type, parameters)
    }

    private static func collect(headers: Headers, body: Substring, depth: Int, into found: inout [String]) {
        let (type, parameters) = contentType(headers.value("content-type") ?? "text/plain")
        if type.hasPrefix("multipart/") {
            guard depth < maxDepth, let boundary = parameters["boundary"], !boundary.isEmpty else { return }
            for part in parts(of: body, boundary: boundary) {
                let (partHeaders, partBody) = split(part)
                collect(headers: partHeaders, body: partBody, depth: depth + 1, into: &found)
            }
            return
        }
        if type == "message/rfc822" {
            // A forwarded reply is not the attendee's answer to this mailbox.
            return
        }
        let encoding = (headers.value("content-transfer-encoding") ?? "7bit").trimmingCharacters(in: .whitespaces).lowercased()
        let data: Data
        switch encoding {
        case "base64":
            let compact = body.filter { !$0.isWhitespace }
            guard let decoded = Data(base64Encoded: String(compact), options: .ignoreUnknownCharacters) else { return }
            data = decoded
        case "quoted-printable":
            data = QuotedPrintable.decode(String(body))
        default:
            data = Data(body.utf8)
        }
        let charset = (parameters["charset"] ?? "utf-8").lowercased()
        var text: String
        if charset == "utf-8" || charset == "us-ascii" || charset == "utf8" {
            text = String(decoding: data, as: UTF8.self)
        } else if charset == "iso-8859-1" || charset == "latin1" || charset == "windows-1252" {
            text = String(data: data, encoding: .isoLatin1) ?? String(decoding: data, as: UTF8.self)
        } else {
            text = String(decoding: data, as: UTF8.self)
        }
        // CRLF line ends whatever the part's encoding kept (8-bit parts lost their CRs above).
        text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let calendarType = type == "text/calendar" || type == "application/ics" || type == "text/x-vcalendar"
        let head = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.prefix(15).uppercased()
        if calendarType || head.hasPrefix("BEGIN:VCALENDAR") {
            // Thunderbird sends the same calendar inline and as invite.ics: one answer.
            guard head.hasPrefix("BEGIN:VCALENDAR"), !found.contains(text) else { return }
            found.append(text)
        }
    }

    /// The bodies between `--boundary` lines, up to `--boundary--`.
    private static func parts(of body: Substring, boundary: String) -> [Substring] {
        let delimiter = "--" + boundary
        var result: [Substring] = []
        var start: Substring.Index?
        var index = body.startIndex
        while index < body.endIndex {
            let lineEnd = body[index...].firstIndex(of: "\n") ?? body.endIndex
            let line = body[index..<lineEnd].trimmingCharacters(in: CharacterSet(charactersIn: " \t\r"))
            if line == delimiter || line == delimiter + "--" {
                if let open = start {
                    // The line break before the delimiter belongs to the delimiter.
                    var end = index
                    if end > open, body[body.index(before: end)] == "\n" { end = body.index(before: end) }
                    result.append(body[open..<end])
                }
                if line == delimiter + "--" { return result }
                start = lineEnd == body.endIndex ? lineEnd : body.index(after: lineEnd)
            }
            index = lineEnd == body.endIndex ? lineEnd : body.index(after: lineEnd)
        }
        // No closing delimiter (a truncated message): keep what was complete.
        return result
    }

    /// The bare address of a From value: `"Bình" <binh@x.vn>` or `binh@x.vn`.
    static func address(in value: String) -> String {
        if let open = value.lastIndex(of: "<"), let close = value[open...].firstIndex(of: ">") {
            return value[value.index(after: open)..<close].trimmingCharacters(in: .whitespaces).lowercased()
        }
        return value.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
