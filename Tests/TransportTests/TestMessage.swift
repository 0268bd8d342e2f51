import Foundation

/// A small CRLF message with a unique Message-ID (without brackets in `messageID`).
struct TestMessage {
    let messageID: String
    let text: String

    init(from: String, to: String, subject: String = "Transport test", body: String = "Hello from TransportTests.\r\n") {
        messageID = "\(UUID().uuidString.lowercased())@tests.switchboard.test"
        text = """
            From: \(from)\r
            To: \(to)\r
            Subject: \(subject)\r
            Date: Sun, 29 Nov 2026 08:00:00 +0700\r
            Message-ID: <\(messageID)>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(body)
            """
    }

    /// The fetched message without the trace fields the servers put on top (Return-Path,
    /// Delivered-To, Received and their continuation lines).
    static func withoutTraceHeaders(_ fetched: String) -> String {
        let trace = ["return-path:", "delivered-to:", "received:", "x-original-to:"]
        var rest = Substring(fetched)
        var inTrace = false
        while let end = rest.firstRange(of: "\r\n") {
            let line = rest[..<end.lowerBound]
            let continuation = line.first == " " || line.first == "\t"
            if continuation ? inTrace : trace.contains(where: { line.lowercased().hasPrefix($0) }) {
                inTrace = true
                rest = rest[end.upperBound...]
            } else {
                break
            }
        }
        return String(rest)
    }
}
