import Foundation
import MailAdmin
import Testing

/// `mailctl domain dns`: the records a mail domain needs, and the zone-file fragment an admin pastes.
@Suite struct DomainRecordsTests {
    /// The base64 of 294 bytes: the size of a 2048-bit RSA SubjectPublicKeyInfo, as in a real `p=`.
    static let rsaKey = Data((0..<294).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).base64EncodedString()
    static let ed25519Key = Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }).base64EncodedString()

    static let keys = [
        DKIMPublicKey(selector: "s20261205", algorithm: .rsaSHA256, publicKey: rsaKey, state: .active),
        DKIMPublicKey(selector: "e20261205", algorithm: .ed25519SHA256, publicKey: ed25519Key, state: .published),
        DKIMPublicKey(selector: "s20250101", algorithm: .rsaSHA256, publicKey: "MIIBoldkey", state: .retired),
        DKIMPublicKey(selector: "s20260101", algorithm: .rsaSHA256, publicKey: "MIIBretiring", state: .retiring),
    ]

    @Test func theDefaultsGiveEveryRecordInOrderWithADKIMRecordPerPublishedKey() {
        let records = DomainRecords(domain: "example.org", keys: Self.keys, settings: MailDNSSettings())
        let expected: [DomainRecord] = [
            DomainRecord(purpose: .mx, name: "example.org", type: "MX", value: "10 mail.example.org", ttl: 3600),
            DomainRecord(purpose: .spf, name: "example.org", type: "TXT", value: "v=spf1 mx -all", ttl: 3600),
            DomainRecord(purpose: .dkim, name: "s20261205._domainkey.example.org", type: "TXT", value: "v=DKIM1; k=rsa; p=\(Self.rsaKey)",
                         ttl: 3600, selector: "s20261205", keyState: .active),
            DomainRecord(purpose: .dkim, name: "e20261205._domainkey.example.org", type: "TXT", value: "v=DKIM1; k=ed25519; p=\(Self.ed25519Key)",
                         ttl: 3600, selector: "e20261205", keyState: .published),
            DomainRecord(purpose: .dkim, name: "s20260101._domainkey.example.org", type: "TXT", value: "v=DKIM1; k=rsa; p=MIIBretiring",
                         ttl: 3600, selector: "s20260101", keyState: .retiring),
            DomainRecord(purpose: .dmarc, name: "_dmarc.example.org", type: "TXT", value: "v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org", ttl: 3600),
            DomainRecord(purpose: .mtaSTS, name: "_mta-sts.example.org", type: "TXT", value: "v=STSv1; id=d06fe1c1cd7004a7686c", ttl: 3600),
            DomainRecord(purpose: .mtaSTSHost, name: "mta-sts.example.org", type: "CNAME", value: "mail.example.org", ttl: 3600),
            DomainRecord(purpose: .tlsRPT, name: "_smtp._tls.example.org", type: "TXT", value: "v=TLSRPTv1; rua=mailto:postmaster@example.org", ttl: 3600),
        ]
        #expect(records.domain == "example.org")
        #expect(records.records == expected)
        #expect(records.mtaSTSPolicy == "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 604800\r\n")
    }

    @Test func theSettingsShapeTheRecords() {
        var settings = MailDNSSettings()
        settings.mailHost = "mx.ministry.example"
        settings.mxPreference = 5
        settings.spfMechanisms = ["mx", "ip4:192.0.2.0/24", "include:_spf.relay.example"]
        settings.spfAll = "~all"
        settings.dmarcPolicy = "reject"
        settings.reportLocalPart = "dmarc-reports"
        settings.mtaSTSMode = "testing"
        settings.mtaSTSMaxAge = 86_400
        settings.mtaSTSHost = "policy.ministry.example"
        settings.ttl = 300
        let records = DomainRecords(domain: "Example.ORG.", keys: [], settings: settings)
        #expect(records.domain == "example.org")
        #expect(records.records.map(\.value) == [
            "5 mx.ministry.example",
            "v=spf1 mx ip4:192.0.2.0/24 include:_spf.relay.example ~all",
            "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.org",
            "v=STSv1; id=ca9b1f9e751b0645afeb",
            "policy.ministry.example",
            "v=TLSRPTv1; rua=mailto:dmarc-reports@example.org",
        ])
        #expect(records.records.allSatisfy { $0.ttl == 300 })
        #expect(records.records.map(\.purpose) == [.mx, .spf, .dmarc, .mtaSTS, .mtaSTSHost, .tlsRPT])
        #expect(records.mtaSTSPolicy == "version: STSv1\r\nmode: testing\r\nmx: mx.ministry.example\r\nmax_age: 86400\r\n")
    }

    @Test func theMTASTSIDChangesExactlyWhenThePolicyDoes() throws {
        func id(_ settings: MailDNSSettings) throws -> String {
            let record = try #require(DomainRecords(domain: "example.org", keys: [], settings: settings).records.first { $0.purpose == .mtaSTS })
            return String(record.value.dropFirst("v=STSv1; id=".count))
        }
        let base = MailDNSSettings()
        // printf 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 604800\r\n' | sha256sum | cut -c1-20
        #expect(try id(base) == "d06fe1c1cd7004a7686c")
        var testing = base
        testing.mtaSTSMode = "testing"
        #expect(try id(testing) == "53489ece145c54a18e5e")
        var maxAge = base
        maxAge.mtaSTSMaxAge = 86_400
        var host = base
        host.mailHost = "mx.example.net"
        #expect(Set([try id(base), try id(testing), try id(maxAge), try id(host)]).count == 4)
        // Not in the policy: the id stays.
        var unrelated = base
        unrelated.ttl = 60
        unrelated.dmarcPolicy = "reject"
        unrelated.mtaSTSHost = "policy.example.net"
        #expect(try id(unrelated) == "d06fe1c1cd7004a7686c")
    }

    @Test func theZoneFragmentSaysWhatEachRecordIsForWithAbsoluteNames() {
        let fragment = DomainRecords(domain: "example.org", keys: Self.keys, settings: MailDNSSettings()).zoneFragment
        let lines = fragment.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("example.org. 3600 IN MX 10 mail.example.org."))
        #expect(lines.contains("example.org. 3600 IN TXT \"v=spf1 mx -all\""))
        #expect(lines.contains("_dmarc.example.org. 3600 IN TXT \"v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org\""))
        #expect(lines.contains("_mta-sts.example.org. 3600 IN TXT \"v=STSv1; id=d06fe1c1cd7004a7686c\""))
        #expect(lines.contains("mta-sts.example.org. 3600 IN CNAME mail.example.org."))
        #expect(lines.contains("_smtp._tls.example.org. 3600 IN TXT \"v=TLSRPTv1; rua=mailto:postmaster@example.org\""))
        #expect(lines.contains("e20261205._domainkey.example.org. 3600 IN TXT \"v=DKIM1; k=ed25519; p=\(Self.ed25519Key)\""))
        // A comment line before every record; DKIM's names the selector and the state.
        for (index, line) in lines.enumerated() where !line.isEmpty && !line.hasPrefix(";") && !line.hasPrefix("\t") {
            #expect(index > 0 && lines[index - 1].hasPrefix("; "), "no comment before \(line)")
        }
        #expect(lines.contains { $0.hasPrefix("; DKIM: selector s20261205, rsa key, active") })
        #expect(lines.contains { $0.hasPrefix("; DKIM: selector e20261205, ed25519 key, published") })
        #expect(lines.contains { $0.hasPrefix("; DKIM: selector s20260101, rsa key, retiring") })
        #expect(!fragment.contains("s20250101"), "a retired key's record is not printed")
        // The policy file and the mail host's addresses, as comments at the end.
        #expect(lines.contains { $0.hasPrefix(";") && $0.contains("https://mta-sts.example.org/.well-known/mta-sts.txt") })
        #expect(lines.contains(";   version: STSv1"))
        #expect(lines.contains(";   mode: enforce"))
        #expect(lines.contains(";   mx: mail.example.org"))
        #expect(lines.contains(";   max_age: 604800"))
        #expect(lines.contains { $0.hasPrefix("; mail.example.org needs its own A and/or AAAA records") })
        #expect(fragment.hasSuffix("\n"))
    }

    @Test func aTwoThousandFortyEightBitKeyIsSplitIntoStringsOfAtMost255Bytes() throws {
        let records = DomainRecords(domain: "example.org", keys: Self.keys, settings: MailDNSSettings())
        let dkim = try #require(records.records.first { $0.selector == "s20261205" })
        #expect(dkim.value.utf8.count > 255)
        let parsed = try ZoneFragmentParser.parse(records.zoneFragment)
        let entry = try #require(parsed.first { $0.name == "s20261205._domainkey.example.org." })
        #expect(entry.strings.count == 2)
        #expect(entry.strings.allSatisfy { $0.count <= 255 })
        #expect(entry.strings[0].count == 255)
        #expect(String(decoding: entry.strings.joined(), as: UTF8.self) == dkim.value)
        // Split records sit in parentheses, over two lines.
        let fragment = records.zoneFragment
        #expect(fragment.contains("s20261205._domainkey.example.org. 3600 IN TXT ( \""))
        #expect(fragment.contains("\"\n\t\""))
        #expect(fragment.contains("\" )\n"))
    }

    @Test func everyRecordReadsBackFromTheFragment() throws {
        var settings = MailDNSSettings()
        settings.spfMechanisms = ["mx", "ip6:2001:db8::/32"]
        let records = DomainRecords(domain: "example.org", keys: Self.keys, settings: settings)
        let parsed = try ZoneFragmentParser.parse(records.zoneFragment)
        #expect(parsed.count == records.records.count)
        for (entry, record) in zip(parsed, records.records) {
            #expect(entry.name == record.name + ".")
            #expect(entry.ttl == record.ttl)
            #expect(entry.type == record.type)
            switch record.type {
            case "TXT": #expect(String(decoding: entry.strings.joined(), as: UTF8.self) == record.value)
            case "MX": #expect(entry.data == record.value + ".")
            default: #expect(entry.data == record.value + ".")
            }
        }
    }

    @Test func aPolicyHostNamedMTASTSItselfGetsNoLoopingCNAME() throws {
        var settings = MailDNSSettings()
        settings.mtaSTSHost = "mta-sts.example.org"
        let fragment = DomainRecords(domain: "example.org", keys: [], settings: settings).zoneFragment
        #expect(!fragment.contains("IN CNAME"))
        #expect(fragment.contains("; mta-sts.example.org. serves the policy itself (mail.dns.mta_sts_host): give it A and/or AAAA records\n"))
        #expect(try ZoneFragmentParser.parse(fragment).map(\.type) == ["MX", "TXT", "TXT", "TXT", "TXT"])
    }

    @Test func quotesBackslashesAndOtherBytesAreEscaped() throws {
        let odd = DKIMPublicKey(selector: "odd", algorithm: .rsaSHA256, publicKey: "a\"b\\c;é", state: .active)
        let records = DomainRecords(domain: "example.org", keys: [odd], settings: MailDNSSettings())
        let fragment = records.zoneFragment
        #expect(fragment.contains(#"odd._domainkey.example.org. 3600 IN TXT "v=DKIM1; k=rsa; p=a\"b\\c;\195\169""#))
        let entry = try #require(try ZoneFragmentParser.parse(fragment).first { $0.name.hasPrefix("odd.") })
        #expect(String(decoding: entry.strings.joined(), as: UTF8.self) == "v=DKIM1; k=rsa; p=a\"b\\c;é")
    }

    @Test func anEscapedSplitNeverCutsAByteInTwo() throws {
        // 254 plain bytes then a quote: the quote's escape must not make the first string longer than 255 bytes.
        let key = String(repeating: "A", count: 254 - "v=DKIM1; k=rsa; p=".count) + "\"\"\\" + String(repeating: "B", count: 300)
        let records = DomainRecords(
            domain: "example.org", keys: [DKIMPublicKey(selector: "q", algorithm: .rsaSHA256, publicKey: key, state: .active)], settings: MailDNSSettings())
        let entry = try #require(try ZoneFragmentParser.parse(records.zoneFragment).first { $0.name.hasPrefix("q.") })
        #expect(entry.strings.map(\.count) == [255, 255, 47])
        #expect(String(decoding: entry.strings.joined(), as: UTF8.self) == "v=DKIM1; k=rsa; p=" + key)
    }
}

/// Reads a zone-file fragment back the way a name server does (comments, parentheses, quoted
/// character-strings with `\X` and `\DDD` escapes), so the tests check what knot or BIND would load.
enum ZoneFragmentParser {
    struct Entry {
        var name: String
        var ttl: Int
        var type: String
        /// The character-strings of a TXT record, as bytes.
        var strings: [[UInt8]]
        /// The data of another type, as written.
        var data: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A token: a bare word or a quoted string's bytes.
    enum Token: Equatable {
        case word(String)
        case quoted([UInt8])
    }

    static func parse(_ text: String) throws -> [Entry] {
        var entries: [Entry] = []
        var tokens: [Token] = []
        var depth = 0
        let bytes = Array(text.utf8)
        var index = 0
        func finish() throws {
            guard !tokens.isEmpty else { return }
            defer { tokens = [] }
            guard tokens.count >= 5, case .word(let name) = tokens[0], case .word(let ttlText) = tokens[1], let ttl = Int(ttlText),
                  tokens[2] == .word("IN"), case .word(let type) = tokens[3] else {
                throw Failure(description: "not NAME TTL IN TYPE DATA: \(tokens)")
            }
            var strings: [[UInt8]] = []
            var words: [String] = []
            for token in tokens[4...] {
                switch token {
                case .quoted(let string):
                    guard string.count <= 255 else { throw Failure(description: "a string of \(string.count) bytes in \(name)") }
                    strings.append(string)
                case .word(let word): words.append(word)
                }
            }
            if type == "TXT" && !words.isEmpty { throw Failure(description: "unquoted TXT data in \(name): \(words)") }
            entries.append(Entry(name: name, ttl: ttl, type: type, strings: strings, data: words.joined(separator: " ")))
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: ";"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\n"):
                if depth == 0 { try finish() }
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                index += 1
            case UInt8(ascii: "("):
                depth += 1
                index += 1
            case UInt8(ascii: ")"):
                guard depth > 0 else { throw Failure(description: "unbalanced )") }
                depth -= 1
                index += 1
            case UInt8(ascii: "\""):
                index += 1
                var string: [UInt8] = []
                while true {
                    guard index < bytes.count else { throw Failure(description: "unterminated string") }
                    let next = bytes[index]
                    if next == UInt8(ascii: "\"") { index += 1; break }
                    if next == UInt8(ascii: "\n") { throw Failure(description: "a line break inside a string") }
                    if next == UInt8(ascii: "\\") {
                        guard index + 1 < bytes.count else { throw Failure(description: "a lone backslash") }
                        let digits = bytes[(index + 1)..<min(index + 4, bytes.count)]
                        if digits.count == 3, digits.allSatisfy({ (0x30...0x39).contains($0) }),
                           let value = UInt8(String(decoding: digits, as: UTF8.self)) {
                            string.append(value)
                            index += 4
                        } else {
                            string.append(bytes[index + 1])
                            index += 2
                        }
                    } else {
                        guard (0x20...0x7E).contains(next) else { throw Failure(description: "an unescaped byte \(next) inside a string") }
                        string.append(next)
                        index += 1
                    }
                }
                tokens.append(.quoted(string))
            default:
                var word: [UInt8] = []
                while index < bytes.count, ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: ";"),
                                             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\"")].contains(bytes[index]) {
                    word.append(bytes[index])
                    index += 1
                }
                tokens.append(.word(String(decoding: word, as: UTF8.self)))
            }
        }
        guard depth == 0 else { throw Failure(description: "unbalanced (") }
        try finish()
        return entries
    }
}
