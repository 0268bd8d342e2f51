import MailAdmin
import SwitchboardCLI
import SwitchboardCore

extension CommandContext {
    /// Sends one notification through the library (authorized, sent after any commit, recorded)
    /// and says so; with `--json`, standard output carries only the JSON document.
    func notify(_ kind: NotificationKind, to account: MailAccount, values: [String: String] = [:], json: Bool) async throws {
        let mail = try await self.mail.notify(kind, to: account, timeZone: config.locale.timeZone, values: values)
        let line = "Sent the \(kind.rawValue) mail to \(account.address) (\(mail.messageID))"
        if json { Console.error(line) } else { Console.out(line) }
    }
}
