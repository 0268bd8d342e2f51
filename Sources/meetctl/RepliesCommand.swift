import ArgumentParser
import Foundation
import Scheduling
import SwitchboardBase
import SwitchboardCLI
import SwitchboardCore

/// `meetctl replies`: the answers attendees sent back by mail.
struct RepliesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replies", abstract: "Read attendees' answers (iCalendar replies) from a mailbox.",
        discussion: """
            Accept, Decline and Tentative in Outlook, Gmail, Thunderbird or a phone send
            a reply by mail to the organizer. `replies sync` reads the ones that arrived
            since its last run and records each answer; `meetctl show` lists them.

            Examples:
              meetctl replies sync
              meetctl replies sync --mailbox an.nguyen@bo.gov.vn --password-stdin
            """,
        subcommands: [Sync.self], defaultSubcommand: Sync.self)

    struct Sync: MeetctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync", abstract: "Record the answers that arrived since the last sync.",
            discussion: """
                Reads only messages newer than the last run (all again when the
                mailbox's UIDVALIDITY changed); an answer already recorded, or older
                than it, changes nothing. A reply from someone who is not an attendee
                is refused and written to the audit log.

                Without --mailbox: meet.replies_mailbox with the password in
                meet.replies_password_file (the helpdesk, or its timer). Staff name
                their own mailbox and give its password.

                Examples:
                  meetctl replies sync
                  printf '%s\\n' "$PW" | meetctl replies sync \\
                      --mailbox an.nguyen@bo.gov.vn --password-stdin --json
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The mailbox to read (staff: their own).") var mailbox: String?
        @Flag(help: "Read the mailbox's password from the first line of standard input.") var passwordStdin = false

        func run(in context: CommandContext) async throws {
            let report = try await context.scheduler.syncReplies(mailbox: mailbox) {
                if passwordStdin { return try PasswordInput.fromStandardInput() }
                if let typed = try PasswordInput.promptOnce("Password of \(mailbox ?? "the mailbox")") { return typed }
                throw UsageError("replies sync --mailbox needs the mailbox's password: give --password-stdin or run it on a terminal")
            }
            if global.json {
                try Console.json(report)
                return
            }
            for reply in report.replies {
                Console.out(ReplyCommands.line(reply))
            }
            let counts = Dictionary(grouping: report.replies, by: \.outcome).mapValues(\.count)
            let summary = [ReplyOutcome.applied, .ignored, .refused, .skipped].compactMap { outcome in
                counts[outcome].map { "\($0) \(outcome.rawValue)" }
            }
            Console.out("\(report.mailbox): \(report.messagesRead) new message\(report.messagesRead == 1 ? "" : "s")"
                        + (report.restarted ? " (UIDVALIDITY changed: read again from the start)" : "")
                        + (summary.isEmpty ? ", no answer" : ", answers: " + summary.joined(separator: ", ")))
        }
    }
}

/// How `replies sync` prints an answer.
enum ReplyCommands {
    /// `binh@bo.gov.vn ACCEPTED "Giao ban" (#12): applied`, with the occurrence and the reason when there are.
    static func line(_ reply: ReplyResult) -> String {
        var text = "\(reply.attendee) \(reply.answer.isEmpty ? "-" : reply.answer)"
        if let id = reply.meetingID {
            text += " \(Quoting.quoted(reply.title)) (#\(id))"
        } else if !reply.meetingUID.isEmpty {
            text += " UID \(reply.meetingUID)"
        }
        if let occurrence = reply.occurrence { text += " occurrence \(occurrence)" }
        text += ": \(reply.outcome.rawValue)"
        if !reply.reason.isEmpty { text += " (\(reply.reason))" }
        return text
    }
}
