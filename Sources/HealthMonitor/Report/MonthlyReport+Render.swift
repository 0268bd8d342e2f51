import Foundation
import SwitchboardBase
import SwitchboardCore

extension MonthlyReport {
    /// The report as a terminal table, one line per service, then the incidents and maintenance.
    public func text(_ data: ReportData) -> String {
        let words = ReportWords(language: data.language)
        var lines = ["\(data.title) — \(words.heading) \(data.month) (\(data.timeZone))",
                     "\(words.period): \(display(data.from, data)) – \(display(data.to, data))",
                     words.method, ""]
        let header = [words.service, words.group, words.availability, words.rating, words.downtime, words.maintenance, words.unknown, words.incidents]
        var table = [header]
        for service in data.services {
            table.append([service.name, service.group, percent(service.sla.ratio, words), words.rating(service.sla.ratio),
                          duration(service.sla.downSeconds, words), duration(service.sla.maintenanceSeconds, words),
                          duration(service.sla.unknownSeconds, words), String(service.incidents.count)])
        }
        let widths = header.indices.map { column in table.map { DisplayWidth.of($0[column]) }.max() ?? 0 }
        for row in table {
            let cells = row.enumerated().map { index, cell in
                cell + String(repeating: " ", count: max(0, widths[index] - DisplayWidth.of(cell)))
            }
            lines.append(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let incidents = data.services.flatMap(\.incidents)
        if !incidents.isEmpty {
            lines += ["", words.incidentsHeading]
            for incident in incidents.sorted(by: { $0.startedAt < $1.startedAt }) {
                lines.append("- \(incident.service): \(display(incident.startedAt, data)) – \(incident.endedAt.map { display($0, data) } ?? words.ongoing) (\(words.state(incident.severity))) \(incident.cause)")
            }
        }
        let windows = uniqueMaintenance(data)
        if !windows.isEmpty {
            lines += ["", words.maintenanceHeading]
            for entry in windows {
                lines.append("- \(entry.services.joined(separator: ", ")): \(display(entry.start, data)) – \(display(entry.end, data)) \(entry.reason)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV, one row per service: `service, group, availability_percent` (empty when no
    /// time counted), `downtime_seconds`, `maintenance_seconds` (excluded from availability),
    /// `unknown_seconds`, `incidents`.
    public func csv(_ data: ReportData) -> String {
        let header = ["service", "group", "availability_percent", "downtime_seconds", "maintenance_seconds", "unknown_seconds", "incidents"]
        let rows = data.services.map { service in
            [service.name, service.group, service.sla.ratio.map { String(format: "%.4f", $0 * 100) } ?? "",
             String(format: "%.3f", service.sla.downSeconds), String(format: "%.3f", service.sla.maintenanceSeconds),
             String(format: "%.3f", service.sla.unknownSeconds), String(service.incidents.count)]
        }
        return CSVWriter.encode(header: header, rows: rows)
    }

    /// A self-contained HTML page (inline CSS, no external asset): a summary table a screen
    /// reader can walk (caption, scoped headers, the rating in words), and per service an
    /// inline SVG bar chart of its daily availability with a text alternative, each bar titled
    /// with its day, figure and rating (the rating is never told by colour alone).
    public func html(_ data: ReportData) -> String {
        let words = ReportWords(language: data.language)
        let heading = "\(data.title) — \(words.heading) \(data.month)"
        var page = """
            <!DOCTYPE html>
            <html lang="\(data.language)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(heading))</title>
            <style>
            body { font-family: system-ui, sans-serif; color: #1f2328; background: #ffffff; margin: 2rem; line-height: 1.5; }
            table { border-collapse: collapse; margin: 1rem 0; }
            caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
            th, td { border: 1px solid #8c959f; padding: 0.3rem 0.6rem; text-align: left; }
            td.number { text-align: right; font-variant-numeric: tabular-nums; }
            .good { color: #116329; } .reduced { color: #7d4e00; } .poor { color: #a40e26; } .none { color: #57606a; }
            svg { display: block; margin: 0.25rem 0 1rem; }
            </style>
            </head>
            <body>
            <main>
            <h1>\(escape(heading))</h1>
            <p>\(escape(words.period)): \(escape(display(data.from, data))) – \(escape(display(data.to, data))) (\(escape(data.timeZone))). \(escape(words.method))</p>
            <table>
            <caption>\(escape(words.summaryCaption))</caption>
            <thead><tr>
            """
        for label in [words.service, words.group, words.availability, words.rating, words.downtime, words.maintenance, words.unknown, words.incidents] {
            page += "<th scope=\"col\">\(escape(label))</th>"
        }
        page += "</tr></thead>\n<tbody>\n"
        for service in data.services {
            let ratio = service.sla.ratio
            page += "<tr><th scope=\"row\">\(escape(service.title))<br><small>\(escape(service.name))</small></th><td>\(escape(service.group))</td>"
            page += "<td class=\"number\">\(escape(percent(ratio, words)))</td>"
            page += "<td class=\"\(ReportWords.cssClass(ratio))\">\(ReportWords.symbol(ratio)) \(escape(words.rating(ratio)))</td>"
            page += "<td class=\"number\">\(escape(duration(service.sla.downSeconds, words)))</td>"
            page += "<td class=\"number\">\(escape(duration(service.sla.maintenanceSeconds, words)))</td>"
            page += "<td class=\"number\">\(escape(duration(service.sla.unknownSeconds, words)))</td>"
            page += "<td class=\"number\">\(service.incidents.count)</td></tr>\n"
        }
        page += "</tbody>\n</table>\n<h2>\(escape(words.chartsHeading))</h2>\n"
        for service in data.services {
            page += "<h3>\(escape(service.title))</h3>\n" + chart(service, words: words, data: data)
        }
        let incidents = data.services.flatMap(\.incidents).sorted { $0.startedAt < $1.startedAt }
        page += "<h2>\(escape(words.incidentsHeading))</h2>\n"
        if incidents.isEmpty {
            page += "<p>\(escape(words.noIncidents))</p>\n"
        } else {
            page += "<table>\n<caption>\(escape(words.incidentsHeading))</caption>\n<thead><tr>"
            for label in [words.service, words.started, words.ended, words.severity, words.cause] { page += "<th scope=\"col\">\(escape(label))</th>" }
            page += "</tr></thead>\n<tbody>\n"
            for incident in incidents {
                page += "<tr><th scope=\"row\">\(escape(incident.service))</th><td>\(escape(display(incident.startedAt, data)))</td>"
                page += "<td>\(escape(incident.endedAt.map { display($0, data) } ?? words.ongoing))</td><td>\(escape(words.state(incident.severity)))</td>"
                page += "<td>\(escape(incident.cause))</td></tr>\n"
            }
            page += "</tbody>\n</table>\n"
        }
        let windows = uniqueMaintenance(data)
        page += "<h2>\(escape(words.maintenanceHeading))</h2>\n"
        if windows.isEmpty {
            page += "<p>\(escape(words.noMaintenance))</p>\n"
        } else {
            page += "<table>\n<caption>\(escape(words.maintenanceHeading))</caption>\n<thead><tr>"
            for label in [words.services, words.started, words.ended, words.reason] { page += "<th scope=\"col\">\(escape(label))</th>" }
            page += "</tr></thead>\n<tbody>\n"
            for entry in windows {
                page += "<tr><th scope=\"row\">\(escape(entry.services.joined(separator: ", ")))</th><td>\(escape(display(entry.start, data)))</td>"
                page += "<td>\(escape(display(entry.end, data)))</td><td>\(escape(entry.reason))</td></tr>\n"
            }
            page += "</tbody>\n</table>\n"
        }
        page += "<p><small>\(escape(words.generated)) \(escape(display(data.generatedAt, data)))</small></p>\n</main>\n</body>\n</html>\n"
        return page
    }

    /// One service's daily bars: height is the day's availability (from 90% at the bottom),
    /// colour and title give its rating; the SVG's label sums it up in words.
    private func chart(_ service: ServiceReport, words: ReportWords, data: ReportData) -> String {
        let barWidth = 14, gap = 4, height = 80
        let width = max(1, service.days.count) * (barWidth + gap)
        let counted = service.days.compactMap { day in day.sla.ratio.map { (day.day, $0) } }
        let lowest = counted.min { $0.1 < $1.1 }
        let summary = lowest.map { words.chartSummary(service.title, lowest: percent($0.1, words), day: $0.0) } ?? words.chartNoData(service.title)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height + 20)\" viewBox=\"0 0 \(width) \(height + 20)\" aria-label=\"\(escape(summary))\">\n"
        svg += "<title>\(escape(summary))</title>\n"
        for (index, day) in service.days.enumerated() {
            let ratio = day.sla.ratio
            let scaled = ratio.map { max(0.04, min(1, ($0 - 0.9) / 0.1)) } ?? 1
            let barHeight = Int((Double(height) * scaled).rounded())
            let x = index * (barWidth + gap)
            svg += "<rect x=\"\(x)\" y=\"\(height - barHeight)\" width=\"\(barWidth)\" height=\"\(barHeight)\" fill=\"\(ReportWords.colour(ratio))\">"
            svg += "<title>\(escape(day.day)): \(escape(percent(ratio, words))) (\(escape(words.rating(ratio))))</title></rect>\n"
            if index % 5 == 0 {
                svg += "<text x=\"\(x)\" y=\"\(height + 14)\" font-size=\"10\" fill=\"#1f2328\">\(escape(String(day.day.suffix(2))))</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    private func uniqueMaintenance(_ data: ReportData) -> [MaintenanceEntry] {
        var seen: [MaintenanceEntry] = []
        for entry in data.services.flatMap(\.maintenance).sorted(by: { $0.start < $1.start }) where !seen.contains(entry) {
            seen.append(entry)
        }
        return seen
    }

    private func display(_ date: Date, _ data: ReportData) -> String {
        Timestamp.display(Timestamp.format(date), zone: data.timeZone)
    }

    func percent(_ ratio: Double?, _ words: ReportWords) -> String {
        ratio.map { String(format: "%.3f%%", $0 * 100) } ?? words.noData
    }

    func duration(_ seconds: Double, _ words: ReportWords) -> String {
        let total = Int(seconds.rounded())
        let days = total / 86_400, hours = total % 86_400 / 3_600, minutes = total % 3_600 / 60, rest = total % 60
        if days > 0 { return "\(days) \(words.dayUnit) \(hours) \(words.hourUnit)" }
        if hours > 0 { return "\(hours) \(words.hourUnit) \(minutes) \(words.minuteUnit)" }
        if minutes > 0 { return "\(minutes) \(words.minuteUnit) \(rest) s" }
        return "\(rest) s"
    }

    /// By scalar (see HTMLEscape): a banner or error line is text a monitored server wrote.
    private func escape(_ text: String) -> String {
        HTMLEscape.escape(text)
    }
}

/// The report's words in Vietnamese or English.
struct ReportWords {
    let vi: Bool

    init(language: String) { vi = language == "vi" }

    var heading: String { vi ? "Báo cáo mức sẵn sàng tháng" : "Availability report for" }
    var period: String { vi ? "Kỳ báo cáo" : "Period" }
    var method: String {
        vi ? "Mức sẵn sàng tính theo thời gian; thời gian bảo trì và thời gian không có dữ liệu không được tính."
            : "Availability is time-weighted; maintenance and time without data are not counted."
    }
    var service: String { vi ? "Dịch vụ" : "Service" }
    var services: String { vi ? "Các dịch vụ" : "Services" }
    var group: String { vi ? "Nhóm" : "Group" }
    var availability: String { vi ? "Mức sẵn sàng" : "Availability" }
    var rating: String { vi ? "Đánh giá" : "Rating" }
    var downtime: String { vi ? "Thời gian gián đoạn" : "Downtime" }
    var maintenance: String { vi ? "Bảo trì (không tính)" : "Maintenance (excluded)" }
    var unknown: String { vi ? "Không có dữ liệu" : "No data" }
    var incidents: String { vi ? "Sự cố" : "Incidents" }
    var summaryCaption: String { vi ? "Mức sẵn sàng của từng dịch vụ trong tháng" : "Availability of each service over the month" }
    var chartsHeading: String { vi ? "Mức sẵn sàng theo ngày" : "Daily availability" }
    var incidentsHeading: String { vi ? "Các sự cố trong tháng" : "Incidents in the month" }
    var maintenanceHeading: String { vi ? "Các đợt bảo trì trong tháng" : "Maintenance in the month" }
    var noIncidents: String { vi ? "Không có sự cố." : "No incidents." }
    var noMaintenance: String { vi ? "Không có đợt bảo trì." : "No maintenance." }
    var started: String { vi ? "Bắt đầu" : "Started" }
    var ended: String { vi ? "Kết thúc" : "Ended" }
    var severity: String { vi ? "Mức độ" : "Severity" }
    var cause: String { vi ? "Nguyên nhân" : "Cause" }
    var reason: String { vi ? "Lý do" : "Reason" }
    var ongoing: String { vi ? "chưa kết thúc" : "ongoing" }
    var generated: String { vi ? "Lập lúc" : "Generated" }
    var noData: String { vi ? "không có dữ liệu" : "no data" }
    var dayUnit: String { vi ? "ngày" : "d" }
    var hourUnit: String { vi ? "giờ" : "h" }
    var minuteUnit: String { vi ? "phút" : "min" }

    func state(_ state: ServiceState) -> String {
        switch state {
        case .down: vi ? "ngừng hoạt động" : "down"
        case .degraded: vi ? "suy giảm" : "degraded"
        case .up: vi ? "hoạt động" : "up"
        case .maintenance: vi ? "bảo trì" : "maintenance"
        case .unknown: vi ? "không rõ" : "unknown"
        }
    }

    /// good at 99.9% and above, reduced from 99%, poor below.
    func rating(_ ratio: Double?) -> String {
        guard let ratio else { return noData }
        if ratio >= 0.999 { return vi ? "tốt" : "good" }
        if ratio >= 0.99 { return vi ? "giảm" : "reduced" }
        return vi ? "kém" : "poor"
    }

    func chartSummary(_ title: String, lowest: String, day: String) -> String {
        vi ? "Mức sẵn sàng theo ngày của \(title); ngày thấp nhất \(day): \(lowest)" : "Daily availability of \(title); lowest day \(day): \(lowest)"
    }

    func chartNoData(_ title: String) -> String {
        vi ? "Mức sẵn sàng theo ngày của \(title): không có dữ liệu" : "Daily availability of \(title): no data"
    }

    static func cssClass(_ ratio: Double?) -> String {
        guard let ratio else { return "none" }
        return ratio >= 0.999 ? "good" : ratio >= 0.99 ? "reduced" : "poor"
    }

    static func symbol(_ ratio: Double?) -> String {
        guard let ratio else { return "?" }
        return ratio >= 0.999 ? "✓" : ratio >= 0.99 ? "!" : "✗"
    }

    /// Bar colours, each at least 3:1 against the white page (WCAG 1.4.11).
    static func colour(_ ratio: Double?) -> String {
        guard let ratio else { return "#6e7781" }
        return ratio >= 0.999 ? "#1a7f37" : ratio >= 0.99 ? "#9a6700" : "#cf222e"
    }
}
