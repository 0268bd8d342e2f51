import DNSLookup
import Foundation
import SwitchboardTestSupport
import Testing

/// The test DNS itself (ops/testdns/zone through TestDNS), as other suites use it: a zone
/// served, changed, refused when broken, and removed.
@Suite struct TestDNSTests {
    @Test func aZoneIsServedChangedAndRemovedAndEachCallReturnsOnlyOnceItIsVisible() throws {
        let dns = try TestDNS.current()
        let zone = "serve-\(UInt32.random(in: 0...UInt32.max)).switchboard.test"
        let resolver = DNSResolver(server: try DNSServer(parsing: dns.server), timeoutSeconds: 2, attempts: 1)
        defer { try? dns.remove(zone: zone) }

        try dns.serve(zone: zone, records: "\(zone). 60 IN TXT \"v=spf1 -all\"\n")
        #expect(try resolver.lookup(zone, .txt) == .records([.txt("v=spf1 -all")]))

        // Served again: the old records are gone, the new ones there, at once.
        try dns.serve(zone: zone, records: "\(zone). 60 IN TXT \"v=spf1 mx -all\"\nmail.\(zone). 60 IN A 192.0.2.25\n")
        #expect(try resolver.lookup(zone, .txt) == .records([.txt("v=spf1 mx -all")]))
        #expect(try resolver.lookup("mail.\(zone)", .a) == .records([.a("192.0.2.25")]))

        // Broken records are refused with knot's reason; what was served stays.
        let refusal = try #require(throws: TestSetupError.self) {
            try dns.serve(zone: zone, records: "\(zone). 60 IN TXT \"v=spf1 -all\"\n\(zone). 60 IN NOSUCHTYPE 1\n")
        }
        #expect(refusal.description.contains("exit 65"))
        #expect(refusal.description.contains("line"))
        #expect(try resolver.lookup(zone, .txt) == .records([.txt("v=spf1 mx -all")]))

        try dns.remove(zone: zone)
        let gone = try #require(throws: DNSError.self) { try resolver.lookup(zone, .txt) }
        #expect(gone.code == .serverFailure)
        #expect(gone.description.contains("REFUSED"))
    }

    @Test func zonesServedAtOnceFromManyTestsAllArrive() throws {
        let dns = try TestDNS.current()
        let zones = (0..<6).map { "many-\($0)-\(UInt32.random(in: 0...UInt32.max)).switchboard.test" }
        let resolver = DNSResolver(server: try DNSServer(parsing: dns.server), timeoutSeconds: 2, attempts: 1)
        defer { for zone in zones { try? dns.remove(zone: zone) } }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: zones.count) { index in
            do {
                try dns.serve(zone: zones[index], records: "www.\(zones[index]). 60 IN A 192.0.2.80\n")
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        for zone in zones {
            #expect(try resolver.lookup("www.\(zone)", .a) == .records([.a("192.0.2.80")]), "\(zone)")
        }
    }
}

/// Messages collected from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ message: String) {
        lock.lock()
        list.append(message)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
