import DNSLookup
import Foundation
import MailAdmin
import Testing

/// `mailctl domain check`: each expected record judged present, missing or wrong against what a
/// (fake) DNS answers, with a one-line problem saying what to publish instead.
@Suite struct DomainCheckTests {
    static let rsaKey = DomainRecordsTests.rsaKey
    static let otherRSAKey = Data((0..<294).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ 7) }).base64EncodedString()
    static let expected = DomainRecords(
        domain: "example.org",
        keys: [DKIMPublicKey(selector: "s1", algorithm: .rsaSHA256, publicKey: rsaKey, state: .active)],
        settings: MailDNSSettings())

    /// A zone with exactly the expected records, plus an unrelated TXT at the apex.
    static func goodZone() -> FakeDNS {
        var dns = FakeDNS()
        dns.add("example.org", .txt("google-site-verification=abc123"))
        for record in expected.records {
            switch record.type {
            case "MX":
                let parts = record.value.split(separator: " ")
                dns.add(record.name, .mx(preference: Int(parts[0]) ?? 0, exchange: String(parts[1])))
            case "TXT": dns.add(record.name, .txt(record.value))
            default: dns.add(record.name, .cname(record.value))
            }
        }
        dns.add("mail.example.org", .a("192.0.2.25"))
        return dns
    }

    /// The item for `purpose` after running the check on `dns`.
    func judged(_ purpose: DomainRecord.Purpose, _ dns: FakeDNS) throws -> DomainCheckItem {
        let items = try DomainCheck(resolver: dns).check(Self.expected)
        #expect(items.map(\.record) == Self.expected.records, "one item per expected record, in order")
        for item in items {
            #expect((item.status == .present) == (item.problem == nil), "\(item.record.name): a problem exactly when not present")
            #expect(!(item.problem ?? "").contains("\n"), "one line")
        }
        return try #require(items.first { $0.record.purpose == purpose })
    }

    @Test func everythingIsPresentWhenDNSHasTheRecords() throws {
        let items = try DomainCheck(resolver: Self.goodZone()).check(Self.expected)
        #expect(items.map(\.status) == Array(repeating: .present, count: Self.expected.records.count))
        #expect(items.allSatisfy { $0.problem == nil })
        #expect(items[0].found == ["10 mail.example.org"])
        #expect(items[1].found == ["v=spf1 mx -all"], "only the SPF record among the apex's TXT records")
        #expect(items[2].found == ["v=DKIM1; k=rsa; p=\(Self.rsaKey)"])
        #expect(items[5].found == ["mail.example.org"])
    }

    // MARK: MX

    @Test func mxMissing() throws {
        var dns = Self.goodZone()
        dns.remove("example.org", .mx)
        let item = try judged(.mx, dns)
        #expect(item.status == .missing)
        #expect(item.problem == "no MX record at example.org, so other servers do not know where to deliver its mail: publish example.org MX 10 mail.example.org")
    }

    @Test func mxPointingElsewhereIsWrongAndCaseOrATrailingDotDoNotMatter() throws {
        var dns = Self.goodZone()
        dns.remove("example.org", .mx)
        dns.add("example.org", .mx(preference: 10, exchange: "mx1.provider.net"))
        dns.add("example.org", .mx(preference: 20, exchange: "mx2.provider.net"))
        let wrong = try judged(.mx, dns)
        #expect(wrong.status == .wrong)
        #expect(wrong.found == ["10 mx1.provider.net", "20 mx2.provider.net"])
        #expect(wrong.problem == "the MX records of example.org name mx1.provider.net, mx2.provider.net, not mail.example.org, so its mail does not reach this server: publish example.org MX 10 mail.example.org instead")
        dns.add("example.org", .mx(preference: 30, exchange: "MAIL.Example.org."))
        let behind = try judged(.mx, dns)
        #expect(behind.status == .wrong, "ours is tried after the others: mail goes there first")
        #expect(behind.problem?.contains("also name 10 mx1.provider.net, 20 mx2.provider.net, tried before or with mail.example.org") == true, "\(behind.problem ?? "")")
        dns.add("example.org", .mx(preference: 5, exchange: "mail.example.org"))
        #expect(try judged(.mx, dns).status == .present, "backup MXs behind ours are fine; case and a trailing dot do not matter")
    }

    // MARK: Records that are there but do not protect

    @Test func aRecordReachedThroughACNAMEIsFollowed() throws {
        var dns = Self.goodZone()
        dns.remove("_dmarc.example.org", .txt)
        // What an authoritative server answers for TXT at a CNAME: the CNAME only (no data of the type).
        dns.add("_dmarc.example.org", .cname("example-org.dmarc.provider.net"))
        dns.add("example-org.dmarc.provider.net", .txt("v=DMARC1; p=reject; rua=mailto:postmaster@example.org"))
        #expect(try judged(.dmarc, dns).status == .present)
        dns.remove("example-org.dmarc.provider.net", .txt)
        #expect(try judged(.dmarc, dns).status == .missing)
    }

    @Test func anSPFThatLetsMoreServersSendThanConfiguredIsWrong() throws {
        var dns = Self.goodZone()
        dns.remove("example.org", .txt)
        dns.add("example.org", .txt("v=spf1 ip4:0.0.0.0/0 mx -all"))
        let item = try judged(.spf, dns)
        #expect(item.status == .wrong)
        #expect(item.problem?.contains("also lets ip4:0.0.0.0/0 send") == true, "\(item.problem ?? "")")
        dns.remove("example.org", .txt)
        dns.add("example.org", .txt("v=spf1 mx -ip4:192.0.2.66 exp=explain.example.org -all"))
        #expect(try judged(.spf, dns).status == .present, "a mechanism that fails senders, or a modifier, takes nothing away")
        dns.remove("example.org", .txt)
        dns.add("example.org", .txt("v=spf1 mx include:x=y.example.net -all"))
        #expect(try judged(.spf, dns).problem?.contains("also lets include:x=y.example.net send") == true, "an = inside a mechanism")
    }

    @Test func aDMARCRecordForAFractionOrWeakerForSubdomainsIsWrong() throws {
        for (record, words) in [("v=DMARC1; p=quarantine; pct=0; rua=mailto:postmaster@example.org", "pct=0%"),
                                ("v=DMARC1; p=quarantine; sp=none; rua=mailto:postmaster@example.org", "sp=none, weaker for subdomains"),
                                ("v=DMARC1; p=reject; sp=none; rua=mailto:postmaster@example.org", "sp=none, weaker for subdomains")] {
            var dns = Self.goodZone()
            dns.remove("_dmarc.example.org", .txt)
            dns.add("_dmarc.example.org", .txt(record))
            let item = try judged(.dmarc, dns)
            #expect(item.status == .wrong, "\(record)")
            #expect(item.problem?.contains(words) == true, "\(item.problem ?? "")")
        }
        var strict = Self.goodZone()
        strict.remove("_dmarc.example.org", .txt)
        strict.add("_dmarc.example.org", .txt("v=DMARC1; p=reject; sp=quarantine; pct=100; rua=mailto:postmaster@example.org"))
        #expect(try judged(.dmarc, strict).status == .present, "sp as strong as the configured policy")
    }

    @Test func aDKIMKeyLimitedToSHA1OrAnotherServiceIsWrong() throws {
        for (extra, words) in [("h=sha1; ", "h=sha1"), ("s=tlsrpt; ", "s=tlsrpt")] {
            var dns = Self.goodZone()
            dns.remove("s1._domainkey.example.org", .txt)
            dns.add("s1._domainkey.example.org", .txt("v=DKIM1; k=rsa; \(extra)p=\(Self.rsaKey)"))
            let item = try judged(.dkim, dns)
            #expect(item.status == .wrong)
            #expect(item.problem?.contains(words) == true, "\(item.problem ?? "")")
        }
        var fine = Self.goodZone()
        fine.remove("s1._domainkey.example.org", .txt)
        fine.add("s1._domainkey.example.org", .txt("v=DKIM1; k=rsa; h=sha1:sha256; s=email; p=\(Self.rsaKey)"))
        #expect(try judged(.dkim, fine).status == .present)
    }

    // MARK: SPF

    @Test func spfMissingWhenNoTXTStartsVSPF1() throws {
        var dns = Self.goodZone()
        dns.remove("example.org", .txt)
        dns.add("example.org", .txt("v=spf10 mx -all"))
        dns.add("example.org", .txt("google-site-verification=abc123"))
        let item = try judged(.spf, dns)
        #expect(item.status == .missing)
        #expect(item.found == [])
        #expect(item.problem == "no SPF record (v=spf1) at example.org, so any server can send mail in its name: publish example.org TXT \"v=spf1 mx -all\"")
    }

    @Test func twoSPFRecordsAreWrong() throws {
        var dns = Self.goodZone()
        dns.add("example.org", .txt("v=spf1 include:_spf.google.com ~all"))
        let item = try judged(.spf, dns)
        #expect(item.status == .wrong)
        #expect(item.found.count == 2)
        #expect(item.problem == "2 SPF records at example.org: receivers treat two SPF records as an error (permerror) and check none; replace them with one: publish example.org TXT \"v=spf1 mx -all\"")
    }

    @Test func spfWithoutMinusAllNamesWhatItEndsWith() throws {
        let cases: [(String, String)] = [
            ("v=spf1 mx ~all", "ends with ~all (softfail: forged mail is accepted, at most marked), not -all"),
            ("v=spf1 mx ?all", "ends with ?all (neutral: no verdict on other servers), not -all"),
            ("v=spf1 mx all", "ends with +all (pass: any server may send as the domain), not -all"),
            ("v=spf1 mx +all", "ends with +all (pass: any server may send as the domain), not -all"),
            ("v=spf1 mx", "has no final all (mail from any other server gets no verdict), not -all"),
        ]
        for (published, fault) in cases {
            var dns = Self.goodZone()
            dns.remove("example.org", .txt)
            dns.add("example.org", .txt(published))
            let item = try judged(.spf, dns)
            #expect(item.status == .wrong, "\(published)")
            #expect(item.found == [published])
            #expect(item.problem == "the SPF record at example.org \(fault): publish example.org TXT \"v=spf1 mx -all\" instead")
        }
    }

    @Test func spfLackingAConfiguredMechanismOrAllowingMoreIsWrong() throws {
        var dns = Self.goodZone()
        dns.remove("example.org", .txt)
        dns.add("example.org", .txt("v=spf1 ip4:192.0.2.0/24 -all mx"))
        let lacking = try judged(.spf, dns)
        #expect(lacking.status == .wrong, "mechanisms after all count for nothing")
        #expect(lacking.problem == "the SPF record at example.org lacks mx, so mail this server sends may fail SPF and also lets ip4:192.0.2.0/24 send, which mail.dns.spf_mechanisms does not (add it there if it is meant): publish example.org TXT \"v=spf1 mx -all\" instead")

        dns.remove("example.org", .txt)
        dns.add("example.org", .txt("v=spf1 ?all"))
        #expect(try judged(.spf, dns).problem?.hasPrefix("the SPF record at example.org ends with ?all (neutral: no verdict on other servers), not -all and lacks mx") == true)

        dns.remove("example.org", .txt)
        dns.add("example.org", .txt("V=SPF1 ip4:192.0.2.0/24 +MX include:relay.example.net -ALL"))
        let more = try judged(.spf, dns)
        #expect(more.status == .wrong, "senders the configuration does not name")
        #expect(more.problem?.contains("also lets ip4:192.0.2.0/24 include:relay.example.net send") == true, "\(more.problem ?? "")")
        dns.remove("example.org", .txt)
        dns.add("example.org", .txt("V=SPF1 +MX -ALL"))
        #expect(try judged(.spf, dns).status == .present, "case and a + qualifier do not matter")
    }

    @Test func aSoftfailConfigurationExpectsSoftfail() throws {
        var settings = MailDNSSettings()
        settings.spfAll = "~all"
        settings.spfMechanisms = ["mx", "a"]
        let expected = DomainRecords(domain: "example.org", keys: [], settings: settings)
        var dns = FakeDNS()
        dns.add("example.org", .txt("v=spf1 a mx ~all"))
        let items = try DomainCheck(resolver: dns).check(expected)
        #expect(items[1].status == .present)
    }

    // MARK: DKIM

    @Test func dkimMissing() throws {
        var dns = Self.goodZone()
        dns.remove("s1._domainkey.example.org", .txt)
        let item = try judged(.dkim, dns)
        #expect(item.status == .missing)
        #expect(item.problem == "no DKIM record at s1._domainkey.example.org, so mail signed with it fails DKIM verification: publish s1._domainkey.example.org TXT \"v=DKIM1; k=rsa; p=\(Self.rsaKey)\"")
    }

    @Test func dkimWithAnotherKeyIsWrong() throws {
        var dns = Self.goodZone()
        dns.remove("s1._domainkey.example.org", .txt)
        dns.add("s1._domainkey.example.org", .txt("v=DKIM1; k=rsa; p=\(Self.otherRSAKey)"))
        let item = try judged(.dkim, dns)
        #expect(item.status == .wrong)
        #expect(item.found == ["v=DKIM1; k=rsa; p=\(Self.otherRSAKey)"])
        #expect(item.problem == "the DKIM record at s1._domainkey.example.org holds another key (p= ends …\(Self.otherRSAKey.suffix(8)); selector s1's key ends …\(Self.rsaKey.suffix(8))), so mail signed with it fails DKIM verification: publish s1._domainkey.example.org TXT \"v=DKIM1; k=rsa; p=\(Self.rsaKey)\" instead")
    }

    @Test func aRevokedDKIMKeyIsWrong() throws {
        var dns = Self.goodZone()
        dns.remove("s1._domainkey.example.org", .txt)
        dns.add("s1._domainkey.example.org", .txt("v=DKIM1; k=rsa; p="))
        let item = try judged(.dkim, dns)
        #expect(item.status == .wrong)
        #expect(item.problem?.hasPrefix("the DKIM record at s1._domainkey.example.org holds an empty p= (the key is revoked), so mail signed with it fails DKIM verification: publish") == true)
    }

    @Test func aDKIMRecordOfAnotherKeyTypeIsWrong() throws {
        var dns = Self.goodZone()
        dns.remove("s1._domainkey.example.org", .txt)
        dns.add("s1._domainkey.example.org", .txt("v=DKIM1; k=ed25519; p=\(Self.rsaKey)"))
        let item = try judged(.dkim, dns)
        #expect(item.status == .wrong)
        #expect(item.problem?.contains("says k=ed25519 but selector s1's key is rsa") == true)
    }

    @Test func aDKIMKeyWrittenWithSpacesAndWithoutVOrKIsPresent() throws {
        var dns = Self.goodZone()
        dns.remove("s1._domainkey.example.org", .txt)
        let spaced = Self.rsaKey.enumerated().map { $0.offset % 60 == 59 ? "\($0.element) " : "\($0.element)" }.joined()
        dns.add("s1._domainkey.example.org", .txt("t=s; p=\(spaced) ;"))
        dns.add("s1._domainkey.example.org", .txt("some-other-verification=1"))
        let item = try judged(.dkim, dns)
        #expect(item.status == .present, "k= defaults to rsa, whitespace inside p= is ignored (RFC 6376 3.6.1)")
        #expect(item.found == ["t=s; p=\(spaced) ;"])
    }

    @Test func aPublishedKeyNotYetInDNSHoldsUpTheRotation() throws {
        let expected = DomainRecords(
            domain: "example.org", keys: [DKIMPublicKey(selector: "s2", algorithm: .rsaSHA256, publicKey: Self.rsaKey, state: .published)],
            settings: MailDNSSettings())
        let items = try DomainCheck(resolver: FakeDNS()).check(expected)
        #expect(items[2].status == .missing)
        #expect(items[2].problem?.hasPrefix("no DKIM record at s2._domainkey.example.org, so the rotation cannot move to it yet: publish") == true)
    }

    // MARK: DMARC

    @Test func dmarcMissingSaysWhatElseIsThere() throws {
        var dns = Self.goodZone()
        dns.remove("_dmarc.example.org", .txt)
        #expect(try judged(.dmarc, dns).problem == "no DMARC record at _dmarc.example.org, so receivers apply no policy to mail forged in the domain's name: publish _dmarc.example.org TXT \"v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org\"")
        dns.add("_dmarc.example.org", .txt("v=DMARC2; p=reject"))
        let item = try judged(.dmarc, dns)
        #expect(item.status == .missing)
        #expect(item.problem?.hasPrefix("no DMARC record at _dmarc.example.org (the one TXT record there does not start v=DMARC1), so") == true)
    }

    @Test func aWeakerDMARCPolicyIsWrongAndAStrongerOneIsPresent() throws {
        var dns = Self.goodZone()
        dns.remove("_dmarc.example.org", .txt)
        dns.add("_dmarc.example.org", .txt("v=DMARC1; p=none; rua=mailto:postmaster@example.org"))
        let weaker = try judged(.dmarc, dns)
        #expect(weaker.status == .wrong)
        #expect(weaker.problem == "the DMARC record at _dmarc.example.org has p=none, weaker than the configured p=quarantine: publish _dmarc.example.org TXT \"v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org\" instead")

        dns.remove("_dmarc.example.org", .txt)
        dns.add("_dmarc.example.org", .txt("v=DMARC1;p=reject;pct=100;rua=mailto:soc@gov.example,mailto:POSTMASTER@example.org!10m"))
        #expect(try judged(.dmarc, dns).status == .present)
    }

    @Test func dmarcReportsGoingElsewhereOrNowhereAreWrong() throws {
        var dns = Self.goodZone()
        dns.remove("_dmarc.example.org", .txt)
        dns.add("_dmarc.example.org", .txt("v=DMARC1; p=quarantine; rua=mailto:reports@vendor.example"))
        #expect(try judged(.dmarc, dns).problem?.hasPrefix("the DMARC record at _dmarc.example.org sends aggregate reports to mailto:reports@vendor.example, not to mailto:postmaster@example.org: publish") == true)
        dns.remove("_dmarc.example.org", .txt)
        dns.add("_dmarc.example.org", .txt("v=DMARC1; p=quarantine"))
        #expect(try judged(.dmarc, dns).problem?.hasPrefix("the DMARC record at _dmarc.example.org asks for no aggregate reports (no rua=), expected rua=mailto:postmaster@example.org: publish") == true)
    }

    @Test func twoDMARCRecordsOrNoPolicyAreWrong() throws {
        var dns = Self.goodZone()
        dns.add("_dmarc.example.org", .txt("v=DMARC1; p=reject"))
        let two = try judged(.dmarc, dns)
        #expect(two.status == .wrong)
        #expect(two.problem?.hasPrefix("2 DMARC records at _dmarc.example.org: receivers ignore DMARC") == true)
        dns.remove("_dmarc.example.org", .txt)
        dns.add("_dmarc.example.org", .txt("v=DMARC1; rua=mailto:postmaster@example.org"))
        #expect(try judged(.dmarc, dns).problem?.hasPrefix("the DMARC record at _dmarc.example.org has no p= policy (receivers ignore the record): publish") == true)
    }

    // MARK: MTA-STS

    @Test func anMTASTSIDOfAnOlderPolicyIsWrong() throws {
        var dns = Self.goodZone()
        dns.remove("_mta-sts.example.org", .txt)
        dns.add("_mta-sts.example.org", .txt("v=STSv1; id=20250101000000"))
        let item = try judged(.mtaSTS, dns)
        #expect(item.status == .wrong)
        #expect(item.found == ["v=STSv1; id=20250101000000"])
        #expect(item.problem == "the MTA-STS record at _mta-sts.example.org has id=20250101000000: the policy changed, publish id=d06fe1c1cd7004a7686c so senders fetch the new one: publish _mta-sts.example.org TXT \"v=STSv1; id=d06fe1c1cd7004a7686c\" instead")
    }

    @Test func mtaSTSMissing() throws {
        var dns = Self.goodZone()
        dns.remove("_mta-sts.example.org", .txt)
        let item = try judged(.mtaSTS, dns)
        #expect(item.status == .missing)
        #expect(item.problem == "no MTA-STS record at _mta-sts.example.org, so senders do not know that TLS to the MX is required: publish _mta-sts.example.org TXT \"v=STSv1; id=d06fe1c1cd7004a7686c\"")
    }

    @Test func thePolicyHostAsACNAMEToAnotherHostIsWrong() throws {
        var dns = Self.goodZone()
        dns.remove("mta-sts.example.org", .cname)
        dns.add("mta-sts.example.org", .cname("www.example.org"))
        let item = try judged(.mtaSTSHost, dns)
        #expect(item.status == .wrong)
        #expect(item.found == ["www.example.org"])
        #expect(item.problem == "mta-sts.example.org is a CNAME to www.example.org, not to mail.example.org (the host that serves the MTA-STS policy): publish mta-sts.example.org CNAME mail.example.org instead")
    }

    @Test func thePolicyHostWithItsOwnAddressesIsPresentAndSaysSo() throws {
        var dns = Self.goodZone()
        dns.remove("mta-sts.example.org", .cname)
        dns.add("mta-sts.example.org", .a("192.0.2.80"))
        dns.add("mta-sts.example.org", .aaaa("2001:db8::80"))
        let item = try judged(.mtaSTSHost, dns)
        #expect(item.status == .present)
        #expect(item.found == ["A 192.0.2.80 (served directly, no CNAME)", "AAAA 2001:db8::80 (served directly, no CNAME)"])
    }

    @Test func thePolicyHostMissing() throws {
        var dns = Self.goodZone()
        dns.remove("mta-sts.example.org", .cname)
        let item = try judged(.mtaSTSHost, dns)
        #expect(item.status == .missing)
        #expect(item.problem == "no CNAME, A or AAAA record at mta-sts.example.org, so senders cannot fetch the MTA-STS policy: publish mta-sts.example.org CNAME mail.example.org")
    }

    @Test func aPolicyHostNamedMTASTSItselfNeedsAddressesNotACNAME() throws {
        var settings = MailDNSSettings()
        settings.mtaSTSHost = "mta-sts.example.org"
        let expected = DomainRecords(domain: "example.org", keys: [], settings: settings)
        let index = try #require(expected.records.firstIndex { $0.purpose == .mtaSTSHost })
        var dns = FakeDNS()
        dns.add("mta-sts.example.org", .a("192.0.2.80"))
        #expect(try DomainCheck(resolver: dns).check(expected)[index].status == .present)

        dns.remove("mta-sts.example.org", .a)
        let missing = try DomainCheck(resolver: dns).check(expected)[index]
        #expect(missing.status == .missing)
        #expect(missing.problem == "no A or AAAA record at mta-sts.example.org, so senders cannot fetch the MTA-STS policy: publish A and/or AAAA records for mta-sts.example.org (it serves the policy itself)")

        dns.add("mta-sts.example.org", .cname("mail.example.org"))
        let wrong = try DomainCheck(resolver: dns).check(expected)[index]
        #expect(wrong.status == .wrong)
        #expect(wrong.problem == "mta-sts.example.org is a CNAME to mail.example.org, but mail.dns.mta_sts_host names mta-sts.example.org itself: publish A and/or AAAA records for mta-sts.example.org (it serves the policy itself) instead")
    }

    // MARK: TLS-RPT

    @Test func tlsRPTPresentWithAnyReportAddressWrongWithoutAndMissing() throws {
        var dns = Self.goodZone()
        dns.remove("_smtp._tls.example.org", .txt)
        dns.add("_smtp._tls.example.org", .txt("v=TLSRPTv1; rua=https://reports.example.net/tlsrpt"))
        #expect(try judged(.tlsRPT, dns).status == .present)

        dns.remove("_smtp._tls.example.org", .txt)
        dns.add("_smtp._tls.example.org", .txt("v=TLSRPTv1;"))
        let wrong = try judged(.tlsRPT, dns)
        #expect(wrong.status == .wrong)
        #expect(wrong.problem == "the TLS-RPT record at _smtp._tls.example.org has no rua= (nowhere to send reports): publish _smtp._tls.example.org TXT \"v=TLSRPTv1; rua=mailto:postmaster@example.org\" instead")

        dns.remove("_smtp._tls.example.org", .txt)
        let missing = try judged(.tlsRPT, dns)
        #expect(missing.status == .missing)
        #expect(missing.problem == "no TLS-RPT record at _smtp._tls.example.org, so senders do not report TLS failures: publish _smtp._tls.example.org TXT \"v=TLSRPTv1; rua=mailto:postmaster@example.org\"")
    }

    // MARK: DNS failures

    @Test func aDNSErrorIsPassedOnNotCountedAsMissing() throws {
        var dns = Self.goodZone()
        let timeout = DNSError(.timeout, "no answer from 127.0.0.1:5353 within 5 s for _dmarc.example.org TXT: is the server running?")
        dns.failures["_dmarc.example.org TXT"] = timeout
        let thrown = try #require(throws: DNSError.self) { try DomainCheck(resolver: dns).check(Self.expected) }
        #expect(thrown == timeout)

        var refused = Self.goodZone()
        refused.failures["mta-sts.example.org CNAME"] = DNSError(.serverFailure, "refused")
        #expect(throws: DNSError(.serverFailure, "refused")) { try DomainCheck(resolver: refused).check(Self.expected) }
    }
}

/// A DNS that answers from a table: NXDOMAIN for names it has nothing at, no data for a name
/// with records of other types, and a chosen ``DNSError`` for chosen `NAME TYPE` queries.
struct FakeDNS: DNSLookingUp {
    var records: [String: [DNSRecordType: [DNSRecord]]] = [:]
    var failures: [String: DNSError] = [:]

    mutating func add(_ name: String, _ record: DNSRecord) {
        let type: DNSRecordType = switch record {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .mx: .mx
        case .txt: .txt
        case .ns: .ns
        }
        records[name.lowercased(), default: [:]][type, default: []].append(record)
    }

    mutating func remove(_ name: String, _ type: DNSRecordType) {
        records[name.lowercased()]?[type] = nil
        if records[name.lowercased()]?.isEmpty == true { records[name.lowercased()] = nil }
    }

    func lookup(_ name: String, _ type: DNSRecordType) throws -> DNSAnswer {
        if let failure = failures["\(name) \(type.rawValue)"] { throw failure }
        guard let types = records[name.lowercased()] else { return .noSuchName }
        guard let list = types[type], !list.isEmpty else { return .noData }
        return .records(list)
    }
}
