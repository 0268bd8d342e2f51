import Foundation
import HealthMonitor
import SwitchboardBase

/// `GET /`: the status page, rendered on the server in one self-contained HTML document (inline
/// CSS, inline SVG, no external asset) meant to meet WCAG 2.1 AA: `lang` set, one `h1`, the
/// groups as headings, a table per group with a caption and scoped headers, each state as a word
/// with a symbol (never colour alone), text contrast of at least 4.5:1, and a text alternative
/// for every uptime chart.
///
/// The page reloads itself every 60 seconds through a one-line inline script, with a link that
/// turns that off (`?refresh=off`): a `<meta http-equiv="refresh">` would be a WCAG 2.2.1 failure
/// (technique F41: a timed reload the user cannot stop), which axe-core reports as `meta-refresh`.
enum StatusPage {
    /// The content type.
    static let contentType = "text/html; charset=utf-8"
    /// How many days of uptime bars each service shows.
    static let uptimeDays = 90
    /// Seconds between reloads.
    static let refreshSeconds = 60

    /// The page of `document`, with `uptime` (per service, oldest day first) in `language`.
    static func render(_ document: StatusDocument, uptime: [String: [DayUptime]], language: String, autoRefresh: Bool) -> String {
        let strings = StatusStrings(language: language)
        let zone = TimeZone(identifier: document.page.timeZone) ?? TimeZone(secondsFromGMT: 0) ?? .current
        let time = LocalTime(zone: zone)
        var html = HTMLText(reservingCapacity: 4_096 + document.components.count * 2_600)
        let title = document.page.title.isEmpty ? strings.pageSubtitle : document.page.title
        let lang = strings.language
        let query = lang == StatusStrings(language: document.page.language).language ? "" : "lang=\(lang)&"

        html.raw("<!DOCTYPE html>\n<html lang=\"\(lang)\">\n<head>\n<meta charset=\"utf-8\">\n")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        html.raw("<title>")
        html.text("\(title) – \(strings.pageSubtitle)")
        html.raw("</title>\n<style>\n\(css)</style>\n")
        if autoRefresh {
            html.raw("<script>setTimeout(function () { window.location.reload(); }, \(refreshSeconds * 1000));</script>\n")
        }
        html.raw("</head>\n<body>\n<header>\n<h1>")
        html.text(title)
        html.raw("</h1>\n<p class=\"subtitle\">")
        html.text(strings.pageSubtitle)
        html.raw("</p>\n")
        let indicator = document.status.indicator
        html.raw("<p class=\"overall overall-\(indicator.rawValue)\"><span aria-hidden=\"true\">\(symbol(of: indicator)) </span>")
        html.text(strings.overall(indicator))
        html.raw("</p>\n<p class=\"meta\">")
        html.text(strings.updatedAt + " ")
        html.time(document.page.updatedAt, time)
        html.text(". \(strings.times) \(zone.identifier). ")
        if autoRefresh {
            html.text(strings.refreshNote + " ")
            html.raw("<a href=\"?\(query)refresh=off\">")
            html.text(lang == "vi" ? "Dừng tự làm mới" : "Stop refreshing")
        } else {
            html.text(lang == "vi" ? "Trang không tự làm mới. " : "Automatic refresh is off. ")
            html.raw("<a href=\"?\(query.isEmpty ? "" : String(query.dropLast()))\">")
            html.text(lang == "vi" ? "Tự làm mới mỗi 60 giây" : "Refresh every 60 seconds")
        }
        html.raw("</a>. ")
        let other = lang == "vi" ? ("en", "English") : ("vi", "Tiếng Việt")
        html.raw("<a href=\"?lang=\(other.0)\(autoRefresh ? "" : "&amp;refresh=off")\" lang=\"\(other.0)\" hreflang=\"\(other.0)\">\(other.1)</a></p>\n")
        html.raw("</header>\n<main>\n")

        incidentsSection(document, strings, time, into: &html)
        maintenanceSection(document, strings, time, into: &html)

        html.raw("<h2>")
        html.text(strings.services)
        html.raw("</h2>\n")
        let components = Dictionary(document.components.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, group) in document.groups.enumerated() {
            html.raw("<section aria-labelledby=\"group-\(index)\">\n<h3 id=\"group-\(index)\">")
            html.text(group.name)
            html.raw(" <span class=\"group-status\">(")
            html.text(strings.status(group.status))
            html.raw(")</span></h3>\n<table>\n<caption>")
            html.text(strings.groupCaption(group.name))
            html.raw("</caption>\n<thead><tr><th scope=\"col\">")
            html.text(strings.service)
            html.raw("</th><th scope=\"col\">")
            html.text(strings.stateHeading)
            html.raw("</th><th scope=\"col\">")
            html.text(strings.since)
            html.raw("</th><th scope=\"col\">")
            html.text(strings.lastCheck)
            html.raw("</th><th scope=\"col\">")
            html.text(strings.uptime90)
            html.raw("</th></tr></thead>\n<tbody>\n")
            for name in group.components {
                guard let component = components[name] else { continue }
                serviceRow(component, uptime: uptime[name] ?? [], strings, time, into: &html)
            }
            html.raw("</tbody>\n</table>\n</section>\n")
        }
        html.raw("</main>\n<footer><p>healthd</p></footer>\n</body>\n</html>\n")
        return html.text
    }

    private static func serviceRow(
        _ component: StatusDocument.Component, uptime: [DayUptime], _ strings: StatusStrings, _ time: LocalTime, into html: inout HTMLText
    ) {
        html.raw("<tr><th scope=\"row\">")
        html.text(component.title)
        html.raw("</th><td>")
        stateBadge(component.state, strings, into: &html)
        if let parent = component.suppressedBy {
            html.raw(" <span class=\"note\">(")
            html.text("\(strings.causedBy) \(parent)")
            html.raw(")</span>")
        }
        html.raw("</td><td>")
        if let since = component.since { html.time(since, time) }
        html.raw("</td><td>")
        if let detail = component.lastDetail, let at = component.lastCheckedAt {
            html.time(at, time)
            html.raw("<br>")
            html.text(detail)
        } else {
            html.text(strings.never)
        }
        html.raw("</td><td>")
        uptimeBars(uptime, strings, into: &html)
        html.raw("</td></tr>\n")
    }

    private static func stateBadge(_ state: ServiceState, _ strings: StatusStrings, into html: inout HTMLText) {
        html.raw("<span class=\"state state-\(state.rawValue)\"><span aria-hidden=\"true\">\(symbol(of: state)) </span>")
        html.text(strings.state(state))
        html.raw("</span>")
    }

    /// 90 bars, one a day (no data: grey), and the same in words for a screen reader.
    private static func uptimeBars(_ uptime: [DayUptime], _ strings: StatusStrings, into html: inout HTMLText) {
        let days = Array(uptime.suffix(uptimeDays))
        var counted = 0.0, available = 0.0
        var outages: [(day: String, ratio: Double)] = []
        for day in days {
            counted += day.sla.upSeconds + day.sla.degradedSeconds + day.sla.downSeconds
            available += day.sla.upSeconds + day.sla.degradedSeconds
            if let ratio = day.sla.ratio, ratio < 1 { outages.append((day.day, ratio)) }
        }
        let average = counted > 0 ? available / counted : nil
        let worst = outages.sorted { $0.ratio < $1.ratio }.prefix(5).map { (day: $0.day, percent: StatusStrings.percent($0.ratio)) }
        var summary = strings.uptimeSummary(days: uptimeDays, average: average, worst: worst)
        if outages.count > worst.count {
            summary += strings.language == "vi" ? " (và \(outages.count - worst.count) ngày khác)" : " (and \(outages.count - worst.count) more)"
        }
        let width = uptimeDays * 5
        html.raw("<svg class=\"bars\" role=\"img\" width=\"\(width)\" height=\"24\" viewBox=\"0 0 \(width) 24\" aria-label=\"")
        html.text(summary)
        html.raw("\">")
        let padding = uptimeDays - days.count
        for index in 0..<uptimeDays {
            let x = index * 5
            guard index >= padding else {
                html.raw("<rect x=\"\(x)\" width=\"4\" height=\"24\" class=\"d-none\"/>")
                continue
            }
            let day = days[index - padding]
            guard let ratio = day.sla.ratio else {
                html.raw("<rect x=\"\(x)\" width=\"4\" height=\"24\" class=\"d-none\"/>")
                continue
            }
            let level = ratio >= 0.999 ? "ok" : ratio >= 0.95 ? "minor" : "major"
            if ratio < 1 {
                html.raw("<rect x=\"\(x)\" width=\"4\" height=\"24\" class=\"d-\(level)\"><title>")
                html.text("\(day.day): \(StatusStrings.percent(ratio))")
                html.raw("</title></rect>")
            } else {
                html.raw("<rect x=\"\(x)\" width=\"4\" height=\"24\" class=\"d-ok\"/>")
            }
        }
        html.raw("</svg> <span class=\"figure\">")
        html.text(average.map(StatusStrings.percent) ?? strings.noData)
        html.raw("</span>")
    }

    private static func incidentsSection(_ document: StatusDocument, _ strings: StatusStrings, _ time: LocalTime, into html: inout HTMLText) {
        html.raw("<section aria-labelledby=\"incidents\">\n<h2 id=\"incidents\">")
        html.text(strings.openIncidents)
        html.raw("</h2>\n")
        if document.incidents.isEmpty {
            html.raw("<p>")
            html.text(strings.noOpenIncidents)
            html.raw("</p>\n")
        } else {
            incidentTable(document.incidents, caption: strings.openIncidents, resolved: false, strings, time, into: &html)
        }
        if !document.resolvedIncidents.isEmpty {
            html.raw("<h3>")
            html.text(strings.resolvedIncidents)
            html.raw("</h3>\n")
            incidentTable(document.resolvedIncidents, caption: strings.resolvedIncidents, resolved: true, strings, time, into: &html)
        }
        html.raw("</section>\n")
    }

    private static func incidentTable(
        _ incidents: [StatusDocument.Incident], caption: String, resolved: Bool, _ strings: StatusStrings, _ time: LocalTime, into html: inout HTMLText
    ) {
        html.raw("<table>\n<caption class=\"visually-hidden\">")
        html.text(caption)
        html.raw("</caption>\n<thead><tr>")
        for heading in [strings.service, strings.severity, strings.started, resolved ? strings.ended : strings.acknowledged, strings.cause] {
            html.raw("<th scope=\"col\">")
            html.text(heading)
            html.raw("</th>")
        }
        html.raw("</tr></thead>\n<tbody>\n")
        for incident in incidents {
            html.raw("<tr><th scope=\"row\">")
            html.text(incident.title)
            html.raw("</th><td>")
            stateBadge(incident.severity, strings, into: &html)
            html.raw("</td><td>")
            html.time(incident.startedAt, time)
            html.raw("</td><td>")
            if resolved {
                if let ended = incident.endedAt { html.time(ended, time) }
            } else if let by = incident.acknowledgedBy {
                html.text("\(strings.acknowledged): \(by)")
                if let note = incident.acknowledgeNote { html.text(" – \(note)") }
            } else {
                html.text(strings.notAcknowledged)
            }
            html.raw("</td><td>")
            html.text(incident.cause)
            if let parent = incident.suppressedBy { html.text(" (\(strings.causedBy) \(parent))") }
            html.raw("</td></tr>\n")
        }
        html.raw("</tbody>\n</table>\n")
    }

    private static func maintenanceSection(_ document: StatusDocument, _ strings: StatusStrings, _ time: LocalTime, into html: inout HTMLText) {
        html.raw("<section aria-labelledby=\"maintenance\">\n<h2 id=\"maintenance\">")
        html.text(strings.maintenance)
        html.raw("</h2>\n")
        guard !document.scheduledMaintenances.isEmpty else {
            html.raw("<p>")
            html.text(strings.noMaintenance)
            html.raw("</p>\n</section>\n")
            return
        }
        let titles = Dictionary(document.components.map { ($0.name, $0.title) }, uniquingKeysWith: { first, _ in first })
        html.raw("<table>\n<caption class=\"visually-hidden\">")
        html.text(strings.maintenance)
        html.raw("</caption>\n<thead><tr>")
        for heading in [strings.servicesCovered, strings.window, strings.stateHeading, strings.reason] {
            html.raw("<th scope=\"col\">")
            html.text(heading)
            html.raw("</th>")
        }
        html.raw("</tr></thead>\n<tbody>\n")
        for window in document.scheduledMaintenances {
            html.raw("<tr><th scope=\"row\">")
            html.text(window.services.contains("*") ? strings.allServices : window.services.map { titles[$0] ?? $0 }.joined(separator: ", "))
            html.raw("</th><td>")
            html.time(window.start, time)
            html.text(" \(strings.to) ")
            html.time(window.end, time)
            html.raw("</td><td>")
            html.text(window.active ? strings.activeNow : strings.coming)
            html.raw("</td><td>")
            html.text(window.reason)
            html.raw("</td></tr>\n")
        }
        html.raw("</tbody>\n</table>\n</section>\n")
    }

    private static func symbol(of state: ServiceState) -> String {
        switch state {
        case .up: "✓"
        case .degraded: "!"
        case .down: "✗"
        case .maintenance: "⚙"
        case .unknown: "?"
        }
    }

    private static func symbol(of indicator: StatusDocument.Indicator) -> String {
        switch indicator {
        case .none: "✓"
        case .minor: "!"
        case .major, .critical: "✗"
        case .maintenance: "⚙"
        }
    }

    /// Colours chosen for contrast: every text colour at least 4.5:1 on its background, every
    /// bar at least 3:1 on white (WCAG 1.4.3 and 1.4.11).
    private static let css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1a1a1a; background: #ffffff; margin: 0 auto; max-width: 72rem; padding: 1rem; line-height: 1.45; }
        h1 { margin-bottom: 0; }
        .subtitle { margin-top: 0.2rem; color: #4a4a4a; }
        .overall { font-size: 1.25rem; font-weight: bold; padding: 0.75rem 1rem; border-radius: 0.3rem; color: #ffffff; }
        .overall-none { background: #146c2e; }
        .overall-minor { background: #8a4b00; }
        .overall-major, .overall-critical { background: #b00020; }
        .overall-maintenance { background: #1d4ed8; }
        .meta, .note, .group-status { color: #4a4a4a; }
        a { color: #0b57d0; }
        table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
        caption { text-align: left; font-weight: bold; padding: 0.4rem 0; }
        th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid #c4c4c4; }
        thead th { background: #f0f0f0; }
        .state { font-weight: bold; white-space: nowrap; }
        .state-up { color: #146c2e; }
        .state-degraded { color: #8a4b00; }
        .state-down { color: #b00020; }
        .state-maintenance { color: #1d4ed8; }
        .state-unknown { color: #4a4a4a; }
        .bars { vertical-align: middle; max-width: 100%; height: auto; }
        .d-ok { fill: #2e7d32; }
        .d-minor { fill: #b26a00; }
        .d-major { fill: #c62828; }
        .d-none { fill: #8c8c8c; }
        .figure { white-space: nowrap; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
        footer { color: #4a4a4a; font-size: 0.9rem; }

        """
}

/// Builds HTML: `raw` for markup the page writes itself, `text` for anything from data (escaped).
struct HTMLText {
    private(set) var text = ""

    init(reservingCapacity capacity: Int) {
        text.reserveCapacity(capacity)
    }

    mutating func raw(_ markup: String) {
        text += markup
    }

    /// Data, escaped for element content and attribute values alike (by scalar: see HTMLEscape).
    mutating func text(_ value: String) {
        text += HTMLEscape.escape(value)
    }

    /// A `<time>` element: the local time shown, the instant in `datetime`.
    mutating func time(_ date: Date, _ local: LocalTime) {
        text += "<time datetime=\"\(local.iso(date))\">\(local.format(date))</time>"
    }
}

/// Local times in the page's zone, `2026-12-05 12:43`.
struct LocalTime {
    let zone: TimeZone
    private let calendar: Calendar

    init(zone: TimeZone) {
        self.zone = zone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
    }

    func format(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
