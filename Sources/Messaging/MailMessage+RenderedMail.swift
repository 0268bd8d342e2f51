public import Foundation
import SwitchboardBase

extension MailMessage {
    /// A message whose subject and bodies come from a rendered template.
    public init(
        from: Mailbox, to: [Mailbox], cc: [Mailbox] = [], replyTo: Mailbox? = nil, content: RenderedMail,
        date: Date = Date(), timeZone: TimeZone = .current
    ) {
        self.init(
            from: from, to: to, cc: cc, replyTo: replyTo, subject: content.subject, textBody: content.text,
            htmlBody: content.html, date: date, timeZone: timeZone
        )
    }
}
