import Foundation
import HealthMonitor
import Testing

/// Maintenance windows: once, weekly in a local zone (across DST), past midnight, by service.
@Suite struct MaintenanceTests {
    /// An instant from its UTC text.
    static func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text) ?? .distantPast
    }

    static let berlinEvenings = MaintenanceWindow(
        services: ["portal"], schedule: .weekly(days: [.saturday, .sunday], startMinute: 22 * 60, endMinute: 23 * 60 + 30, timeZone: "Europe/Berlin"),
        reason: "Sicherung")

    @Test func aWeeklyWindowStaysAtLocalTimeAcrossTheSpringDSTChange() {
        // 2026-03-29 (Sunday) Berlin moves from CET (+01) to CEST (+02).
        let calendar = MaintenanceCalendar(windows: [Self.berlinEvenings])
        let entries = calendar.entries(from: Self.utc("2026-03-27T00:00:00Z"), to: Self.utc("2026-03-31T00:00:00Z"))
        #expect(entries.map(\.start) == [Self.utc("2026-03-28T21:00:00Z"), Self.utc("2026-03-29T20:00:00Z")])
        #expect(entries.map(\.end) == [Self.utc("2026-03-28T22:30:00Z"), Self.utc("2026-03-29T21:30:00Z")])
        #expect(entries.allSatisfy { $0.services == ["portal"] && $0.reason == "Sicherung" && $0.id == nil })
        #expect(calendar.active(for: "portal", at: Self.utc("2026-03-28T21:15:00Z")) == Self.berlinEvenings)   // 22:15 CET
        #expect(calendar.active(for: "portal", at: Self.utc("2026-03-28T20:30:00Z")) == nil)                  // 21:30 CET
        #expect(calendar.active(for: "portal", at: Self.utc("2026-03-29T20:15:00Z")) == Self.berlinEvenings)   // 22:15 CEST
        #expect(calendar.active(for: "portal", at: Self.utc("2026-03-29T21:45:00Z")) == nil)                  // 23:45 CEST
        #expect(calendar.active(for: "mail", at: Self.utc("2026-03-29T20:15:00Z")) == nil, "another service")
    }

    @Test func aWeeklyWindowStaysAtLocalTimeAcrossTheAutumnDSTChange() {
        // 2026-10-25 (Sunday) Berlin moves back from CEST to CET.
        let calendar = MaintenanceCalendar(windows: [Self.berlinEvenings])
        let entries = calendar.entries(from: Self.utc("2026-10-23T00:00:00Z"), to: Self.utc("2026-10-27T00:00:00Z"))
        #expect(entries.map(\.start) == [Self.utc("2026-10-24T20:00:00Z"), Self.utc("2026-10-25T21:00:00Z")])
        #expect(entries.map { $0.end.timeIntervalSince($0.start) } == [5400, 5400])
    }

    @Test func aWindowPastMidnightCoversTheNextMorning() {
        let night = MaintenanceWindow(services: ["*"], schedule: .weekly(days: [.friday], startMinute: 23 * 60, endMinute: 60, timeZone: "Asia/Ho_Chi_Minh"),
                                      reason: "Sao lưu")
        let calendar = MaintenanceCalendar(windows: [night])
        // Friday 2026-12-04 23:00 in Hanoi is 16:00 UTC; it ends Saturday 01:00 (18:00 UTC).
        #expect(calendar.active(for: "anything", at: Self.utc("2026-12-04T17:30:00Z")) == night)
        #expect(calendar.activeEntry(for: "anything", at: Self.utc("2026-12-04T17:30:00Z"))?.end == Self.utc("2026-12-04T18:00:00Z"))
        #expect(calendar.active(for: "anything", at: Self.utc("2026-12-04T18:00:00Z")) == nil, "the end is not inside")
        #expect(calendar.active(for: "anything", at: Self.utc("2026-12-05T17:30:00Z")) == nil, "not on Saturday night")
        let week = calendar.entries(from: Self.utc("2026-12-01T00:00:00Z"), to: Self.utc("2026-12-15T00:00:00Z"))
        #expect(week.map(\.start) == [Self.utc("2026-12-04T16:00:00Z"), Self.utc("2026-12-11T16:00:00Z")])
    }

    @Test func onceWindowsAndStoredOnesKeepTheirIdsInTimeOrder() {
        let stored = MaintenanceWindow(id: 7, services: ["mail"], schedule: .once(start: Self.utc("2026-12-10T01:00:00Z"), end: Self.utc("2026-12-10T03:00:00Z")),
                                       reason: "Nâng cấp Dovecot")
        let earlier = MaintenanceWindow(services: ["portal"], schedule: .once(start: Self.utc("2026-12-08T01:00:00Z"), end: Self.utc("2026-12-08T02:00:00Z")),
                                        reason: "x")
        let calendar = MaintenanceCalendar(windows: [stored, earlier])
        #expect(calendar.entries(from: Self.utc("2026-12-01T00:00:00Z"), to: Self.utc("2026-12-31T00:00:00Z")).map(\.id) == [nil, 7])
        #expect(calendar.entries(from: Self.utc("2026-12-10T02:59:00Z"), to: Self.utc("2026-12-11T00:00:00Z")).map(\.id) == [7], "overlapping the start of the range")
        #expect(calendar.entries(from: Self.utc("2026-12-10T03:00:00Z"), to: Self.utc("2026-12-11T00:00:00Z")).isEmpty, "ended exactly at its start")
        #expect(calendar.active(for: "mail", at: Self.utc("2026-12-10T01:00:00Z"))?.id == 7)
        #expect(calendar.active(for: "mail", at: Self.utc("2026-12-10T03:00:00Z")) == nil)
    }

    @Test func windowsFromTheConfigurationAreReadInTheHealthTimeZone() throws {
        let directory = try HealthDirectory()
        let settings = try directory.settings("""
            health:
              time_zone: Europe/Berlin
              services:
                - name: portal
                  kind: tcp
                  target: "h:1"
                  maintenance:
                    - weekly: {days: [sat, sun], from: "22:00", to: "23:30"}
                      reason: Sicherung
            """)
        let calendar = MaintenanceCalendar(windows: settings.allMaintenanceWindows)
        #expect(calendar.entries(from: Self.utc("2026-03-27T00:00:00Z"), to: Self.utc("2026-03-31T00:00:00Z")).map(\.start)
            == [Self.utc("2026-03-28T21:00:00Z"), Self.utc("2026-03-29T20:00:00Z")])
    }
}
