import Foundation
import HealthMonitor
import SwitchboardBase
import SwitchboardCore
import Testing

/// The monthly report: month boundaries in the local zone, CSV that parses with numbers equal to
/// the history's SLA, a text table, and an HTML page that is self-contained and readable without colour.
@Suite struct ReportTests {
    static let zone = "Asia/Ho_Chi_Minh"
    /// 2026-11-01 00:00 in Ho Chi Minh City (UTC+7) = 2026-10-31T17:00:00Z.
    static let monthStart: Int64 = 1_793_466_000_000
    static let monthEnd: Int64 = monthStart + 30 * 86_400_000

    static func services() -> [ServiceDefinition] {
        [ServiceDefinition(name: "portal", title: "Cổng thông tin", group: "Web, công khai", kind: .http, target: "https://portal.example"),
         ServiceDefinition(name: "mail", title: "Thư điện tử", group: "Mail", kind: .smtp, target: "smtp://mx.example:25"),
         ServiceDefinition(name: "idle", title: "Never probed", group: "Other", kind: .tcp, target: "10.0.0.1:22")]
    }

    /// Every 5 minutes from a day before the month to a day after: portal down 1 h on the 3rd
    /// and in maintenance 2 h on the 10th; mail degraded half a day and silent (unknown) for 6 h.
    static func history(_ folder: HistoryFolder) throws -> HistoryStore {
        let store = try HistoryStore(path: folder.file, retention: Retention(rawDays: 40, hourlyDays: 40, dailyDays: 400))
        let step: Int64 = 300_000, span: Int64 = 610_000
        var entries: [HistoryEntry] = []
        var at = monthStart - 86_400_000
        while at < monthEnd + 86_400_000 {
            let offset = at - monthStart
            let portal: SampleState = (2 * 86_400_000..<(2 * 86_400_000 + 3_600_000)).contains(offset) ? .down
                : (9 * 86_400_000..<(9 * 86_400_000 + 7_200_000)).contains(offset) ? .maintenance : .up
            entries.append(entry("portal", at, portal, spanMs: span))
            if !(20 * 86_400_000..<(20 * 86_400_000 + 6 * 3_600_000)).contains(offset) {
                let mail: SampleState = (14 * 86_400_000..<(14 * 86_400_000 + 43_200_000)).contains(offset) ? .degraded : .up
                entries.append(entry("mail", at, mail, spanMs: span))
            }
            at += step
        }
        try store.record(entries)
        return store
    }

    @Test func csvParsesAndItsNumbersAreTheSLA() throws {
        let folder = try HistoryFolder()
        let store = try Self.history(folder)
        let now = date(Self.monthEnd + 2 * 86_400_000)
        let incident = IncidentRecord(id: 1, service: "portal", severity: .down, startedAt: date(Self.monthStart + 2 * 86_400_000),
                                      endedAt: date(Self.monthStart + 2 * 86_400_000 + 3_600_000), cause: "HTTP 503, expected 200")
        let outside = IncidentRecord(id: 2, service: "portal", severity: .down, startedAt: date(Self.monthStart - 5 * 86_400_000),
                                     endedAt: date(Self.monthStart - 4 * 86_400_000), cause: "outside-the-month")
        let window = MaintenanceEntry(id: 3, services: ["portal"], start: date(Self.monthStart + 9 * 86_400_000),
                                      end: date(Self.monthStart + 9 * 86_400_000 + 7_200_000), reason: "Nâng cấp", createdBy: "lan")
        let report = MonthlyReport(month: "2026-11", timeZone: Self.zone, title: "Bộ Nội vụ", language: "vi")
        let data = try report.build(services: Self.services(), history: store, incidents: [incident, outside], maintenance: [window], now: now)
        #expect(data.from == date(Self.monthStart) && data.to == date(Self.monthEnd))
        #expect(data.services.map(\.days.count) == [30, 30, 30])
        #expect(data.services[0].days.first?.day == "2026-11-01")

        let table = try CSVReader.parse(Data(report.csv(data).utf8))
        #expect(table.header == ["service", "group", "availability_percent", "downtime_seconds", "maintenance_seconds", "unknown_seconds", "incidents"])
        #expect(table.rows.map { $0.fields[0] } == ["portal", "mail", "idle"])
        #expect(table.rows[0].fields[1] == "Web, công khai")
        for (row, service) in zip(table.rows, Self.services()) {
            let sla = try store.sla(service: service.name, from: date(Self.monthStart), to: date(Self.monthEnd), now: now)
            if let ratio = sla.ratio {
                let percent = try #require(Double(row.fields[2]))
                #expect(abs(percent - ratio * 100) < 0.00005, "\(service.name)")
            } else {
                #expect(row.fields[2] == "", "\(service.name) has no data")
            }
            #expect(abs((Double(row.fields[3]) ?? -1) - sla.downSeconds) < 0.0005)
            #expect(abs((Double(row.fields[4]) ?? -1) - sla.maintenanceSeconds) < 0.0005)
            #expect(abs((Double(row.fields[5]) ?? -1) - sla.unknownSeconds) < 0.0005)
        }
        // What an operator expects of these numbers.
        #expect(table.rows[0].fields[3] == "3600.000" && table.rows[0].fields[4] == "7200.000" && table.rows[0].fields[6] == "1")
        let portalPercent = Double(table.rows[0].fields[2]) ?? 0
        let expectedPercent: Double = (1 - 3600.0 / Double(30 * 86_400 - 7200)) * 100
        #expect(abs(portalPercent - expectedPercent) < 0.00005)
        #expect(table.rows[1].fields[5] == String(format: "%.3f", 6 * 3600.0 - 310))
        #expect(table.rows[1].fields[3] == "0.000")

        let text = report.text(data)
        #expect(text.contains("portal") && text.contains("1 giờ 0 phút") && text.contains("Bộ Nội vụ"))
        #expect(text.contains("HTTP 503, expected 200") && text.contains("Nâng cấp") && !text.contains("outside-the-month"))
    }

    @Test func htmlIsSelfContainedWithATableAndChartsThatDoNotRelyOnColour() throws {
        let folder = try HistoryFolder()
        let store = try Self.history(folder)
        for language in ["vi", "en"] {
            let report = MonthlyReport(month: "2026-11", timeZone: Self.zone, title: "Ministry <IT>", language: language)
            let data = try report.build(services: Self.services(), history: store, incidents: [], maintenance: [], now: date(Self.monthEnd))
            let html = report.html(data)
            #expect(html.contains("<html lang=\"\(language)\">"))
            #expect(html.contains("Ministry &lt;IT&gt;") && !html.contains("Ministry <IT>"))
            #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("src=") && !html.contains("href=") && !html.contains("url("))
            #expect(html.contains("<caption>") && html.contains("<th scope=\"col\">") && html.contains("<th scope=\"row\">"))
            #expect(html.components(separatedBy: "<svg ").count - 1 == 3)
            #expect(html.contains("role=\"img\"") && html.contains("aria-label="))
            // The rating in words for each service, beside its colour.
            #expect(html.contains(language == "vi" ? "kém" : "poor") || html.contains(language == "vi" ? "giảm" : "reduced") || html.contains(language == "vi" ? "tốt" : "good"))
            #expect(html.contains(language == "vi" ? "không có dữ liệu" : "no data"))
            // Each bar says its day and figure.
            #expect(html.contains("<title>2026-11-03: "))
        }
        #expect(throws: HealthBookError.self) {
            _ = try MonthlyReport(month: "2026-13", timeZone: Self.zone, title: "x", language: "en")
                .build(services: [], history: store, incidents: [], maintenance: [], now: Date())
        }
    }
}
