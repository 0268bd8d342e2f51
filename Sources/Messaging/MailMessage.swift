public import Foundation
import SwitchboardBase

/// An e-mail to send: addresses, subject, a text body, and optionally an HTML body, further
/// alternative parts (a calendar invitation) and attachments.
///
/// `render()` turns it into RFC 5322 text with CRLF line endings, 7-bit clean, ready for SMTP.
/// Every header value is checked by `HeaderSafety` first, so a line break smuggled into a name
/// or subject stops the message instead of adding headers to it.
public struct MailMessage: Sendable {
    /// The author.
    public var from: Mailbox
    /// The main recipients.
    public var to: [Mailbox]
    /// Recipients in copy.
    public var cc: [Mailbox]
    /// Where replies should go, when not to `from` (e.g. the helpdesk's shared mailbox).
    public var replyTo: Mailbox?
    /// The subject, any Unicode; encoded as RFC 2047 words when not ASCII.
    public var subject: String
    /// The Message-ID, `<unique@domain>`; see `makeMessageID(domain:)`.
    public var messageID: String
    /// When the message was written, for the Date header.
    public var date: Date
    /// The time zone the Date header is written in (its offset, e.g. +0700).
    public var timeZone: TimeZone
    /// The plain text body; always sent, first, so every client can show something.
    public var textBody: String
    /// The HTML body, sent as the second alternative when present.
    public var htmlBody: String?
    /// Further headers, e.g. ("Auto-Submitted", "auto-generated"); names must be RFC 5322 field
    /// names and not ones the renderer writes itself (From, To, Subject, Content-Type, …).
    public var extraHeaders: [(String, String)]
    /// Further alternatives after text and HTML, e.g. `text/calendar; charset=UTF-8; method=REQUEST`.
    public var alternativeParts: [MIMEPart]
    /// Attachments, after the body in multipart/mixed.
    public var attachments: [MIMEPart]

    /// A message with a fresh Message-ID on the sender's domain, dated now.
    public init(
        from: Mailbox,
        to: [Mailbox],
        cc: [Mailbox] = [],
        replyTo: Mailbox? = nil,
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        date: Date = Date(),
        timeZone: TimeZone = .current,
        messageID: String? = nil
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.date = date
        self.timeZone = timeZone
        self.messageID = messageID ?? Self.makeMessageID(domain: from.address.domain)
        self.extraHeaders = []
        self.alternativeParts = []
        self.attachments = []
    }

    /// A new globally unique Message-ID: `<uuid@domain>`.
    public static func makeMessageID(domain: String) -> String {
        "<\(UUID().uuidString.lowercased())@\(domain)>"
    }

    /// Renders the message as RFC 5322 text: CRLF line endings only, headers folded at 78
    /// characters, non-ASCII header text in RFC 2047 words, bodies quoted-printable, so the
    /// whole message is 7-bit ASCII and ends with CRLF.
    ///
    /// Text alone is a text/plain part; with HTML or alternative parts it becomes
    /// multipart/alternative (text, HTML, then the alternative parts); attachments wrap that in
    /// multipart/mixed.
    /// - Throws: `MessageError` when a header value holds a line break or NUL, a header name or
    ///   the Message-ID is malformed, there is no recipient, or a part cannot be encoded.
    public func render() throws -> String {
        try render(makeBoundary: Self.randomBoundary)
    }

    /// Renders with boundaries drawn from `makeBoundary`; tests use it to force a collision.
    func render(makeBoundary: () -> String) throws -> String {
        var headers = try addressAndSubjectHeaders()
        let body = try bodyEntity()
        let (entityHeaders, entityBody) = body.written(makeBoundary: makeBoundary)
        headers += entityHeaders
        var message = headers.map { HeaderFolding.fold(name: $0.0, value: $0.1) }.joined(separator: "\r\n")
        message += "\r\n\r\n" + entityBody
        if !message.hasSuffix("\r\n") { message += "\r\n" }
        return message
    }

    /// Date, From, Reply-To, To, Cc, Subject, Message-ID, MIME-Version and the extra headers,
    /// each value checked and in its ASCII form.
    private func addressAndSubjectHeaders() throws -> [(String, String)] {
        guard !to.isEmpty || !cc.isEmpty else {
            throw MessageError(.noRecipients, field: "recipients", "the message has no To or Cc recipient; add at least one")
        }
        var headers: [(String, String)] = []
        func add(_ name: String, _ value: String, field: String) throws {
            try HeaderSafety.check(value, field: field)
            headers.append((name, value))
        }
        func mailboxes(_ list: [Mailbox], role: String, header: String) throws -> String {
            for mailbox in list {
                if let name = mailbox.displayName { try HeaderSafety.check(name, field: "\(role) display name") }
            }
            // Only the first mailbox shares its line with "Name: "; the folder may put each
            // later one on a line of its own.
            let first = list.prefix(1).map { $0.headerValue(firstLineUsed: header.count + 2) }
            return (first + list.dropFirst().map { $0.headerValue(firstLineUsed: 1) }).joined(separator: ", ")
        }

        try add("Date", Self.formatDate(date, timeZone: timeZone), field: "date")
        try add("From", try mailboxes([from], role: "sender", header: "From"), field: "sender")
        if let replyTo {
            try add("Reply-To", try mailboxes([replyTo], role: "reply-to", header: "Reply-To"), field: "reply-to")
        }
        if !to.isEmpty { try add("To", try mailboxes(to, role: "recipient", header: "To"), field: "recipient") }
        if !cc.isEmpty { try add("Cc", try mailboxes(cc, role: "cc recipient", header: "Cc"), field: "cc recipient") }
        try HeaderSafety.check(subject, field: "subject")
        try add("Subject", HeaderFolding.unstructured(subject, name: "Subject"), field: "subject")
        try Self.checkMessageID(messageID)
        try add("Message-ID", messageID, field: "Message-ID")
        try add("MIME-Version", "1.0", field: "MIME-Version")
        for (name, value) in extraHeaders {
            try Self.checkHeaderName(name)
            try HeaderSafety.check(value, field: "header \(name)")
            try add(name, HeaderFolding.unstructured(value, name: name), field: "header \(name)")
        }
        return headers
    }

    /// The body: a text part, or the multipart/alternative and multipart/mixed around it.
    private func bodyEntity() throws -> MIMEEntity {
        let text = try MIMEPart(contentType: "text/plain; charset=UTF-8", text: textBody).encoded(field: "text body")
        var alternatives = [text]
        if let htmlBody {
            alternatives.append(try MIMEPart(contentType: "text/html; charset=UTF-8", text: htmlBody).encoded(field: "HTML body"))
        }
        for (index, part) in alternativeParts.enumerated() {
            alternatives.append(try part.encoded(field: "alternative part \(index + 1)"))
        }
        let main = alternatives.count == 1 ? text : .multipart(subtype: "alternative", parts: alternatives)
        guard !attachments.isEmpty else { return main }
        var mixed = [main]
        for (index, part) in attachments.enumerated() {
            mixed.append(try part.encoded(field: "attachment \(index + 1)"))
        }
        return .multipart(subtype: "mixed", parts: mixed)
    }

    /// Headers the renderer writes itself; a second copy from `extraHeaders` would be ambiguous
    /// (and a Bcc header would show blind copies to everyone).
    private static let reservedHeaderNames: Set<String> = [
        "date", "from", "sender", "reply-to", "to", "cc", "bcc", "subject", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "content-disposition",
    ]

    private static func checkHeaderName(_ name: String) throws {
        let isFieldName = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value >= 33 && $0.value <= 126 && $0 != ":" }
        guard isFieldName else {
            throw MessageError(
                .invalidHeaderName, field: "header name",
                "header name \(Quoting.quoted(name)) is not an RFC 5322 field name: use printable ASCII "
                    + "without spaces or \":\", e.g. X-Ticket"
            )
        }
        guard !reservedHeaderNames.contains(name.lowercased()) else {
            throw MessageError(
                .invalidHeaderName, field: "header name",
                "header \(name) is written by the renderer itself; set the matching MailMessage property instead"
            )
        }
    }

    private static func checkMessageID(_ id: String) throws {
        let inner = id.dropFirst().dropLast()
        let valid = id.hasPrefix("<") && id.hasSuffix(">") && inner.split(separator: "@", omittingEmptySubsequences: false).count == 2
            && inner.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 && $0 != "<" && $0 != ">" }
            && !inner.hasPrefix("@") && !inner.hasSuffix("@")
        guard valid else {
            throw MessageError(
                .invalidMessageID, field: "Message-ID",
                "Message-ID \(Quoting.quoted(id)) is not of the form <unique@domain>; "
                    + "use MailMessage.makeMessageID(domain:)"
            )
        }
    }

    private static let boundaryCharacters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// "=_sb_" and 32 random letters and digits. The "=_" cannot occur in quoted-printable or
    /// base64 text, so only a 7bit part could ever hold it.
    static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return "=_sb_" + String((0..<32).map { _ in boundaryCharacters.randomElement(using: &generator) ?? "x" })
    }
}
