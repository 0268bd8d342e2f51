import Testing
import MailTestSupport

@Suite struct HealthdTestsPlaceholder {
    @Test func builds() { #expect(Bool(true)) }
}
