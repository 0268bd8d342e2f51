import MailAdmin
import Outbox
import SwitchboardCLI
import SwitchboardCore

extension CommandContext {
    /// Sends the notices a change queued (after its commit) and says what happened to each: sent,
    /// or queued with the relay's answer and how to send it later. A notice that waits is not a
    /// failure of the command: the change stands and the outbox keeps the notice.
    func send(_ notices: [QueuedNotice], json: Bool) async throws {
        guard !notices.isEmpty else { return }
        Self.say(try await mail.send(notices), json: json)
    }

    /// Queues one notification that comes with no change (a quota warning), then sends it.
    func notify(_ kind: NotificationKind, to account: MailAccount, values: [String: String] = [:], json: Bool) async throws {
        let (_, report) = try await mail.notify(kind, to: account, timeZone: config.locale.timeZone, values: values)
        Self.say(report, json: json)
    }

    /// One line per attempt; with `--json`, on standard error so standard output stays one document.
    static func say(_ report: OutboxSendReport, json: Bool) {
        for line in report.lines(tool: "mailctl") {
            if json { Console.error(line) } else { Console.out(line) }
        }
    }
}
