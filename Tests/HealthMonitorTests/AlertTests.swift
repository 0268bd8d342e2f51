import Foundation
import HealthMonitor
import Messaging
import Outbox
import SwitchboardTestSupport
import Testing

/// Alert mails rendered from Templates/health and read back by Python's email package.
@Suite struct AlertTests {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30 07:53:20 in Ho Chi Minh City

    static func composer() throws -> AlertComposer {
        try AlertComposer(templatesDir: Repository.path("Templates/health"), from: "giamsat@bo.gov.vn", statusURL: "https://status.bo.gov.vn/",
                          timeZone: "Asia/Ho_Chi_Minh")
    }

    static func notice(_ kind: AlertNotice.Kind, title: String = "Cổng thông tin", cause: String = "HTTP 503, expected 2xx") -> AlertNotice {
        var notice = AlertNotice(kind: kind, service: "portal", title: title, group: "Cổng & Web", state: .down, since: start.addingTimeInterval(60),
                                 cause: cause, incidentStart: start)
        if kind == .digest || kind == .reminder {
            notice.affected = (1...10).map { AlertNotice.Affected(name: "app\($0)", title: "Ứng dụng \($0)", group: "Ứng dụng", state: .down, cause: "timed out after 10 s") }
        }
        if kind == .resolved {
            notice.state = .up
            notice.resolvedAt = start.addingTimeInterval(3900)
        }
        return notice
    }

    /// What Python's email package reads from a message.
    struct Parsed: Decodable {
        let subject: String
        let from: [String]
        let to: [String]
        let headers: [String]
        let messageID: String
        let autoSubmitted: String?
        let text: String
        let html: String?
        let defects: [String]
    }

    static let script = """
        import email, json, sys
        from email import policy
        m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
        defects = [type(d).__name__ for part in m.walk() for d in part.defects]
        for part in m.walk():
            for key, value in part.items():
                defects += [key + ": " + type(d).__name__ for d in getattr(value, "defects", [])]
        plain = m.get_body(("plain",))
        html = m.get_body(("html",))
        print(json.dumps({
            "subject": str(m["subject"]), "from": [a.addr_spec for a in m["from"].addresses],
            "to": [a.addr_spec for a in m["to"].addresses], "headers": [k for k in m.keys()],
            "messageID": str(m["message-id"]), "autoSubmitted": m["auto-submitted"],
            "text": plain.get_content(), "html": html.get_content() if html is not None else None, "defects": defects}))
        """

    static func parse(_ message: String) throws -> Parsed {
        let run = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script], stdin: message)
        guard run.status == 0 else { throw TestSetupError("python3 failed (install it: apt-get install -y python3): \(run.stderr.prefix(400))") }
        return try JSONDecoder().decode(Parsed.self, from: Data(run.stdout.utf8))
    }

    static let expectedSubjects: [String: String] = [
        "alert.vi": "[Cảnh báo] Cổng thông tin ngừng hoạt động",
        "alert.en": "[Alert] Cổng thông tin is down",
        "digest.vi": "[Cảnh báo] Cổng thông tin ngừng hoạt động, ảnh hưởng 10 dịch vụ phụ thuộc",
        "digest.en": "[Alert] Cổng thông tin is down, 10 dependent services affected",
        "reminder.vi": "[Nhắc lại] Cổng thông tin vẫn ngừng hoạt động từ 07:53 30/11/2026",
        "reminder.en": "[Reminder] Cổng thông tin still down since 2026-11-30 07:53",
        "resolved.vi": "[Đã khôi phục] Cổng thông tin hoạt động trở lại",
        "resolved.en": "[Resolved] Cổng thông tin is up again",
    ]

    @Test(arguments: AlertNotice.Kind.allCases)
    func everyMailRendersInVietnameseAndEnglishAndParses(kind: AlertNotice.Kind) throws {
        let composer = try Self.composer()
        for (language, address) in [("vi", "an@bo.gov.vn"), ("en", "lan@bo.gov.vn")] {
            let recipient = AlertRecipient(address: address, name: language == "vi" ? "Nguyễn An" : "Lan Pham", language: language)
            let messages = try composer.compose(Self.notice(kind), to: [recipient], at: Self.start.addingTimeInterval(3900))
            #expect(messages.count == 1)
            let message = try #require(messages.first)
            #expect(message.kind == "health.\(kind.rawValue)" && message.target == "service:portal")
            #expect(message.sender == "giamsat@bo.gov.vn" && message.recipients == [address])
            let parsed = try Self.parse(message.message)
            #expect(parsed.defects.isEmpty, "\(parsed.defects)")
            #expect(parsed.subject == Self.expectedSubjects["\(kind.rawValue).\(language)"], "\(parsed.subject)")
            #expect(parsed.from == ["giamsat@bo.gov.vn"] && parsed.to == [address])
            #expect(parsed.messageID == message.messageID)
            #expect(parsed.autoSubmitted == "auto-generated")
            #expect(parsed.text.contains("https://status.bo.gov.vn/"))
            #expect(parsed.text.contains("Asia/Ho_Chi_Minh"))
            #expect(parsed.text.contains("Cổng & Web"), "the group, unescaped in text")
            let html = try #require(parsed.html)
            #expect(html.contains("lang=\"\(language)\""))
            #expect(html.contains("Cổng &amp; Web"), "escaped in HTML")
            switch (kind, language) {
            case (.alert, "vi"):
                #expect(parsed.text.contains("Nguyên nhân: HTTP 503, expected 2xx"))
                #expect(parsed.text.contains("Sự cố bắt đầu: 07:53 30/11/2026 (đã kéo dài 1 giờ 5 phút)"))
            case (.alert, _):
                #expect(parsed.text.contains("Incident started: 2026-11-30 07:53 (1 h 5 min ago)"))
                #expect(parsed.text.contains("State: down since 2026-11-30 07:54"))
            case (.digest, _):
                for index in 1...10 { #expect(parsed.text.contains("Ứng dụng \(index) (Ứng dụng)"), "app \(index)") }
                #expect(html.components(separatedBy: "<tr><td").count - 1 == 10)
            case (.resolved, "vi"):
                #expect(parsed.text.contains("Khôi phục lúc: 08:58 30/11/2026"))
                #expect(parsed.text.contains("kéo dài 1 giờ 5 phút"))
            case (.resolved, _):
                #expect(parsed.text.contains("lasted 1 h 5 min"))
            case (.reminder, _):
                #expect(parsed.text.contains("Ứng dụng 10"))
            }
        }
    }

    @Test func oneMessagePerLanguageWithEveryoneOfThatLanguageInTo() throws {
        let recipients = [
            AlertRecipient(address: "an@bo.gov.vn", name: "Nguyễn An", language: "vi"),
            AlertRecipient(address: "lan@bo.gov.vn", name: "Lan Pham", language: "en"),
            AlertRecipient(address: "binh@bo.gov.vn", name: "Trần Bình", language: "vi"),
        ]
        let messages = try Self.composer().compose(Self.notice(.alert), to: recipients, at: Self.start)
        #expect(messages.map(\.recipients) == [["an@bo.gov.vn", "binh@bo.gov.vn"], ["lan@bo.gov.vn"]])
        #expect(Set(messages.map(\.messageID)).count == 2)
        #expect(try Self.parse(messages[0].message).to == ["an@bo.gov.vn", "binh@bo.gov.vn"])
        #expect(try Self.composer().compose(Self.notice(.alert), to: [], at: Self.start).isEmpty)
    }

    @Test func aHostileTitleOrServerAnswerCannotAddAHeader() throws {
        let notice = Self.notice(.alert, title: "Portal\r\nBcc: thief@evil.example", cause: "220 mx ESMTP\r\nX-Injected: yes\n\nbody")
        let messages = try Self.composer().compose(notice, to: [AlertRecipient(address: "an@bo.gov.vn", name: "An\r\nCc: x@evil.example", language: "vi")],
                                                   at: Self.start)
        let message = try #require(messages.first)
        let parsed = try Self.parse(message.message)
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(!parsed.headers.map { $0.lowercased() }.contains("bcc"))
        #expect(!parsed.headers.map { $0.lowercased() }.contains("cc"))
        #expect(!parsed.headers.map { $0.lowercased() }.contains("x-injected"))
        #expect(parsed.subject == "[Cảnh báo] Portal Bcc: thief@evil.example ngừng hoạt động")
        #expect(parsed.text.contains("Nguyên nhân: 220 mx ESMTP X-Injected: yes body"))
    }

    @Test func aServiceTellsItsOwnersThenItsAlertRecipientsOnce() {
        let service = ServiceDefinition(name: "portal", kind: .http, target: "https://portal/", owners: [.group("web"), .person("an")],
                                        alertTo: [.person("an"), .unit("HT")])
        #expect(service.alertRecipients == [.group("web"), .person("an"), .unit("HT")])
    }

    @Test func aTemplateFolderWithoutTheHealthTemplatesIsRefused() throws {
        #expect(throws: (any Error).self) {
            try AlertComposer(templatesDir: Repository.path("Templates/mail"), from: "giamsat@bo.gov.vn", statusURL: "x", timeZone: "Asia/Ho_Chi_Minh")
        }
        #expect(throws: (any Error).self) {
            try AlertComposer(templatesDir: Repository.path("Templates/health"), from: "not an address", statusURL: "x", timeZone: "Asia/Ho_Chi_Minh")
        }
    }

    @Test func anEngineOutageBecomesADigestMailNamingTheChildren() throws {
        var engine = HealthEngine(services: [
            ServiceDefinition(name: "gateway", title: "Cổng kết nối", group: "Hạ tầng", kind: .tcp, target: "10.0.0.1:443"),
            ServiceDefinition(name: "portal", title: "Cổng thông tin", group: "Web", kind: .http, target: "https://portal/", dependsOn: ["gateway"]),
        ], reminderInterval: .seconds(3600))
        var events: [HealthEvent] = []
        for round in 0..<3 {
            let at = Self.start.addingTimeInterval(Double(round * 60))
            events += engine.record(ProbeResult(service: "gateway", at: at, outcome: round == 0 ? .up : .down, durationSeconds: 10,
                                                detail: "timed out after 10 s waiting for 10.0.0.1:443"), inMaintenance: false)
            events += engine.record(ProbeResult(service: "portal", at: at.addingTimeInterval(1), outcome: round == 0 ? .up : .down, durationSeconds: 0.01,
                                                detail: "connection refused by portal:443"), inMaintenance: false)
        }
        let notices = events.compactMap { engine.notice(for: $0) }
        #expect(notices.map(\.kind) == [.digest])
        let digest = try #require(notices.first)
        let messages = try Self.composer().compose(digest, to: [AlertRecipient(address: "an@bo.gov.vn", name: "An", language: "en")],
                                                   at: Self.start.addingTimeInterval(130))
        let message = try #require(messages.first)
        let parsed = try Self.parse(message.message)
        #expect(parsed.subject == "[Alert] Cổng kết nối is down, 1 dependent services affected")
        #expect(parsed.text.contains("Cổng thông tin (Web): down: connection refused by portal:443"))
        #expect(parsed.text.contains("Cause: timed out after 10 s waiting for 10.0.0.1:443"))
    }
}
