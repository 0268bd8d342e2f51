public import Foundation
public import Messaging
public import Outbox
import SwitchboardBase

/// Renders alert mails from `Templates/health/` (`alert`, `digest`, `reminder`, `resolved`, each
/// `.vi`/`.en` `.subject|txt|html.mustache`) into outbox messages: one per language among the
/// recipients, all of that language in To, from `alerts.from`.
///
/// Every value that reaches a mail is one line: line breaks and control characters in a service
/// title or in what a probed server said become spaces, so no value can add a header.
public struct AlertComposer: Sendable {
    /// The templates.
    public let templates: MailTemplates
    /// The sender's address, the status page and the zone times are shown in.
    public let from: String
    /// See ``from``.
    public let statusURL: String
    /// See ``from``.
    public let timeZone: String

    /// Loads the templates and checks the sender; errors name the folder, file or address.
    public init(templatesDir: String, from: String, statusURL: String, timeZone: String) throws {
        templates = try MailTemplates(folder: templatesDir)
        for kind in AlertNotice.Kind.allCases where !templates.languages(of: kind.rawValue).contains(MailTemplates.fallbackLanguage) {
            throw AlertTemplateError(problem: "the alert templates in \"\(templatesDir)\" lack \(kind.rawValue).\(MailTemplates.fallbackLanguage).subject.mustache and .txt.mustache: health.alerts.templates_dir must name the folder of Templates/health")
        }
        _ = try Mailbox(address: from, role: "health.alerts.from")
        guard TimeZone(identifier: timeZone) != nil else {
            throw AlertTemplateError(problem: "unknown time zone \"\(timeZone)\" for alert mails")
        }
        self.from = from
        self.statusURL = statusURL
        self.timeZone = timeZone
    }

    /// One message per language of `recipients` (in the order the languages first appear),
    /// dated `at`; none when there is no recipient.
    public func compose(_ notice: AlertNotice, to recipients: [AlertRecipient], at: Date) throws -> [OutboxMessage] {
        var languages: [String] = []
        var groups: [String: [AlertRecipient]] = [:]
        for recipient in recipients {
            if groups[recipient.language] == nil { languages.append(recipient.language) }
            groups[recipient.language, default: []].append(recipient)
        }
        let zone = TimeZone(identifier: timeZone) ?? .current
        var messages: [OutboxMessage] = []
        for language in languages {
            let group = groups[language] ?? []
            let rendered = try render(notice, language: language, at: at)
            let sender = try Mailbox(displayName: rendered.language == "en" ? "Service monitor" : "Giám sát dịch vụ", address: from, role: "health.alerts.from")
            let to = try group.map { try Mailbox(displayName: $0.name.isEmpty ? nil : Self.oneLine($0.name), address: $0.address, role: "alert recipient") }
            var message = MailMessage(from: sender, to: to, content: rendered, date: at, timeZone: zone)
            message.extraHeaders = [("Auto-Submitted", "auto-generated")]
            messages.append(OutboxMessage(kind: notice.kind.outboxKind, target: "service:\(notice.service)", sender: sender.address.address,
                                          recipients: group.map(\.address), message: try message.render(), messageID: message.messageID))
        }
        return messages
    }

    /// The mail in `language` (falling back to Vietnamese), as `compose` sends it.
    public func render(_ notice: AlertNotice, language: String, at: Date) throws -> RenderedMail {
        let english = language.lowercased().hasPrefix("en")
        let zone = TimeZone(identifier: timeZone) ?? .current
        let end = notice.resolvedAt ?? at
        var values: [String: Any] = [
            "service_name": notice.service,
            "service_title": Self.oneLine(notice.title),
            "group": Self.oneLine(notice.group),
            "state": Self.stateWord(notice.state, english: english),
            "since": Self.local(notice.since, zone: zone, english: english),
            "time_zone": timeZone,
            "cause": Self.oneLine(notice.cause),
            "status_url": Self.oneLine(statusURL),
            "incident_start": Self.local(notice.incidentStart, zone: zone, english: english),
            "duration": Self.duration(end.timeIntervalSince(notice.incidentStart), english: english),
            "affected_count": notice.affected.count,
        ]
        if notice.state == .degraded { values["degraded"] = true }
        if let resolvedAt = notice.resolvedAt { values["resolved_at"] = Self.local(resolvedAt, zone: zone, english: english) }
        if !notice.affected.isEmpty {
            values["has_affected"] = true
            values["affected"] = notice.affected.map { item -> [String: Any] in
                ["name": item.name, "title": Self.oneLine(item.title), "group": Self.oneLine(item.group),
                 "state": Self.stateWord(item.state, english: english), "cause": Self.oneLine(item.cause)]
            }
        }
        return try templates.render(notice.kind.rawValue, language: language, context: values)
    }

    /// `text` on one line: control characters (CR, LF, tab, NUL...) become spaces, runs of
    /// spaces one, at most 300 characters.
    static func oneLine(_ text: String) -> String {
        var flat = ""
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let isSpace = scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
                || scalar.properties.generalCategory == .lineSeparator || scalar.properties.generalCategory == .paragraphSeparator
            if isSpace {
                if !lastWasSpace { flat.unicodeScalars.append(" ") }
            } else {
                flat.unicodeScalars.append(scalar)
            }
            lastWasSpace = isSpace
        }
        let trimmed = flat.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 300 ? String(trimmed.prefix(300)) + "…" : trimmed
    }

    /// The state in words.
    static func stateWord(_ state: ServiceState, english: Bool) -> String {
        switch (state, english) {
        case (.up, false): "hoạt động bình thường"
        case (.degraded, false): "suy giảm"
        case (.down, false): "ngừng hoạt động"
        case (.maintenance, false): "đang bảo trì"
        case (.unknown, false): "chưa rõ"
        case (.up, true): "up"
        case (.degraded, true): "degraded"
        case (.down, true): "down"
        case (.maintenance, true): "under maintenance"
        case (.unknown, true): "unknown"
        }
    }

    /// `14:05 07/12/2026` (vi) or `2026-12-07 14:05` (en) in `zone`.
    static func local(_ date: Date, zone: TimeZone, english: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let (year, month, day, hour, minute) = (parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
        return english
            ? String(format: "%04d-%02d-%02d %02d:%02d", year, month, day, hour, minute)
            : String(format: "%02d:%02d %02d/%02d/%04d", hour, minute, day, month, year)
    }

    /// `2 giờ 5 phút` / `2 h 5 min`; under a minute said so.
    static func duration(_ seconds: TimeInterval, english: Bool) -> String {
        let minutes = Int(max(0, seconds) / 60)
        if minutes == 0 { return english ? "under a minute" : "dưới 1 phút" }
        let (days, hours, rest) = (minutes / 1440, minutes % 1440 / 60, minutes % 60)
        var parts: [String] = []
        if days > 0 { parts.append(english ? "\(days) d" : "\(days) ngày") }
        if hours > 0 { parts.append(english ? "\(hours) h" : "\(hours) giờ") }
        if rest > 0, days == 0 { parts.append(english ? "\(rest) min" : "\(rest) phút") }
        return parts.joined(separator: " ")
    }
}
