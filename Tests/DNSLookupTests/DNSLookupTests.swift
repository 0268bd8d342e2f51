import DNSLookup
import Foundation
import SwitchboardBase
import SwitchboardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The zone these tests ask the test run's knot (ops/testdns) about: served once per run.
enum LookupZone {
    static let name = "lookup-\(UInt32.random(in: 0...UInt32.max)).switchboard.test"

    /// A DKIM-sized public key: 392 characters of base64, as a 2048-bit RSA key has.
    static let dkimKey: String = {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + String((0..<348).map { _ in alphabet.randomElement() ?? "A" })
    }()

    static var dkimRecord: String { "v=DKIM1; k=rsa; p=\(dkimKey)" }

    /// The big TXT set: 40 records of 100 characters, about 4.5 KB: more than UDP carries.
    static let bigTexts: [String] = (0..<40).map { index in String(format: "%02d", index) + String(repeating: "x", count: 98) }

    static var records: String {
        let zone = name + "."
        // The DKIM record as a zone file writes it: strings of at most 255 bytes, split mid-key.
        let dkim = Array(dkimRecord.utf8)
        let pieces = stride(from: 0, to: dkim.count, by: 200).map { String(decoding: dkim[$0..<min($0 + 200, dkim.count)], as: UTF8.self) }
        var lines = [
            "a.\(zone) 300 IN A 192.0.2.1",
            "a.\(zone) 300 IN A 192.0.2.2",
            "a.\(zone) 300 IN AAAA 2001:db8::53",
            "\(zone) 300 IN MX 10 Mail.\(zone)",
            "\(zone) 300 IN MX 20 backup.example.net.",
            "\(zone) 300 IN TXT \"v=spf1 mx -all\"",
            "sel._domainkey.\(zone) 300 IN TXT ( " + pieces.map { "\"\($0)\"" }.joined(separator: " ") + " )",
            "multi.\(zone) 300 IN TXT \"first\"",
            "multi.\(zone) 300 IN TXT \"second\"",
            "www.\(zone) 300 IN CNAME a.\(zone)",
            "mail.\(zone) 300 IN A 192.0.2.25",
            // A delegation without glue: asked below it, knot answers with a referral (NOERROR,
            // no answer, no AA), which glibc once looped on forever.
            "delegated.\(zone) 300 IN NS ns1.elsewhere.example.net.",
            // The same with glue: glibc returns this referral as a reply (no answer, no AA).
            "glued.\(zone) 300 IN NS ns1.glued.\(zone)",
            "ns1.glued.\(zone) 300 IN A 192.0.2.53",
        ]
        lines += bigTexts.map { "big.\(zone) 300 IN TXT \"\($0)\"" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The test DNS with the zone served, or why not (once for the whole run).
    static let served: Result<TestDNS, TestSetupError> = {
        do {
            let dns = try TestDNS.current()
            try dns.serve(zone: name, records: records)
            return .success(dns)
        } catch let error as TestSetupError {
            return .failure(error)
        } catch {
            return .failure(TestSetupError("\(error)"))
        }
    }()

    /// A resolver asking the test DNS.
    static func resolver(timeoutSeconds: Int = 2, attempts: Int = 2) throws -> DNSResolver {
        let dns = try served.get()
        return DNSResolver(server: try DNSServer(parsing: dns.server), timeoutSeconds: timeoutSeconds, attempts: attempts)
    }
}

/// Lookups against the test run's knot server: what `mailctl domain check` will see.
@Suite struct DNSLookupTests {
    let zone = LookupZone.name

    @Test func addressesComeBack() throws {
        let resolver = try LookupZone.resolver()
        #expect(Set(try resolver.lookup("a.\(zone)", .a).records) == [.a("192.0.2.1"), .a("192.0.2.2")])
        #expect(try resolver.lookup("a.\(zone)", .aaaa) == .records([.aaaa("2001:db8::53")]))
        // Upper case and a trailing dot ask the same name.
        #expect(Set(try resolver.lookup("A.\(zone.uppercased()).", .a).records).count == 2)
    }

    @Test func mailExchangersComeBackLowerCaseWithoutTheDot() throws {
        let answer = try LookupZone.resolver().lookup(zone, .mx)
        #expect(Set(answer.records) == [.mx(preference: 10, exchange: "mail.\(zone)"), .mx(preference: 20, exchange: "backup.example.net")])
    }

    @Test func aDKIMKeySplitIntoSeveralStringsComesBackJoined() throws {
        let answer = try LookupZone.resolver().lookup("sel._domainkey.\(zone)", .txt)
        #expect(LookupZone.dkimRecord.utf8.count > 255)
        #expect(answer == .records([.txt(LookupZone.dkimRecord)]))
    }

    @Test func severalTXTRecordsComeBackAsSeveral() throws {
        let resolver = try LookupZone.resolver()
        #expect(Set(try resolver.lookup("multi.\(zone)", .txt).records) == [.txt("first"), .txt("second")])
        #expect(try resolver.lookup(zone, .txt) == .records([.txt("v=spf1 mx -all")]))
    }

    @Test func aCNAMEIsItsTargetAndIsLeftOutOfTheTargetsRecords() throws {
        let resolver = try LookupZone.resolver()
        #expect(try resolver.lookup("www.\(zone)", .cname) == .records([.cname("a.\(zone)")]))
        // Asked for A, the server follows the CNAME inside its zone: the addresses only.
        #expect(Set(try resolver.lookup("www.\(zone)", .a).records) == [.a("192.0.2.1"), .a("192.0.2.2")])
    }

    @Test func theZonesNameServerComesBack() throws {
        #expect(try LookupZone.resolver().lookup(zone, .ns) == .records([.ns("ns.testdns.invalid")]))
    }

    @Test func aMissingNameIsNoSuchNameAndAMissingTypeIsNoData() throws {
        let resolver = try LookupZone.resolver()
        #expect(try resolver.lookup("nothere.\(zone)", .a) == .noSuchName)
        #expect(try resolver.lookup("nothere.\(zone)", .txt) == .noSuchName)
        #expect(try resolver.lookup("mail.\(zone)", .mx) == .noData)
        #expect(try resolver.lookup("a.\(zone)", .txt) == .noData)
        // An empty non-terminal (_domainkey exists only as part of sel._domainkey) has no data.
        #expect(try resolver.lookup("_domainkey.\(zone)", .txt) == .noData)
    }

    @Test func anAnswerTooLargeForUDPComesBackWholeOverTCP() throws {
        let dns = try LookupZone.served.get()
        // Proof that the answer does not fit: over UDP alone the server sets TC (truncated).
        let udp = try ProcessRunner.run("/usr/bin/kdig", ["@\(dns.host)", "-p", "\(dns.port)", "+notcp", "+ignore", "+bufsize=1232", "big.\(zone)", "TXT"])
        #expect(udp.stdout.contains(" tc"), "kdig over UDP: \(udp.stdout.prefix(400))")
        let answer = try LookupZone.resolver().lookup("big.\(zone)", .txt)
        #expect(Set(answer.records) == Set(LookupZone.bigTexts.map { DNSRecord.txt($0) }))
    }

    @Test func lookupsOnManyThreadsAtOnceEachGetTheirOwnAnswer() throws {
        let resolver = try LookupZone.resolver()
        let names: [(String, DNSRecordType, DNSAnswer)] = [
            ("a.\(zone)", .aaaa, .records([.aaaa("2001:db8::53")])),
            ("mail.\(zone)", .a, .records([.a("192.0.2.25")])),
            ("sel._domainkey.\(zone)", .txt, .records([.txt(LookupZone.dkimRecord)])),
            ("nothere.\(zone)", .a, .noSuchName),
            ("mail.\(zone)", .txt, .noData),
        ]
        let results = Results(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            let (name, type, _) = names[index % names.count]
            results.set(index, Result { try resolver.lookup(name, type) })
        }
        for index in 0..<64 {
            #expect(try results.get(index).get() == names[index % names.count].2, "lookup \(index)")
        }
    }

    @Test func aZoneTheServerDoesNotServeIsRefusedAtOnceNotTimedOut() throws {
        let dns = try LookupZone.served.get()
        let started = ContinuousClock.now
        let error = try #require(throws: DNSError.self) { try LookupZone.resolver(timeoutSeconds: 3).lookup("example.invalid", .txt) }
        #expect(started.duration(to: .now) < .seconds(2))
        #expect(error.code == .serverFailure)
        #expect(error.description.contains("REFUSED"), "\(error.description)")
        #expect(error.description.contains("TXT example.invalid"))
        #expect(error.description.contains(dns.server))
        #expect(!error.description.contains("\n"))
    }

    @Test func aReferralInsteadOfAnAnswerFailsAtOnce() throws {
        let dns = try LookupZone.served.get()
        let started = ContinuousClock.now
        let error = try #require(throws: DNSError.self) {
            try LookupZone.resolver(timeoutSeconds: 3).lookup("_dmarc.delegated.\(LookupZone.name)", .txt)
        }
        #expect(started.duration(to: .now) < .seconds(2))
        #expect(error.code == .serverFailure)
        #expect(error.description.contains("referral"), "\(error.description)")
        #expect(error.description.contains(dns.server))
    }

    @Test func aReferralWithGlueIsNotMistakenForNoData() throws {
        let error = try #require(throws: DNSError.self) {
            try LookupZone.resolver(timeoutSeconds: 3).lookup("_dmarc.glued.\(LookupZone.name)", .txt)
        }
        #expect(error.code == .serverFailure)
        #expect(error.description.contains("with a referral to other servers"), "\(error.description)")
        // The zone's own names still answer, and a name with no record of the type is no data.
        #expect(try LookupZone.resolver().lookup("mail.\(LookupZone.name)", .txt) == .noData)
    }

    @Test func aServerThatNeverAnswersTimesOutWithinTheTimeout() throws {
        let socket = try SilentUDPPort()
        defer { socket.close() }
        let resolver = DNSResolver(server: DNSServer(host: "127.0.0.1", port: socket.port), timeoutSeconds: 1, attempts: 2)
        let started = ContinuousClock.now
        let error = try #require(throws: DNSError.self) { try resolver.lookup("example.org", .mx) }
        let elapsed = started.duration(to: .now)
        #expect(elapsed >= .milliseconds(1_900) && elapsed < .seconds(4), "took \(elapsed)")
        #expect(error.code == .timeout)
        #expect(error.category.exitStatus == 69)
        #expect(error.description.contains("127.0.0.1:\(socket.port)"))
        #expect(error.description.contains("MX example.org"))
        #expect(error.description.contains("(2 tries of 1 s)"), "\(error.description)")
        #expect(!error.description.contains("\n"))
    }

    @Test func aPortWhereNothingListensIsAServerFailureNamingIt() throws {
        let port = try SilentUDPPort.free()
        let error = try #require(throws: DNSError.self) {
            try DNSResolver(server: DNSServer(host: "127.0.0.1", port: port), timeoutSeconds: 1, attempts: 1).lookup("example.org", .a)
        }
        #expect(error.code == .serverFailure)
        #expect(error.description.contains("127.0.0.1:\(port)"))
        #expect(error.description.contains("refused the connection"))
    }

    @Test(arguments: ["", ".", "a..example.org", ".example.org", "exa mple.org", "example.org\nX", "semi;colon.org", String(repeating: "x", count: 64) + ".org",
                      (0..<60).map { _ in "abcd" }.joined(separator: ".")])
    func badNamesAreRefusedBeforeAnyQuery(_ name: String) throws {
        // The server is one that never answers: a name sent to it would time out instead.
        let socket = try SilentUDPPort()
        defer { socket.close() }
        let resolver = DNSResolver(server: DNSServer(host: "127.0.0.1", port: socket.port), timeoutSeconds: 1, attempts: 1)
        let error = try #require(throws: DNSError.self) { try resolver.lookup(name, .txt) }
        #expect(error.code == .invalidInput)
        #expect(error.category.exitStatus == 65)
        #expect(!error.description.contains("\n"))
    }

    @Test func aServerGivenByHandMustBeAnAddress() throws {
        let error = try #require(throws: DNSError.self) { try DNSResolver(server: DNSServer(host: "dns.example", port: 53)).lookup("example.org", .a) }
        #expect(error.code == .invalidInput)
        #expect(error.description.contains("dns.example"))
    }

    @Test func anInternationalizedNameIsAskedInItsASCIIForm() throws {
        // Not served: the server refuses, and its message names the xn-- form it was asked.
        let error = try #require(throws: DNSError.self) { try LookupZone.resolver().lookup("bücher.example", .a) }
        #expect(error.description.contains("xn--bcher-kva.example"))
    }

    @Test(.enabled(if: (try? TestDNS.current())?.host6 != nil, "the test DNS answers on [::1] only on hosts with IPv6 loopback"))
    func anIPv6ServerIsAskedOverIPv6() throws {
        let dns = try LookupZone.served.get()
        let host6 = try #require(dns.host6)
        let server = try DNSServer(parsing: "[\(host6)]:\(dns.port)")
        #expect(server.host == "::1")
        let answer = try DNSResolver(server: server, timeoutSeconds: 2, attempts: 1).lookup("mail.\(zone)", .a)
        #expect(answer == .records([.a("192.0.2.25")]))
    }
}

/// Results written by many threads, one slot each.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<DNSAnswer, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<DNSAnswer, any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func get(_ index: Int) throws -> Result<DNSAnswer, any Error> {
        lock.lock()
        defer { lock.unlock() }
        guard let result = slots[index] else { throw TestSetupError("lookup \(index) did not finish") }
        return result
    }
}
