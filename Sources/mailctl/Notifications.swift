import Foundation
import MailAdmin
import SwitchboardCLI
import SwitchboardCore

/// Sends one notification through the relay and records it (after the send: no network I/O in a transaction).
enum Notifications {
    static func send(_ kind: NotificationKind, to account: MailAccount, context: CommandContext, values: [String: String] = [:], json: Bool = false) throws {
        try context.session.authorize(.mailNotify, target: "mailbox:\(account.address)", database: context.database)
        let notifier = try MailNotifier(settings: context.config.mail, timeZone: context.config.locale.timeZone)
        let mail = try notifier.render(kind, to: account.recipient, values: values)
        try notifier.send([mail])
        try context.database.write { db in
            var details = AuditDetails()
            details["notification"] = kind.rawValue
            details["message_id"] = mail.messageID
            try context.session.audit.append(db, context: context.session.context, action: Action.mailNotify.rawValue,
                                             target: "mailbox:\(account.address)", details: details)
        }
        // With --json, standard output carries only the JSON document.
        let line = "Sent the \(kind.rawValue) mail to \(account.address) (\(mail.messageID))"
        if json { Console.error(line) } else { Console.out(line) }
    }
}
