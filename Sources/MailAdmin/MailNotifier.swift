public import Foundation
import Messaging
import SwitchboardCore
import SwitchboardBase
import Transport

/// The notifications the helpdesk sends.
public enum NotificationKind: String, Sendable, CaseIterable {
    /// A new mailbox: how to log in (never the password).
    case welcome
    /// The password was reset (never the new password).
    case passwordReset = "password-reset"
    /// The mailbox is nearly full.
    case quotaWarning = "quota-warning"
}

/// Who a notification goes to.
public struct NotificationRecipient: Sendable {
    /// The address.
    public var address: String
    /// The name shown.
    public var displayName: String
    /// `vi` or `en`.
    public var language: String

    /// A recipient.
    public init(address: String, displayName: String, language: String) {
        self.address = address
        self.displayName = displayName
        self.language = language
    }
}

extension MailAccount {
    /// The mailbox as a notification recipient.
    public var recipient: NotificationRecipient {
        NotificationRecipient(address: address, displayName: displayName, language: language)
    }
}

/// A rendered notification, ready to send.
public struct OutgoingMail: Sendable {
    /// The envelope sender.
    public var from: String
    /// The envelope recipient.
    public var to: String
    /// The whole message, CRLF line endings.
    public var message: String
    /// Its Message-ID.
    public var messageID: String
    /// The subject as rendered (for logs and tests).
    public var subject: String
}

/// Renders notifications from `Templates/mail/` in the recipient's language and sends them through the relay.
public struct MailNotifier: Sendable {
    /// Mail settings (relay, sender, helpdesk contacts, templates folder).
    public let settings: MailSettings
    /// The zone times are shown in.
    public let timeZone: String
    /// The templates, read once from `mail.templates_dir`.
    let templates: MailTemplates

    /// A notifier; reads the templates folder, whose errors name the file.
    public init(settings: MailSettings, timeZone: String) throws {
        self.settings = settings
        self.timeZone = timeZone
        templates = try MailTemplates(folder: settings.templatesDir)
    }

    /// Renders one notification for a mailbox; every header is checked for CR, LF and NUL first.
    public func render(_ kind: NotificationKind, to account: NotificationRecipient, values: [String: String] = [:], now: Date = Date()) throws -> OutgoingMail {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: timeZone) ?? .current
        formatter.dateFormat = "HH:mm dd/MM/yyyy"
        var context: [String: Any] = [
            "display_name": account.displayName, "address": account.address,
            "helpdesk_name": settings.notificationFromName, "helpdesk_phone": settings.helpdeskPhone,
            "helpdesk_email": settings.notificationFrom,
            "imap_host": settings.imap.host, "imap_port": settings.imap.port,
            "smtp_host": settings.submission.host, "submission_port": settings.submission.port,
            "time": formatter.string(from: now),
        ]
        for (key, value) in values { context[key] = value }
        let rendered = try templates.render(kind.rawValue, language: account.language, context: context)
        let sender = try Mailbox(displayName: settings.notificationFromName, address: settings.notificationFrom, role: "sender")
        let recipient = try Mailbox(displayName: account.displayName, address: account.address, role: "recipient")
        let domain = settings.notificationFrom.split(separator: "@").last.map(String.init) ?? "switchboard"
        var message = MailMessage(from: sender, to: [recipient], content: rendered, date: now,
                                  timeZone: TimeZone(identifier: timeZone) ?? .current)
        message.messageID = MailMessage.makeMessageID(domain: domain)
        return OutgoingMail(from: sender.address.address, to: recipient.address.address, message: try message.render(),
                            messageID: message.messageID, subject: rendered.subject)
    }

    /// The relay as a Transport endpoint.
    public var relay: MailServer {
        settings.server(settings.relay)
    }

    /// Sends messages over one relay connection, reused for all of them. Returns the seconds taken.
    @discardableResult
    public func send(_ mails: [OutgoingMail], reuseConnection: Bool = true) throws -> Double {
        let hello = settings.notificationFrom.split(separator: "@").last.map(String.init) ?? "switchboard"
        return try ContinuousClock().seconds {
            if reuseConnection {
                let session = try SMTPSession(server: relay, credentials: nil, heloName: hello)
                defer { session.close() }
                for mail in mails { _ = try session.send(from: mail.from, to: [mail.to], message: mail.message) }
            } else {
                for mail in mails {
                    let session = try SMTPSession(server: relay, credentials: nil, heloName: hello)
                    _ = try session.send(from: mail.from, to: [mail.to], message: mail.message)
                    session.close()
                }
            }
        }
    }
}
