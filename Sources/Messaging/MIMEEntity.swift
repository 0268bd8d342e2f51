import SwitchboardBase

/// A MIME entity ready to write: a leaf with encoded body, or a multipart of entities.
indirect enum MIMEEntity {
    /// Headers (already checked, not yet folded) and a body of CRLF lines without a final CRLF.
    case leaf(headers: [(String, String)], body: String)
    /// A multipart/SUBTYPE whose boundary is chosen when written.
    case multipart(subtype: String, parts: [MIMEEntity])

    /// Writes the entity as its headers (unfolded) and its body text.
    ///
    /// A boundary is drawn from `makeBoundary` until one occurs in none of the parts; with
    /// random boundaries the first draw nearly always fits, and the check makes it certain.
    func written(makeBoundary: () -> String) -> (headers: [(String, String)], body: String) {
        switch self {
        case .leaf(let headers, let body):
            return (headers, body)
        case .multipart(let subtype, let parts):
            let texts = parts.map { part in
                let (headers, body) = part.written(makeBoundary: makeBoundary)
                return headers.map { HeaderFolding.fold(name: $0.0, value: $0.1) }.joined(separator: "\r\n")
                    + "\r\n\r\n" + body
            }
            var boundary = makeBoundary()
            while texts.contains(where: { $0.contains(boundary) }) {
                boundary = makeBoundary()
            }
            var body = ""
            for text in texts {
                body += "--" + boundary + "\r\n" + text + "\r\n"
            }
            body += "--" + boundary + "--"
            return ([("Content-Type", "multipart/\(subtype); boundary=\"\(boundary)\"")], body)
        }
    }
}
