import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// A mail domain of a test's own on the running mail stack (MailWorkspace), with meetctl's
/// config section, people who own mailboxes there, and rooms.
final class MeetWorkspace {
    let mail: MailWorkspace

    /// `stack` is the test run's shared stack unless a test started one of its own.
    init(stack: MailStackEnvironment? = nil) throws {
        mail = try MailWorkspace(stack: stack)
        try configure()
    }

    /// Rewrites the config, e.g. to bring the relay "back".
    func configure(relay: String? = nil) throws {
        try mail.writeConfig(relay: relay, sections: """
            meet:
              templates_dir: \(Repository.path("Templates/meet"))
              room_domain: rooms.\(mail.domain)
              join_base_url: https://meet.\(mail.domain)
            """)
    }

    /// Adds a person with a mailbox in this domain; returns the address.
    @discardableResult
    func person(_ login: String, _ name: String, language: String = "vi") throws -> String {
        try mail.dirctlOK("person", "add", login, "--name", name, "--language", language)
        let address = mail.address(login)
        try mail.expectOK(["account", "create", address, "--person", login, "--password-stdin"], stdin: "Gi0-mua-thu-Ha-Noi\n")
        return address
    }

    /// A unique login for this workspace (the stack's database is shared by the test run).
    func login(_ base: String) -> String { "\(base)-\(mail.domain.prefix(9))" }

    @discardableResult
    func meetctl(_ arguments: [String], as login: String? = nil, stdin: String? = nil) throws -> CommandRun {
        try ProcessRunner.run(ProcessRunner.product("meetctl"), arguments + ["--config", mail.config] + (login.map { ["--as", $0] } ?? []),
                              in: mail.folder, stdin: stdin)
    }

    /// Runs meetctl and records an issue unless it exits 0.
    @discardableResult
    func meetOK(_ arguments: [String], as login: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRun {
        let run = try meetctl(arguments, as: login)
        #expect(run.status == 0, "meetctl \(arguments.joined(separator: " ")) failed: \(run.stderr)", sourceLocation: sourceLocation)
        return run
    }

    /// The Message-IDs queued for `address`, oldest first, of one outbox kind.
    func messageIDs(to address: String, kind: String) throws -> [String] {
        try SQLite.run(mail.database, "SELECT message_id FROM outbox WHERE recipients = '\(address)' AND kind = '\(kind)' ORDER BY id")
            .split(separator: "\n").map(String.init)
    }
}

/// The iMIP pieces of a delivered message: the MIME `method=` and the calendar text.
struct DeliveredInvite {
    let mimeMethod: String
    let calendar: String

    /// Finds the text/calendar part (base64) of a raw message.
    init(_ raw: String) throws {
        let message = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let marker = try #require(message.range(of: "Content-Type: text/calendar"), "no text/calendar part in:\n\(message.prefix(2000))")
        let header = message[marker.lowerBound...].prefix { $0 != "\n" }
        mimeMethod = header.components(separatedBy: "method=").last.map { String($0.prefix { $0.isLetter }) } ?? ""
        let afterHeaders = try #require(message[marker.upperBound...].range(of: "\n\n"))
        let body = message[afterHeaders.upperBound...].prefix { $0 != "-" }
        let data = try #require(Data(base64Encoded: body.filter { !$0.isWhitespace }.description), "the calendar part is not base64")
        calendar = String(decoding: data, as: UTF8.self)
    }

    /// The calendar with folded lines joined again.
    var unfolded: String { calendar.replacingOccurrences(of: "\r\n ", with: "") }

    /// The value of the first property `name` (unfolded).
    func value(_ name: String) -> String? {
        for line in unfolded.components(separatedBy: "\r\n") where line.hasPrefix(name + ":") || line.hasPrefix(name + ";") {
            return line.split(separator: ":", maxSplits: 1).last.map(String.init)
        }
        return nil
    }
}
