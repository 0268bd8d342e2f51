@testable import DNSLookup
import Testing

/// DNS messages made by hand, byte by byte, for the reply parser.
enum Wire {
    static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

    /// A header: a reply (QR, RD, RA) with `rcode`, and the four section counts.
    static func header(rcode: Int = 0, reply: Bool = true, truncated: Bool = false, qd: Int = 1, an: Int, ns: Int = 0, ar: Int = 0) -> [UInt8] {
        var flags = 0x0180 | rcode
        if reply { flags |= 0x8000 }
        if truncated { flags |= 0x0200 }
        return u16(0x4A11) + u16(flags) + u16(qd) + u16(an) + u16(ns) + u16(ar)
    }

    /// A name as labels, ending with the root.
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    /// A pointer to offset `to` (12: the question's name).
    static func pointer(_ to: Int) -> [UInt8] { [UInt8(0xC0 | to >> 8), UInt8(to & 0xFF)] }

    static func question(_ text: String, _ type: Int) -> [UInt8] { name(text) + u16(type) + u16(1) }

    /// A resource record of class IN, TTL 300.
    static func record(_ owner: [UInt8], _ type: Int, _ data: [UInt8], rdlength: Int? = nil) -> [UInt8] {
        owner + u16(type) + u16(1) + [0, 0, 1, 0x2C] + u16(rdlength ?? data.count) + data
    }

    /// TXT data: each string with its length byte.
    static func txt(_ strings: [String]) -> [UInt8] { strings.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } }
}

/// The reply parser (libresolv's ns_initparse/ns_parserr under DNSReply) on hand-made bytes:
/// good replies decode; bad ones throw `Malformed`, never read past the buffer or crash.
@Suite struct DNSReplyParserTests {
    @Test func txtStringsOfOneRecordAreJoinedAndEachRecordStaysSeparate() throws {
        let message = Wire.header(an: 2) + Wire.question("example.org", 16)
            + Wire.record(Wire.pointer(12), 16, Wire.txt(["v=DKIM1; k=rsa; p=MIIB", "IjANBgkq"]))
            + Wire.record(Wire.pointer(12), 16, Wire.txt(["second"]))
        let reply = try DNSReply(bytes: message, type: .txt)
        #expect(reply.responseCode == 0)
        #expect(reply.records == [.txt("v=DKIM1; k=rsa; p=MIIBIjANBgkq"), .txt("second")])
    }

    @Test func namesInDataFollowCompressionPointersAndComeOutLowerCaseWithoutTheDot() throws {
        // MX exchange "MAIL" + pointer to "Example.ORG" (the question's name).
        let message = Wire.header(an: 1) + Wire.question("Example.ORG", 15)
            + Wire.record(Wire.pointer(12), 15, Wire.u16(10) + [4] + Array("MAIL".utf8) + Wire.pointer(12))
        let reply = try DNSReply(bytes: message, type: .mx)
        #expect(reply.records == [.mx(preference: 10, exchange: "mail.example.org")])
    }

    @Test func onlyRecordsOfTheAskedTypeAreListed() throws {
        // www CNAME target, then target's two A records: an A lookup lists the addresses only.
        let message = Wire.header(an: 3) + Wire.question("www.example.org", 1)
            + Wire.record(Wire.pointer(12), 5, Wire.name("target.example.org"))
            + Wire.record(Wire.name("target.example.org"), 1, [192, 0, 2, 1])
            + Wire.record(Wire.name("target.example.org"), 1, [192, 0, 2, 2])
        #expect(try DNSReply(bytes: message, type: .a).records == [.a("192.0.2.1"), .a("192.0.2.2")])
        #expect(try DNSReply(bytes: message, type: .cname).records == [.cname("target.example.org")])
    }

    @Test func ipv6AddressesComeOutInCanonicalForm() throws {
        let address: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1]
        let message = Wire.header(an: 1) + Wire.question("example.org", 28) + Wire.record(Wire.pointer(12), 28, address)
        #expect(try DNSReply(bytes: message, type: .aaaa).records == [.aaaa("2001:db8::1")])
    }

    @Test func responseCodesAreReported() throws {
        let nxdomain = try DNSReply(bytes: Wire.header(rcode: 3, an: 0) + Wire.question("nowhere.example.org", 1), type: .a)
        #expect(nxdomain.responseCode == 3)
        #expect(nxdomain.records.isEmpty)
        let refused = try DNSReply(bytes: Wire.header(rcode: 5, an: 0) + Wire.question("example.org", 1), type: .a)
        #expect(refused.responseCode == 5)
    }

    /// The malformed replies: each must throw, none may crash.
    static let malformed: [(String, [UInt8])] = {
        let question = Wire.question("example.org", 16)
        let good = Wire.header(an: 1) + question + Wire.record(Wire.pointer(12), 16, Wire.txt(["hello"]))
        return [
            ("empty", []),
            ("shorter than a header", Array(good.prefix(7))),
            ("counts promise more answers than there are", Wire.header(an: 3) + question + Wire.record(Wire.pointer(12), 16, Wire.txt(["hello"]))),
            ("cut inside the record's data", Array(good.dropLast(2))),
            ("bytes after the last record", good + [0, 0, 0]),
            ("owner name pointer past the end", Wire.header(an: 1) + question + Wire.record(Wire.pointer(0x3FF), 16, Wire.txt(["x"]))),
            ("owner name pointer into itself (a loop)", Wire.header(an: 1) + question + Wire.record(Wire.pointer(12 + question.count), 16, Wire.txt(["x"]))),
            ("rdlength past the end", Wire.header(an: 1) + question + Wire.record(Wire.pointer(12), 16, Wire.txt(["x"]), rdlength: 200)),
            ("TXT string longer than its record", Wire.header(an: 1) + question + Wire.record(Wire.pointer(12), 16, [9] + Array("abc".utf8))),
            ("TXT record without a string", Wire.header(an: 1) + question + Wire.record(Wire.pointer(12), 16, [])),
            ("A record of five bytes", Wire.header(an: 1) + Wire.question("example.org", 1) + Wire.record(Wire.pointer(12), 1, [192, 0, 2, 1, 7])),
            ("AAAA record of four bytes", Wire.header(an: 1) + Wire.question("example.org", 28) + Wire.record(Wire.pointer(12), 28, [192, 0, 2, 1])),
            ("MX exchange pointer past the end", Wire.header(an: 1) + Wire.question("example.org", 15) + Wire.record(Wire.pointer(12), 15, Wire.u16(10) + Wire.pointer(0x3FF))),
            ("MX exchange pointing at itself", {
                let head = Wire.header(an: 1) + Wire.question("example.org", 15)
                let dataStart = head.count + 2 + 10 + 2  // owner pointer, type/class/ttl/rdlength, preference
                return head + Wire.record(Wire.pointer(12), 15, Wire.u16(10) + Wire.pointer(dataStart))
            }()),
            ("MX shorter than a preference and a name", Wire.header(an: 1) + Wire.question("example.org", 15) + Wire.record(Wire.pointer(12), 15, [0, 10])),
            ("CNAME name shorter than its record", Wire.header(an: 1) + Wire.question("example.org", 5) + Wire.record(Wire.pointer(12), 5, Wire.name("a.example") + [0, 0])),
            ("a query, not a reply", Wire.header(reply: false, an: 0) + question),
        ]
    }()

    @Test(arguments: malformed.indices)
    func malformedRepliesThrowMalformed(_ index: Int) {
        let (what, bytes) = Self.malformed[index]
        let type: DNSRecordType = bytes.count > 12 + 13 ? Self.typeAsked(bytes) : .txt
        #expect(throws: DNSReply.Malformed.self, "\(what)") { try DNSReply(bytes: bytes, type: type) }
    }

    /// The type in the question of a hand-made message ("example.org" is 13 bytes on the wire).
    static func typeAsked(_ bytes: [UInt8]) -> DNSRecordType {
        let code = Int(bytes[12 + 13]) << 8 | Int(bytes[12 + 14])
        return DNSRecordType.allCases.first { Int($0.code) == code } ?? .txt
    }

    @Test func everyCutOfAGoodReplyThrowsInsteadOfCrashing() throws {
        let message = Wire.header(an: 2) + Wire.question("example.org", 15)
            + Wire.record(Wire.pointer(12), 15, Wire.u16(10) + [4] + Array("mail".utf8) + Wire.pointer(12))
            + Wire.record(Wire.pointer(12), 15, Wire.u16(20) + Wire.name("backup.example.net"))
        #expect(try DNSReply(bytes: message, type: .mx).records.count == 2)
        for length in 0..<message.count {
            #expect(throws: DNSReply.Malformed.self, "cut to \(length) bytes") { try DNSReply(bytes: Array(message.prefix(length)), type: .mx) }
        }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var generator = SystemRandomNumberGenerator()
        let seed = Wire.header(an: 1) + Wire.question("example.org", 16) + Wire.record(Wire.pointer(12), 16, Wire.txt(["hello", "world"]))
        for _ in 0..<5_000 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            for type in DNSRecordType.allCases {
                _ = try? DNSReply(bytes: bytes, type: type)
            }
        }
    }
}
