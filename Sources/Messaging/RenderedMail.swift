import SwitchboardBase

/// A mail template rendered with values: what goes into a `MailMessage`.
public struct RenderedMail: Sendable, Hashable {
    /// The subject, one line, already checked by `HeaderSafety`.
    public let subject: String
    /// The plain text body, values inserted as they are.
    public let text: String
    /// The HTML body with values HTML-escaped, or nil when the template has no HTML file.
    public let html: String?
    /// The language actually used: the one asked for, or the fallback "vi".
    public let language: String

    /// A rendered mail; `MailTemplates.render` builds these.
    public init(subject: String, text: String, html: String?, language: String) {
        self.subject = subject
        self.text = text
        self.html = html
        self.language = language
    }
}
