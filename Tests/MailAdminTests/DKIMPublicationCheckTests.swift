import DNSLookup
@testable import MailAdmin
import Testing

/// `mailctl domain dkim advance` signs with a new key only once every authoritative name server
/// of the zone serves its record (a secondary that lags would fail the new signatures).
@Suite struct DKIMPublicationCheckTests {
    static let key = "TUlJQktleQ=="
    static let record = "sb-2._domainkey.mail.example.org"

    /// The system resolver's view: example.org's zone has two name servers (mail.example.org has no NS of its own).
    static func system() -> FakeDNS {
        var dns = FakeDNS()
        dns.add("mail.example.org", .mx(preference: 10, exchange: "mx.example.org"))
        dns.add("example.org", .ns("ns1.example.org"))
        dns.add("example.org", .ns("ns2.example.net"))
        dns.add("ns1.example.org", .a("192.0.2.1"))
        dns.add("ns2.example.net", .aaaa("2001:db8::2"))
        return dns
    }

    static func server(serving: Bool) -> FakeDNS {
        var dns = FakeDNS()
        if serving { dns.add(record, .txt("v=DKIM1; k=rsa; p=\(key)")) } else { dns.add(record, .txt("v=DKIM1; k=rsa; p=T3RoZXI=")) }
        return dns
    }

    func check(primary: Bool, secondary: Bool) throws -> DKIMPublicationCheck.Outcome {
        let servers: [String: FakeDNS] = ["192.0.2.1": Self.server(serving: primary), "2001:db8::2": Self.server(serving: secondary)]
        let source = DKIMRecordSource.authoritative(resolver: Self.system(), serverFor: { servers[$0.host] ?? FakeDNS() })
        return try DKIMPublicationCheck(source: source).check(record: Self.record, domain: "mail.example.org", publicKey: Self.key)
    }

    @Test func servedOnlyWhenEveryNameServerHasTheKey() throws {
        #expect(try check(primary: true, secondary: true) == .served)
        guard case .notYet(let lagging) = try check(primary: true, secondary: false) else {
            Issue.record("activated while a secondary still serves another key"); return
        }
        #expect(lagging.contains("ns2.example.net: another record there"), "\(lagging)")
        #expect(!lagging.contains("ns1.example.org"), "\(lagging)")
    }

    @Test func oneNamedServerIsAskedAlone() throws {
        let served = try DKIMPublicationCheck(source: .server(Self.server(serving: true)))
            .check(record: Self.record, domain: "mail.example.org", publicKey: Self.key)
        #expect(served == .served)
        let empty = try DKIMPublicationCheck(source: .server(FakeDNS())).check(record: Self.record, domain: "mail.example.org", publicKey: Self.key)
        #expect(empty == .notYet("nothing there yet at \(Self.record)"))
    }

    @Test func aNameServerWithoutAnAddressOrThatDoesNotAnswerIsAnError() throws {
        var system = Self.system()
        system.remove("ns2.example.net", .aaaa)
        let noAddress = DKIMRecordSource.authoritative(resolver: system, serverFor: { _ in Self.server(serving: true) })
        #expect(throws: DNSError.self) {
            try DKIMPublicationCheck(source: noAddress).check(record: Self.record, domain: "mail.example.org", publicKey: Self.key)
        }
        var silentServer = FakeDNS()
        silentServer.failures["\(Self.record) TXT"] = DNSError(.timeout, "no answer")
        let silent = silentServer
        let down = DKIMRecordSource.authoritative(resolver: Self.system(), serverFor: { _ in silent })
        #expect(throws: DNSError(.timeout, "no answer")) {
            try DKIMPublicationCheck(source: down).check(record: Self.record, domain: "mail.example.org", publicKey: Self.key)
        }
    }
}
