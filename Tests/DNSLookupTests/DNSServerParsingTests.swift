import DNSLookup
import Testing

/// Placeholder until the DNSLookup change lands its tests (against the test run's knot server).
@Suite struct DNSServerParsingTests {
    @Test func aServerPrintsAsHostAndPort() {
        #expect(DNSServer(host: "127.0.0.1", port: 5353).description == "127.0.0.1:5353")
        #expect(DNSServer(host: "::1", port: 53).description == "[::1]:53")
    }
}
