import Foundation
import SwitchboardTestSupport
import Testing

@testable import Messaging
import SwitchboardBase

/// Helpers shared by the Messaging tests: a small MIME reader and the python3 cross-check.
enum TestSupport {
    /// The repository's Templates/mail folder, found from this file's path.
    static var templateFolder: String { Repository.path("Templates/mail") }

    /// A fresh empty folder under the temporary directory.
    static func makeTemporaryFolder() throws -> String {
        try ScratchFolder.make("messaging-tests")
    }

    /// Writes `files` (name to content) into a new temporary folder and returns its path.
    static func folder(with files: [String: String]) throws -> String {
        let folder = try makeTemporaryFolder()
        for (name, content) in files {
            try content.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// Indices of CR not followed by LF and of LF not preceded by CR.
    static func bareLineBreaks(in text: String) -> [Int] {
        let bytes = Array(text.utf8)
        var found: [Int] = []
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0D && (index + 1 >= bytes.count || bytes[index + 1] != 0x0A) { found.append(index) }
            if byte == 0x0A && (index == 0 || bytes[index - 1] != 0x0D) { found.append(index) }
        }
        return found
    }

    /// Physical lines of a CRLF text (split on CRLF only, so a bare LF would stay visible).
    static func lines(_ text: String) -> [String] {
        text.components(separatedBy: "\r\n")
    }

    /// Text with every line break written as CRLF, as the renderer sends it.
    static func crlf(_ text: String) -> String {
        QuotedPrintable.lines(of: text).joined(separator: "\r\n")
    }

    /// A MIME entity as read back: raw header lines (folded as sent) and the body.
    struct Entity {
        /// Header blocks, each a header with its continuation lines, as sent.
        let rawHeaders: [String]
        /// The body after the blank line.
        let body: String

        /// Splits a rendered entity at the first blank line.
        init(_ text: String) {
            let separator = text.range(of: "\r\n\r\n")
            let head = separator.map { String(text[..<$0.lowerBound]) } ?? text
            body = separator.map { String(text[$0.upperBound...]) } ?? ""
            var blocks: [String] = []
            for line in head.components(separatedBy: "\r\n") {
                if line.hasPrefix(" ") || line.hasPrefix("\t"), let last = blocks.popLast() {
                    blocks.append(last + "\r\n" + line)
                } else {
                    blocks.append(line)
                }
            }
            rawHeaders = blocks
        }

        /// The raw (folded) header block named `name`, e.g. "Subject: =?UTF-8?B?…?=\r\n =?…".
        func rawHeader(_ name: String) -> String? {
            rawHeaders.first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
        }

        /// The unfolded value of header `name`, without the name.
        func header(_ name: String) -> String? {
            guard let raw = rawHeader(name) else { return nil }
            let value = raw.dropFirst(name.count + 1)
            return value.replacingOccurrences(of: "\r\n", with: "").trimmingCharacters(in: .whitespaces)
        }

        /// The boundary parameter of a multipart Content-Type.
        var boundary: String? {
            guard let type = header("Content-Type"), let range = type.range(of: "boundary=\"") else { return nil }
            let rest = type[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }

        /// The parts of a multipart body, split on its boundary; nil when the delimiters are wrong.
        var parts: [Entity]? {
            guard let boundary else { return nil }
            let delimiter = "--" + boundary
            var sections = ("\r\n" + body).components(separatedBy: "\r\n" + delimiter)
            guard sections.count >= 3 else { return nil }
            sections.removeFirst()  // preamble (empty)
            guard let closing = sections.popLast(), closing.hasPrefix("--") else { return nil }
            var parts: [Entity] = []
            for section in sections {
                // Scalars, not Characters: Swift counts CRLF as one Character.
                guard section.unicodeScalars.starts(with: "\r\n".unicodeScalars) else { return nil }
                parts.append(Entity(String(section.unicodeScalars.dropFirst(2))))
            }
            return parts
        }

        /// The body decoded from its Content-Transfer-Encoding, as UTF-8 text.
        var decodedText: String {
            switch header("Content-Transfer-Encoding")?.lowercased() {
            case "quoted-printable": String(decoding: QuotedPrintable.decode(body), as: UTF8.self)
            case "base64": String(decoding: Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: "")) ?? Data(), as: UTF8.self)
            default: body
            }
        }
    }

    /// What Python's email package (policy.default) reads from a rendered message. Text
    /// content keeps the CRLF line breaks as sent.
    struct PythonView: Decodable {
        struct Part: Decodable {
            let type: String
            let content: String?
            let base64: String?
            let filename: String?
            let params: [String: String]
        }

        let subject: String
        let from: [[String]]
        let to: [[String]]
        let cc: [[String]]
        let date: String
        let messageID: String
        let parts: [Part]
        let defects: [String]
        let text: String?
        let html: String?
    }

    private static let pythonScript = """
        import base64, email, json, sys
        from email import policy
        m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
        def addrs(name):
            header = m[name]
            return [[a.display_name, a.addr_spec] for a in header.addresses] if header is not None else []
        defects = [type(d).__name__ + ": " + str(d) for part in m.walk() for d in part.defects]
        for part in m.walk():
            for key, value in part.items():
                defects += [key + ": " + type(d).__name__ for d in getattr(value, "defects", [])]
        parts = []
        for part in m.walk():
            entry = {"type": part.get_content_type(), "content": None, "base64": None,
                     "filename": part.get_filename(), "params": {k: v for k, v in part.get_params() or []}}
            if not part.is_multipart():
                if part.get_content_maintype() == "text":
                    entry["content"] = part.get_content()
                else:
                    entry["base64"] = base64.b64encode(part.get_content()).decode()
            parts.append(entry)
        plain = m.get_body(("plain",))
        html = m.get_body(("html",))
        print(json.dumps({
            "subject": str(m["subject"]), "from": addrs("from"), "to": addrs("to"), "cc": addrs("cc"),
            "date": str(m["date"]), "messageID": str(m["message-id"]), "parts": parts, "defects": defects,
            "text": plain.get_content() if plain is not None else None,
            "html": html.get_content() if html is not None else None,
        }))
        """

    /// Parses `message` with python3's email package and returns what it read.
    static func python(_ message: String) throws -> PythonView {
        let data = Data(try python(script: pythonScript, stdin: message).utf8)
        return try JSONDecoder().decode(PythonView.self, from: data)
    }

    /// Runs a python3 script through the shared process runner; throws with its stderr when it fails.
    static func python(script: String, arguments: [String] = [], stdin: String? = nil) throws -> String {
        let run = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script] + arguments, stdin: stdin)
        guard run.status == 0 else {
            throw TestSetupError("python3 failed (exit \(run.status)); install it with `apt-get install -y python3` if missing: \(run.stderr.prefix(500))")
        }
        return run.stdout
    }
}
