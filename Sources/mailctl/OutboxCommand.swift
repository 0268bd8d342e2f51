import ArgumentParser
import Foundation
import MailAdmin
import Outbox
import SwitchboardCLI
import SwitchboardCore

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Notifications waiting for the relay: list them, send them.",
        discussion: """
            A notice (welcome, password reset, quota warning) is queued with its change and sent after it;
            when the relay is down it waits here. Each attempt is in the audit log as mail.notify.

            Examples:
              mailctl outbox
              mailctl outbox send
            """,
        subcommands: [List.self, Send.self, Requeue.self], defaultSubcommand: List.self)

    struct List: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the notices that wait, are being sent or are in doubt.",
            discussion: "Examples:\n  mailctl outbox list\n  mailctl outbox list --all --json")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Include the notices already sent.") var all = false

        func run(in context: CommandContext) throws {
            let entries = try context.mail.outbox.entries(includeSent: all)
            if global.json { try Console.json(entries); return }
            guard !entries.isEmpty else { Console.out("The outbox is empty: every notice was sent"); return }
            let zone = context.config.locale.timeZone
            let now = Date()
            Console.table(OutboxEntry.columns, entries.map { $0.cells(zone: zone, now: now) })
            if entries.contains(where: { $0.inDoubt(now: now) }) {
                Console.out("A notice in doubt was claimed by a sender that stopped: the relay may have it. Look for its Message-ID in the mailbox; if it is not there, `mailctl outbox requeue ID`.")
            }
        }
    }

    struct Send: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "send", abstract: "Send every waiting notice once; what fails waits for the next run.",
            discussion: "Examples:\n  mailctl outbox send\n  mailctl outbox send --id 42 --id 43\n  mailctl outbox send --json")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("id"), help: "Only this row (repeat for more; see `mailctl outbox list`).") var ids: [Int64] = []

        func run(in context: CommandContext) async throws {
            let report = try await context.mail.outbox.send(only: ids.isEmpty ? nil : ids)
            if global.json { try Console.json(report) } else {
                if report.attempts.isEmpty { Console.out("Nothing waits in the outbox") }
                CommandContext.say(report, json: false)
            }
            if !report.failed.isEmpty {
                Console.error("mailctl: \(report.failed.count) of \(report.attempts.count) notices were not sent; they wait in the outbox")
                throw ExitStatus.unavailable
            }
        }
    }

    struct Requeue: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "requeue", abstract: "Put a notice in doubt back to waiting, once you checked it did not arrive.",
            discussion: "Example:\n  mailctl outbox requeue 42")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The row's ID (see `mailctl outbox list`).") var id: Int64

        func run(in context: CommandContext) throws {
            try context.mail.outbox.requeue(id)
            Console.out("Outbox notice \(id) waits again; `mailctl outbox send` sends it")
        }
    }
}
