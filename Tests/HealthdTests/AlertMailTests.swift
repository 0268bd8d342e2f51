import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// Alerts on the real stack: `healthd serve` probes real ports, and its mails arrive in real
/// mailboxes through the test run's Postfix and Dovecot.
@Suite(.serialized) struct AlertMailTests {
    @Test func aServiceThatGoesDownMailsOneAlertAndItsRecoveryOneResolvedMail() throws {
        let w = try HealthWorkspace()
        let oncall = w.login("oncall")
        let address = try w.person(oncall, "Trực ca", language: "en")
        let portal = try TCPSwitch()
        try w.configure(services: """
                - name: portal
                  title: Cổng thông tin
                  group: Web
                  kind: tcp
                  target: 127.0.0.1:\(portal.port)
                  interval: 1s
                  timeout: 500ms
                  failure_threshold: 2
                  success_threshold: 2
                  owners: [\(oncall)]
            """)
        let daemon = try w.serve()
        try daemon.waitUntil("portal up") { try daemon.state(of: "portal") == "up" }

        let wentDown = Date()
        portal.off()
        try daemon.waitUntil("portal down") { try daemon.state(of: "portal") == "down" }
        try daemon.waitUntil("the alert queued") { try w.outboxRows(kind: "health.alert").count == 1 }
        let alert = try #require(try w.outboxRows(kind: "health.alert").first)
        #expect(try w.mail.delivered(alert, to: address, timeout: 20), "the alert did not reach \(address)")
        // Still down for several more probes: no second alert (reminders wait for reminder_interval).
        Thread.sleep(forTimeInterval: 3)
        #expect(try w.outboxRows(kind: "health.alert").count == 1)
        // The incident starts at the first failed probe, not at the alert.
        let started = try SQLite.scalar(w.mail.database, "SELECT started_at FROM health_incident WHERE service = 'portal' AND ended_at IS NULL ORDER BY id DESC LIMIT 1")
        let alerted = try SQLite.scalar(w.mail.database, "SELECT alerted_at FROM health_incident WHERE service = 'portal' AND ended_at IS NULL ORDER BY id DESC LIMIT 1")
        #expect(!started.isEmpty && started < alerted, "incident started \(started), alerted \(alerted)")
        #expect(started >= ISO8601DateFormatter().string(from: wentDown.addingTimeInterval(-1)).prefix(19).description)

        try portal.on()
        try daemon.waitUntil("portal up again") { try daemon.state(of: "portal") == "up" }
        try daemon.waitUntil("the resolved mail queued") { try w.outboxRows(kind: "health.resolved").count == 1 }
        let resolved = try #require(try w.outboxRows(kind: "health.resolved").first)
        let text = try #require(try w.mail.deliveredMessage(resolved, to: address, timeout: 20), "the resolved mail did not reach \(address)")
        #expect(text.contains("portal") || text.contains("C=E1=BB=95ng") || text.contains("Cổng"), "resolved mail names the service:\n\(text.prefix(1500))")
        Thread.sleep(forTimeInterval: 2)
        #expect(try w.outboxRows(kind: "health.resolved").count == 1)
        #expect(try w.outboxRows(kind: "health.alert").count == 1)
        #expect(try SQLite.scalar(w.mail.database, "SELECT count(*) FROM health_incident WHERE service = 'portal' AND ended_at IS NULL") == "0")
        let stopped = try daemon.stop()
        #expect(stopped.status == 0, "healthd serve exit \(stopped.status): \(stopped.stderr.suffix(1000))")
    }

    @Test func aParentOutageWithTenChildrenSendsOneDigestAndNoChildAlert() throws {
        let w = try HealthWorkspace()
        let oncall = w.login("oncall")
        let address = try w.person(oncall, "Trực ca", language: "en")
        let gateway = try TCPSwitch()
        // Ten services behind the gateway: reached through it, so they fail with it.
        let children = (1...10).map { index in
            """
                - name: app-\(index)
                  title: Ứng dụng \(index)
                  group: Apps
                  kind: tcp
                  target: 127.0.0.1:\(gateway.port)
                  interval: 1s
                  timeout: 500ms
                  depends_on: [gateway]
                  owners: [\(oncall)]
            """
        }
        try w.configure(services: """
                - name: gateway
                  title: Cổng kết nối
                  group: Network
                  kind: tcp
                  target: 127.0.0.1:\(gateway.port)
                  interval: 1s
                  timeout: 500ms
                  owners: [\(oncall)]
            \(children.joined(separator: "\n"))
            """)
        let daemon = try w.serve()
        try daemon.waitUntil("all up") { try (1...10).allSatisfy { try daemon.state(of: "app-\($0)") == "up" } && daemon.state(of: "gateway") == "up" }

        gateway.off()
        try daemon.waitUntil("the digest queued") { try w.outboxRows(kind: "health.digest").count >= 1 }
        Thread.sleep(forTimeInterval: 4)
        let digests = try w.outboxRows(kind: "health.digest")
        #expect(digests.count == 1, "one digest, not \(digests.count)")
        #expect(try w.outboxRows(kind: "health.alert").isEmpty, "no child alerts beside the digest")
        let digest = try #require(digests.first)
        let text = try #require(try w.mail.deliveredMessage(digest, to: address, timeout: 20), "the digest did not reach \(address)")
        let decoded = Self.decodedBody(text)
        for index in 1...10 { #expect(decoded.contains("app-\(index)") || decoded.contains("Ứng dụng \(index)"), "the digest lists app-\(index)") }
        #expect(try (1...10).allSatisfy { try daemon.state(of: "app-\($0)") == "down" })
        let suppressed = try SQLite.scalar(w.mail.database, "SELECT count(*) FROM health_incident WHERE suppressed_by = 'gateway' AND ended_at IS NULL")
        #expect(suppressed == "10")

        try gateway.on()
        try daemon.waitUntil("all up again", timeout: 30) { try (1...10).allSatisfy { try daemon.state(of: "app-\($0)") == "up" } }
        try daemon.waitUntil("the gateway's resolved mail") { try w.outboxRows(kind: "health.resolved").count >= 1 }
        Thread.sleep(forTimeInterval: 2)
        #expect(try w.outboxRows(kind: "health.resolved").count == 1, "one resolved mail: the children were never alerted on their own")
        _ = try daemon.stop()
    }

    /// The text of a mail's parts, quoted-printable and base64 undone well enough to search.
    static func decodedBody(_ raw: String) -> String {
        let unfolded = raw.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        var parts: [String] = []
        for block in unfolded.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n") {
            let joined = block.filter { !$0.isWhitespace }
            if joined.count > 40, let data = Data(base64Encoded: joined), let decoded = String(data: data, encoding: .utf8) { parts.append(decoded) }
        }
        let utf8 = Array(unfolded.utf8)
        var bytes: [UInt8] = []
        var position = 0
        while position < utf8.count {
            if utf8[position] == UInt8(ascii: "="), position + 2 < utf8.count,
               let value = UInt8(String(decoding: utf8[(position + 1)...(position + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                position += 3
            } else {
                bytes.append(utf8[position])
                position += 1
            }
        }
        return ([String(decoding: bytes, as: UTF8.self)] + parts).joined(separator: "\n")
    }
}
