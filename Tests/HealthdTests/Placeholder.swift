import Testing

@Suite struct HealthdTestsPlaceholder {
    @Test func builds() { #expect(Bool(true)) }
}
