public import Foundation
import Messaging
import SwitchboardCore
import SwitchboardBase
public import Transport

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
    /// Renders a notice about `account`; `deliverTo` sends it to someone else (a copy for the
    /// person's manager), in that reader's language, with the same text about the account.
    public func render(_ kind: NotificationKind, to account: NotificationRecipient, values: [String: String] = [:], now: Date = Date(),
                       deliverTo: NotificationRecipient? = nil) throws -> OutgoingMail {
        let reader = deliverTo ?? account
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
        let rendered = try templates.render(kind.rawValue, language: reader.language, context: context)
        let sender = try Mailbox(displayName: settings.notificationFromName, address: settings.notificationFrom, role: "sender")
        let recipient = try Mailbox(displayName: reader.displayName, address: reader.address, role: "recipient")
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

    /// Sends messages through the relay and returns the seconds taken: over `connections`
    /// connections at once (each reused for its share, in order), or a new connection per
    /// message when `reuseConnection` is false.
    @discardableResult
    public func send(_ mails: [OutgoingMail], reuseConnection: Bool = true, connections: Int = 1,
                     transport: any MailTransport = CurlMailTransport()) async throws -> Double {
        let hello = settings.notificationFrom.split(separator: "@").last.map(String.init) ?? "switchboard"
        let relay = self.relay
        return try await ContinuousClock().seconds {
            guard reuseConnection else {
                for mail in mails {
                    let connection = try transport.relay(relay, heloName: hello)
                    do {
                        _ = try await connection.send(from: mail.from, to: [mail.to], message: mail.message)
                    } catch {
                        await connection.close()
                        throw error
                    }
                    await connection.close()
                }
                return
            }
            let lanes = max(1, min(connections, mails.count))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<lanes {
                    let share = stride(from: lane, to: mails.count, by: lanes).map { mails[$0] }
                    group.addTask {
                        let connection = try transport.relay(relay, heloName: hello)
                        do {
                            for mail in share { _ = try await connection.send(from: mail.from, to: [mail.to], message: mail.message) }
                        } catch {
                            await connection.close()
                            throw error
                        }
                        await connection.close()
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
