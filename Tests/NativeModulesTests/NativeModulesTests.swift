import Foundation
import ICalendar
import MailAdmin
import SwitchboardCore
import SwitchboardBase
import Testing
import Transport

/// One smoke test per C library, so a broken native build shows on the first day.
@Suite struct NativeModulesTests {
    @Test func libcurlSpeaksTheMailProtocols() {
        let runtime = CurlRuntime.current()
        #expect(runtime.version != "unknown")
        for name in ["smtp", "smtps", "imap", "imaps", "http", "https"] {
            #expect(runtime.protocols.contains(name), "libcurl lacks \(name)")
        }
        #expect(runtime.sslVersion?.contains("OpenSSL") == true)
    }

    @Test func libicalParsesAnEventAndRefusesGarbage() throws {
        let text = """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//Switchboard//Test//EN\r
        BEGIN:VEVENT\r
        UID:smoke-1@switchboard\r
        DTSTAMP:20261129T010000Z\r
        DTSTART:20261130T020000Z\r
        SUMMARY:Họp giao ban\r
        END:VEVENT\r
        END:VCALENDAR\r

        """
        let object = try CalendarParser.parse(text, source: "smoke.ics")
        #expect(object.events.map(\.summary) == ["Họp giao ban"])
        #expect(throws: CalendarError.self) { try CalendarParser.parse("this is not a calendar", source: "garbage.ics") }
    }

    @Test func libicalExpandsARuleAndRefusesGarbage() throws {
        let zone = try CalendarZone("Asia/Ho_Chi_Minh")
        let rule = try RecurrenceRule("FREQ=WEEKLY;BYDAY=TU;COUNT=2")
        let starts = try RecurrenceExpander.occurrences(
            start: LocalDateTime(year: 2026, month: 12, day: 8, hour: 9), zone: zone, rule: rule, exceptions: [],
            from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4_000_000_000), limit: 10)
        #expect(starts.map(\.timeIntervalSince1970) == [1_796_695_200, 1_797_300_000])  // 2026-12-08 and -15, 02:00Z
        #expect(throws: CalendarError.self) { try RecurrenceRule("this is not a rule") }
    }

    @Test(arguments: PasswordScheme.allCases)
    func libxcryptHashesVerify(scheme: PasswordScheme) throws {
        let hasher = CryptPasswordHasher(scheme: scheme)
        let hash = try hasher.hash(Secret("Đúng-mật-khẩu-2026"))
        #expect(hash.hasPrefix(scheme == .yescrypt ? "{CRYPT}$y$" : "{SHA512-CRYPT}$6$"))
        #expect(CryptPasswordHasher.verify(Secret("Đúng-mật-khẩu-2026"), against: hash))
        #expect(!CryptPasswordHasher.verify(Secret("sai-mật-khẩu"), against: hash))
        // A second hash of the same password has a fresh salt.
        #expect(try hasher.hash(Secret("Đúng-mật-khẩu-2026")) != hash)
    }
}
