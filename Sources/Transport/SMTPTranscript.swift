import SwitchboardBase

/// The SMTP dialogue of one send, as the debug callback saw it: each command paired with the
/// server's reply.
///
/// libcurl reports a refused command only as "RCPT failed: 550"; the server's words, and
/// which recipient they were about, come from here. Commands keep only their verb except
/// `MAIL` and `RCPT` (see ``CurlExchange``), so the `AUTH` line never lands here.
struct SMTPTranscript {
    /// One complete (possibly multi-line) reply.
    struct Reply: Equatable {
        let code: Int
        let lines: [String]

        /// The reply as the server wrote it, lines joined with a space.
        var text: String { lines.joined(separator: " ") }
        var isFailure: Bool { code >= 400 }
    }

    /// A command and the reply to it. The greeting pairs with `CONNECT`, the reply after the
    /// message data with `.`.
    struct Step: Equatable {
        let command: String
        let reply: Reply

        var verb: String { String(command.prefix { $0 != " " }).uppercased() }

        /// The address inside `<...>` of a `MAIL FROM:` or `RCPT TO:` command.
        var address: String? {
            guard let open = command.firstIndex(of: "<"), let close = command[open...].firstIndex(of: ">") else { return nil }
            return String(command[command.index(after: open)..<close])
        }
    }

    private(set) var steps: [Step] = []

    init(events: [CurlExchange.Event]) {
        var pending: [String] = []
        var lastCommand = "CONNECT"
        var partial: [UInt8] = []
        var replyLines: [String] = []
        for event in events {
            switch event {
            case .sent(let command):
                pending.append(command)
            case .received(let bytes):
                partial.append(contentsOf: bytes)
                while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                    var lineBytes = Array(partial[..<newline])
                    partial.removeSubrange(...newline)
                    if lineBytes.last == UInt8(ascii: "\r") { lineBytes.removeLast() }
                    let line = String(decoding: lineBytes, as: UTF8.self)
                    replyLines.append(line)
                    // "250-..." continues a reply; "250 ..." or a bare "250" ends it.
                    let scalars = Array(line.unicodeScalars)
                    guard scalars.count >= 3, let code = Int(String(line.prefix(3))) else { continue }
                    if scalars.count > 3 && scalars[3] == "-" { continue }
                    let command: String
                    if pending.isEmpty {
                        command = lastCommand.uppercased() == "DATA" ? "." : "CONNECT"
                    } else {
                        command = pending.removeFirst()
                    }
                    lastCommand = command
                    steps.append(Step(command: command, reply: Reply(code: code, lines: replyLines)))
                    replyLines = []
                }
            }
        }
    }

    /// The first refusal in the dialogue (a reply of 400 or more), QUIT aside.
    var firstFailure: Step? {
        steps.first { $0.reply.isFailure && $0.verb != "QUIT" }
    }

    /// The reply to the message data (`250 2.0.0 Ok: queued as ...`).
    var finalReply: Reply? {
        steps.last { $0.command == "." }?.reply
    }

    /// Recipients refused at `RCPT TO`, in the order they were sent.
    var rejectedRecipients: [SMTPRejectedRecipient] {
        steps.compactMap { step in
            guard step.verb == "RCPT", step.reply.isFailure else { return nil }
            return SMTPRejectedRecipient(address: step.address ?? step.command, serverReply: step.reply.text)
        }
    }
}
