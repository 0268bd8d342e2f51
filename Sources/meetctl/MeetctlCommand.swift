import Foundation
import ICalendar
import MailAdmin
import Outbox
import Scheduling
import SwitchboardCLI
import SwitchboardCore

/// A `meetctl` command that acts on the directory (see ``ToolCommand``).
protocol MeetctlCommand: ToolCommand {}

extension MeetctlCommand {
    static var tool: String { "meetctl" }
}

extension CommandContext {
    /// The `meet:` settings of this config.
    var meetSettings: MeetSettings {
        get throws { try MeetSettings(loaded) }
    }

    /// Meetings, acting as this session.
    var scheduler: Scheduler {
        get throws {
            Scheduler(database: database, session: session, settings: try meetSettings, mail: try MailSettings(loaded), locale: config.locale)
        }
    }

    /// The zone a command reads and shows times in: `--tz`, else the configured one.
    func zone(_ override: String?) throws -> CalendarZone {
        do { return try CalendarZone(override ?? config.locale.timeZone) } catch {
            throw UsageError("--tz: \(error)")
        }
    }

    /// The outbox, sending through the configured relay.
    var outbox: Outbox {
        get throws {
            let mail = try MailSettings(loaded)
            let hello = mail.notificationFrom.split(separator: "@").last.map(String.init) ?? "switchboard"
            return Outbox(session: session, relay: mail.server(mail.relay), heloName: hello)
        }
    }

    /// True when the actor runs the whole outbox (helpdesk, admin); staff see and send only
    /// what they queued.
    var mayRunOutbox: Bool { AccessPolicy.allows(session.role ?? .staff, .outboxSend) }

    /// Sends the invites a change queued, after its commit, and says what happened to each. An
    /// invite that waits is no failure: the meeting stands and the outbox keeps it.
    func sendInvites(_ ids: [Int64], action: Action, json: Bool) async throws {
        guard !ids.isEmpty else { return }
        let report = try await outbox.sendQueued(ids, authorizedBy: action)
        for line in report.lines(tool: "meetctl") {
            if json { Console.error(line) } else { Console.out(line) }
        }
    }
}
