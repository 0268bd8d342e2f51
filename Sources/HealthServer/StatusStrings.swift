import Foundation
import HealthMonitor

/// The words of the status page and of the status document's sentences, in Vietnamese and English.
struct StatusStrings: Sendable {
    /// `vi` or `en` (anything that is not Vietnamese gets English).
    let language: String

    init(language: String) {
        self.language = language.lowercased().hasPrefix("vi") ? "vi" : "en"
    }

    private var vi: Bool { language == "vi" }

    /// The sentence of an overall indicator.
    func overall(_ indicator: StatusDocument.Indicator) -> String {
        switch indicator {
        case .none: vi ? "Tất cả dịch vụ hoạt động bình thường" : "All systems operational"
        case .minor: vi ? "Một số dịch vụ đang bị suy giảm" : "Some services are degraded"
        case .major: vi ? "Một số dịch vụ đang ngừng hoạt động" : "Some services are down"
        case .critical: vi ? "Tất cả dịch vụ đang ngừng hoạt động" : "All services are down"
        case .maintenance: vi ? "Một số dịch vụ đang được bảo trì" : "Some services are under maintenance"
        }
    }

    /// A service's state in words.
    func state(_ state: ServiceState) -> String {
        switch state {
        case .up: vi ? "Hoạt động" : "Operational"
        case .degraded: vi ? "Suy giảm" : "Degraded"
        case .down: vi ? "Ngừng hoạt động" : "Down"
        case .maintenance: vi ? "Đang bảo trì" : "Maintenance"
        case .unknown: vi ? "Chưa rõ" : "Unknown"
        }
    }

    /// A group's status in words.
    func status(_ status: StatusDocument.ComponentStatus) -> String {
        switch status {
        case .operational: state(.up)
        case .degradedPerformance: state(.degraded)
        case .partialOutage: vi ? "Ngừng một phần" : "Partial outage"
        case .majorOutage: state(.down)
        case .underMaintenance: state(.maintenance)
        case .unknown: state(.unknown)
        }
    }

    var pageSubtitle: String { vi ? "Trạng thái dịch vụ" : "Service status" }
    var updatedAt: String { vi ? "Cập nhật lúc" : "Updated at" }
    var refreshNote: String { vi ? "Trang tự làm mới mỗi 60 giây." : "This page refreshes itself every 60 seconds." }
    var openIncidents: String { vi ? "Sự cố đang diễn ra" : "Open incidents" }
    var noOpenIncidents: String { vi ? "Không có sự cố nào đang diễn ra." : "No open incidents." }
    var resolvedIncidents: String { vi ? "Sự cố đã khắc phục trong 7 ngày qua" : "Incidents resolved in the last 7 days" }
    var maintenance: String { vi ? "Bảo trì" : "Maintenance" }
    var noMaintenance: String { vi ? "Không có lịch bảo trì trong 7 ngày tới." : "No maintenance planned in the next 7 days." }
    var services: String { vi ? "Dịch vụ" : "Services" }
    var service: String { vi ? "Dịch vụ" : "Service" }
    var stateHeading: String { vi ? "Trạng thái" : "State" }
    var since: String { vi ? "Từ lúc" : "Since" }
    var lastCheck: String { vi ? "Lần kiểm tra cuối" : "Last check" }
    var uptime90: String { vi ? "Khả dụng 90 ngày qua" : "Availability, last 90 days" }
    var started: String { vi ? "Bắt đầu" : "Started" }
    var ended: String { vi ? "Kết thúc" : "Ended" }
    var cause: String { vi ? "Nguyên nhân" : "Cause" }
    var severity: String { vi ? "Mức độ" : "Severity" }
    var acknowledged: String { vi ? "Đã tiếp nhận" : "Acknowledged" }
    var notAcknowledged: String { vi ? "Chưa tiếp nhận" : "Not acknowledged" }
    var causedBy: String { vi ? "do sự cố của" : "because of" }
    var window: String { vi ? "Thời gian" : "When" }
    var reason: String { vi ? "Lý do" : "Reason" }
    var servicesCovered: String { vi ? "Dịch vụ" : "Services" }
    var allServices: String { vi ? "Tất cả dịch vụ" : "All services" }
    var activeNow: String { vi ? "Đang diễn ra" : "In progress" }
    var coming: String { vi ? "Sắp tới" : "Coming" }
    var noData: String { vi ? "chưa có số liệu" : "no data" }
    var never: String { vi ? "chưa kiểm tra" : "not checked yet" }
    var to: String { vi ? "đến" : "to" }
    var times: String { vi ? "Giờ hiển thị theo múi giờ" : "Times are in the time zone" }

    /// The caption of a group's table.
    func groupCaption(_ group: String) -> String {
        vi ? "Nhóm \(group): trạng thái và mức khả dụng của từng dịch vụ" : "\(group): state and availability of each service"
    }

    /// The text alternative of a service's 90-day uptime bars.
    func uptimeSummary(days: Int, average: Double?, worst: [(day: String, percent: String)]) -> String {
        guard let average else { return vi ? "Khả dụng \(days) ngày qua: chưa có số liệu." : "Availability over \(days) days: no data yet." }
        let figure = Self.percent(average)
        if worst.isEmpty {
            return vi ? "Khả dụng \(days) ngày qua: \(figure), không có ngày nào gián đoạn." : "Availability over \(days) days: \(figure), no day with an outage."
        }
        let list = worst.map { "\($0.day) \($0.percent)" }.joined(separator: ", ")
        return vi
            ? "Khả dụng \(days) ngày qua: \(figure). Ngày có gián đoạn: \(list)."
            : "Availability over \(days) days: \(figure). Days with an outage: \(list)."
    }

    /// A ratio 0...1 as a percentage with up to three decimals (`99.95%`, `100%`).
    static func percent(_ ratio: Double) -> String {
        let value = (ratio * 100_000).rounded() / 1_000
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}
