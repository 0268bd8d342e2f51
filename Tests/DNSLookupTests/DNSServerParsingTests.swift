import DNSLookup
import SwitchboardBase
import Testing

/// `--server HOST:PORT` as the user types it.
@Suite struct DNSServerParsingTests {
    @Test func aServerPrintsAsHostAndPort() {
        #expect(DNSServer(host: "127.0.0.1", port: 5353).description == "127.0.0.1:5353")
        #expect(DNSServer(host: "::1", port: 53).description == "[::1]:53")
    }

    @Test(arguments: [
        ("127.0.0.1:5353", "127.0.0.1", 5353),
        ("127.0.0.1", "127.0.0.1", 53),
        ("192.0.2.53:53", "192.0.2.53", 53),
        ("[::1]:5353", "::1", 5353),
        ("[2001:db8::53]", "2001:db8::53", 53),
        ("::1", "::1", 53),
        ("2001:db8::53", "2001:db8::53", 53),
        ("127.0.0.1:65535", "127.0.0.1", 65535),
    ])
    func goodServersParse(_ text: String, _ host: String, _ port: Int) throws {
        let server = try DNSServer(parsing: text)
        #expect(server == DNSServer(host: host, port: port))
    }

    @Test func aHostNameIsResolvedToAnAddress() throws {
        let server = try DNSServer(parsing: "localhost:5353")
        #expect(server.host == "127.0.0.1" || server.host == "::1")
        #expect(server.port == 5353)
    }

    @Test(arguments: [
        "", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:99999999", "127.0.0.1:53a", "127.0.0.1:-1",
        "[::1", "[::1]x", "[::1]:", "[127.0.0.1]:53", "[]:53", "1.2.3.400", "1.2.3", "a:b:c", "dns server:53",
        ":53", "host_name!:53", " 127.0.0.1", "127.0.0.1:53\n", "no-such-host.invalid:53",
    ])
    func badServersAreOneLineInvalidInput(_ text: String) {
        #expect {
            try DNSServer(parsing: text)
        } throws: { error in
            guard let error = error as? DNSError else { return false }
            return error.code == .invalidInput && error.category.exitStatus == 65 && !error.description.contains("\n")
                && error.description.contains("HOST:PORT")
        }
    }

    @Test func theRefusalQuotesWhatWasGiven() throws {
        let error = try #require(throws: DNSError.self) { try DNSServer(parsing: "10.0.0.1:http") }
        #expect(error.description.contains("\"10.0.0.1:http\""))
        #expect(error.description.contains("port"))
    }
}
