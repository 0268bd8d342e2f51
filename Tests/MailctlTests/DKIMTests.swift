import Foundation
import MailTestSupport
import SwitchboardBase
import SwitchboardTestSupport
import Testing
import Transport

/// Mail trust end to end: keys made by `mailctl`, records printed by `domain dns` and served by
/// the test run's own DNS server (knot, `ops/testdns`), signatures made by the stack's OpenDKIM
/// and checked by an independent verifier (Debian's python3-dkim, Tests/Fixtures/dkim/verify.py)
/// against that DNS server.
@Suite(.serialized) struct DKIMTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    /// Submits a message through the stack's submission port as `address` (authenticated), and
    /// returns it as it arrived in the mailbox.
    static func submitAndFetch(_ mail: MailWorkspace, as address: String, body: String = "Kính gửi anh chị,\r\nlịch họp tuần sau.\r\n") throws -> String {
        let id = "<\(UUID().uuidString)@\(mail.domain)>"
        let message = "From: <\(address)>\r\nTo: <\(address)>\r\nSubject: DKIM test\r\nMessage-ID: \(id)\r\nDate: \(Self.date())\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\(body)"
        let session = try SMTPSession(server: mail.submissionServer, credentials: MailCredentials(username: address, password: Secret(password)),
                                      heloName: mail.domain)
        defer { session.close() }
        _ = try session.send(from: address, to: [address], message: message)
        return try #require(try mail.deliveredMessage(id, to: address), "\(id) did not arrive")
    }

    static func date() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: Date())
    }

    /// Runs the independent verifier on `message` against the test DNS.
    static func verify(_ message: String, dns: TestDNS, in mail: MailWorkspace) throws -> CommandRun {
        let file = mail.folder + "/message-\(UUID().uuidString.prefix(8)).eml"
        try message.write(toFile: file, atomically: true, encoding: .utf8)
        return try ProcessRunner.run("/usr/bin/python3", [Repository.path("Tests/Fixtures/dkim/verify.py"), "--dns", dns.server, file])
    }

    /// Publishes what `mailctl domain dns` prints for the workspace's domain.
    @discardableResult
    static func publish(_ mail: MailWorkspace, dns: TestDNS, editing edit: (String) -> String = { $0 }) throws -> String {
        let records = try mail.expectOK("domain", "dns", mail.domain).stdout
        try dns.serve(zone: mail.domain, records: edit(records))
        return records
    }

    /// The `s=` of each DKIM-Signature header (the Maildir copy has LF line ends, IMAP's CRLF).
    static func selectors(_ message: String) -> [String] {
        let text = message.replacingOccurrences(of: "\r\n", with: "\n")
        let head = text.components(separatedBy: "\n\n")[0].replacingOccurrences(of: "\n\t", with: " ").replacingOccurrences(of: "\n ", with: " ")
        return head.split(separator: "\n").filter { $0.lowercased().hasPrefix("dkim-signature:") }.compactMap { field in
            field.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("s=") }.map { String($0.dropFirst(2)) }
        }
    }

    @Test func aSubmittedMessageIsSignedAndAnIndependentVerifierAcceptsItUntilOneByteChanges() throws {
        let dns = try TestDNS.current()
        let mail = try MailWorkspace()
        defer { try? dns.remove(zone: mail.domain) }
        let address = try mail.mailbox("an")
        try Self.publish(mail, dns: dns)
        let check = try mail.mailctl("domain", "check", mail.domain, "--server", dns.server)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("every record is published and its mail is signed"), "\(check.stdout)")

        let message = try Self.submitAndFetch(mail, as: address)
        let selector = try #require(Self.selectors(message).first, "no DKIM-Signature in:\n\(message.prefix(1500))")
        #expect(selector.hasPrefix("sb-"))
        let good = try Self.verify(message, dns: dns, in: mail)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("pass d=\(mail.domain) s=\(selector)"), "\(good.stdout)")

        // One byte of the body changed: the signature no longer holds.
        let tampered = message.replacingOccurrences(of: "lịch họp tuần sau", with: "lịch họp tuần xau")
        #expect(tampered != message)
        let bad = try Self.verify(tampered, dns: dns, in: mail)
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stdout.contains("fail d=\(mail.domain) s=\(selector)"), "\(bad.stdout)")
    }

    @Test func withEd25519OnADomainsMailCarriesTwoSignaturesAndBothVerify() throws {
        let dns = try TestDNS.current()
        let mail = try MailWorkspace()
        try mail.writeConfig(dkim: "{key_dir: \(mail.keyDirectory), ed25519: true}")
        let domain = "ed.\(mail.domain)"
        defer { try? dns.remove(zone: domain) }
        try mail.expectOK("domain", "add", domain)
        let address = "an@\(domain)"
        try mail.expectOK(["account", "create", address, "--name", "An", "--password-stdin"], stdin: Self.password + "\n")
        let records = try mail.expectOK("domain", "dns", domain).stdout
        #expect(records.contains("k=ed25519"), "\(records)")
        try dns.serve(zone: domain, records: records)
        #expect(try mail.mailctl("domain", "check", domain, "--server", dns.server).status == 0)
        let message = try Self.submitAndFetch(mail, as: address)
        let selectors = Self.selectors(message)
        #expect(selectors.count == 2 && selectors.contains { $0.hasSuffix("-ed") }, "\(selectors)")
        let run = try Self.verify(message, dns: dns, in: mail)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("a=ed25519-sha256") && run.stdout.contains("a=rsa-sha256"), "\(run.stdout)")
    }

    @Test func aLoginGetsItsOwnDomainsSignatureOnlyNotAnotherHostedDomains() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("kim")
        let other = "other.\(mail.domain)"
        try mail.expectOK("domain", "add", other)
        // Postfix checks the envelope sender against the login; the From: header is the signer's to judge.
        let id = "<\(UUID().uuidString)@\(mail.domain)>"
        let message = "From: <minister@\(other)>\r\nTo: <\(address)>\r\nSubject: forged\r\nMessage-ID: \(id)\r\nDate: \(Self.date())\r\n\r\nKhong phai toi.\r\n"
        let session = try SMTPSession(server: mail.submissionServer, credentials: MailCredentials(username: address, password: Secret(Self.password)),
                                      heloName: mail.domain)
        _ = try session.send(from: address, to: [address], message: message)
        session.close()
        let arrived = try #require(try mail.deliveredMessage(id, to: address))
        #expect(Self.selectors(arrived).isEmpty, "mail From: another hosted domain was signed for it:\n\(arrived.prefix(800))")
        // Its own domain's mail is signed.
        #expect(Self.selectors(try Self.submitAndFetch(mail, as: address)).count == 1)
        // An address of the other domain that delivers to it (an alias) is one it may send as: signed for that domain.
        try mail.expectOK("alias", "add", "office@\(other)", address)
        let granted = "<\(UUID().uuidString)@\(other)>"
        let alias = "From: <office@\(other)>\r\nTo: <\(address)>\r\nSubject: on behalf\r\nMessage-ID: \(granted)\r\nDate: \(Self.date())\r\n\r\nThay mat van phong.\r\n"
        let again = try SMTPSession(server: mail.submissionServer, credentials: MailCredentials(username: address, password: Secret(Self.password)),
                                    heloName: mail.domain)
        _ = try again.send(from: "office@\(other)", to: [address], message: alias)
        again.close()
        let signed = try #require(try mail.deliveredMessage(granted, to: address))
        #expect(signed.contains("d=\(other);"), "mail as an address the login may use was not signed for its domain:\n\(signed.prefix(800))")
    }

    @Test func checkNamesAMissingDMARCAnotherDKIMKeyAndAnSPFWithoutDashAll() throws {
        let dns = try TestDNS.current()
        let mail = try MailWorkspace()
        defer { try? dns.remove(zone: mail.domain) }
        let otherKey = try Self.otherPublicKey()
        // The zone written here from `domain dns --json`, with three records changed.
        let json = try mail.expectOK("domain", "dns", mail.domain, "--json").stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var records = try #require(object["records"] as? [[String: Any]])
        records.removeAll { $0["purpose"] as? String == "dmarc" }
        for index in records.indices {
            let value = records[index]["value"] as? String ?? ""
            switch records[index]["purpose"] as? String {
            case "spf": records[index]["value"] = value.replacingOccurrences(of: "-all", with: "~all")
            case "dkim": records[index]["value"] = "v=DKIM1; k=rsa; p=" + otherKey
            default: break
            }
        }
        try dns.serve(zone: mail.domain, records: Self.zone(records))
        let run = try mail.mailctl("domain", "check", mail.domain, "--server", dns.server, "--json")
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let items = try #require(report["records"] as? [[String: Any]])
        func status(_ purpose: String) -> String? {
            items.first { ($0["record"] as? [String: Any])?["purpose"] as? String == purpose }?["status"] as? String
        }
        #expect(status("dmarc") == "missing")
        #expect(status("spf") == "wrong")
        #expect(status("dkim") == "wrong")
        #expect(status("mx") == "present")
        #expect(status("tls-rpt") == "present")
        let human = try mail.mailctl("domain", "check", mail.domain, "--server", dns.server)
        #expect(human.status == 1)
        #expect(human.stdout.contains("-all"), "the SPF line should say -all is expected: \(human.stdout)")
        #expect(human.stdout.contains("_dmarc.\(mail.domain)"), "\(human.stdout)")
    }

    @Test func rotationSignsWithTheNewKeyOnceDNSHasItAndRetiresTheOldAfterTheGracePeriod() throws {
        let dns = try TestDNS.current()
        let mail = try MailWorkspace()
        defer { try? dns.remove(zone: mail.domain) }
        try mail.writeConfig(dkim: "{key_dir: \(mail.keyDirectory), rotation_grace: 4s}")
        let address = try mail.mailbox("binh")
        try Self.publish(mail, dns: dns)
        let before = try Self.submitAndFetch(mail, as: address)
        let old = try #require(Self.selectors(before).first)

        let rotate = try mail.expectOK("domain", "dkim", "rotate", mail.domain)
        let new = try #require(try Self.keys(mail).first { $0.state == "published" }?.selector, "\(rotate.stdout)")
        #expect(new != old)
        // Not in DNS yet: nothing changes, mail is still signed with the old key.
        let early = try mail.expectOK("domain", "dkim", "advance", mail.domain, "--server", dns.server)
        #expect(early.stdout.contains("waiting"), "\(early.stdout)")
        #expect(Self.selectors(try Self.submitAndFetch(mail, as: address)) == [old])

        let both = try Self.publish(mail, dns: dns)
        #expect(both.contains("\(old)._domainkey") && both.contains("\(new)._domainkey"), "\(both)")
        let advance = try mail.expectOK("domain", "dkim", "advance", mail.domain, "--server", dns.server)
        #expect(advance.stdout.contains("activated"), "\(advance.stdout)")
        let during = try Self.submitAndFetch(mail, as: address)
        #expect(Self.selectors(during) == [new])
        // The grace period: mail signed before the rotation and after it both verify.
        for message in [before, during] {
            let run = try Self.verify(message, dns: dns, in: mail)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        let oldFile = try #require(try Self.keys(mail).first { $0.selector == old }?.path)
        #expect(FileManager.default.fileExists(atPath: oldFile))

        Thread.sleep(forTimeInterval: 4.5)
        let retire = try mail.expectOK("domain", "dkim", "advance", mail.domain, "--server", dns.server)
        #expect(retire.stdout.contains("\(old): retired"), "\(retire.stdout)")
        let after = try Self.publish(mail, dns: dns)
        #expect(!after.contains("\(old)._domainkey") && after.contains("\(new)._domainkey"), "\(after)")
        #expect(!FileManager.default.fileExists(atPath: oldFile), "the retired key's file is still there")
        let last = try Self.submitAndFetch(mail, as: address)
        #expect(Self.selectors(last) == [new])
        #expect(try Self.verify(last, dns: dns, in: mail).status == 0)
        // Every step is in the audit log.
        for action in ["mail.dkim.rotate", "mail.dkim.activate", "mail.dkim.retire"] {
            #expect(try mail.events("action = '\(action)' AND target = 'mail-domain:\(mail.domain)'") == 1, "\(action)")
        }
    }

    @Test func aRotationWhoseKeyNeverSignsCanBeCancelledAndStartedAgain() throws {
        let mail = try MailWorkspace()
        try mail.expectOK("domain", "dkim", "rotate", mail.domain)
        let again = try mail.mailctl("domain", "dkim", "rotate", mail.domain)
        #expect(again.status == 1, "a second rotation while one waits: \(again.stderr)")
        #expect(again.stderr.contains("already has a new key waiting"), "\(again.stderr)")
        let waiting = try #require(try Self.keys(mail).first { $0.state == "published" })
        let cancel = try mail.expectOK("domain", "dkim", "cancel", mail.domain)
        #expect(cancel.stdout.contains(waiting.selector))
        #expect(try Self.keys(mail).first { $0.selector == waiting.selector }?.state == "retired")
        #expect(!FileManager.default.fileExists(atPath: waiting.path))
        #expect(try mail.events("action = 'mail.dkim.cancel' AND target = 'mail-domain:\(mail.domain)'") == 1)
        // Nothing waits now: cancel refuses, rotate starts again with a selector of its own.
        #expect(try mail.mailctl("domain", "dkim", "cancel", mail.domain).status == 1)
        try mail.expectOK("domain", "dkim", "rotate", mail.domain)
        let next = try #require(try Self.keys(mail).first { $0.state == "published" })
        #expect(next.selector != waiting.selector)
        #expect(!(try mail.expectOK("domain", "dns", mail.domain).stdout.contains(waiting.selector + "._domainkey")))
    }

    @Test func aKeyFileNoKeyUsesIsPointedOutByCheck() throws {
        let dns = try TestDNS.current()
        let mail = try MailWorkspace()
        defer { try? dns.remove(zone: mail.domain) }
        try Self.publish(mail, dns: dns)
        let stray = "\(mail.keyDirectory)/\(mail.domain)/sb-19990101.private"
        try "left by an interrupted run\n".write(toFile: stray, atomically: true, encoding: .utf8)
        let run = try mail.mailctl("domain", "check", mail.domain, "--server", dns.server)
        #expect(run.status == 0, "a stray file is a note, not a failure: \(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("no key of the directory uses: sb-19990101.private"), "\(run.stdout)")
    }

    @Test(arguments: ["missing", "unreadable"])
    func aBrokenKeyFileIsNamedInOneLineAndMailStillArrivesUnsigned(_ breakage: String) throws {
        let dns = try TestDNS.current()
        let mail = try MailWorkspace()
        defer { try? dns.remove(zone: mail.domain) }
        let address = try mail.mailbox("chi")
        try Self.publish(mail, dns: dns)
        let key = try #require(try Self.keys(mail).first { $0.state == "active" })
        if breakage == "missing" {
            try FileManager.default.removeItem(atPath: key.path)
        } else {
            #expect(chmod(key.path, 0o000) == 0)
        }
        let check = try mail.mailctl("domain", "check", mail.domain, "--server", dns.server)
        #expect(check.status == 1)
        let lines = check.stdout.split(separator: "\n").filter { $0.contains(key.path) }
        #expect(lines.count == 1, "\(check.stdout)")
        #expect(lines.first?.contains(breakage) == true, "\(check.stdout)")

        let message = try Self.submitAndFetch(mail, as: address)
        #expect(Self.selectors(message).isEmpty, "signed although the key is \(breakage)")
        let doctor = try mail.mailctl(["doctor", address, "--password-stdin"], stdin: Self.password + "\n")
        #expect(doctor.status == 0, "a mailbox that works but does not sign is a warning: \(doctor.stdout)")
        let dkimLine = try #require(doctor.stdout.split(separator: "\n").first { $0.hasPrefix("dkim") }, "\(doctor.stdout)")
        #expect(dkimLine.contains("warning") && dkimLine.contains(breakage), "\(dkimLine)")
    }

    @Test func domainDNSPrintsEveryRecordAsAZoneAndAsJSON() throws {
        let mail = try MailWorkspace()
        let zone = try mail.expectOK("domain", "dns", mail.domain).stdout
        for needle in ["\(mail.domain). ", "IN MX", "v=spf1 mx -all", "._domainkey.\(mail.domain).", "v=DKIM1; k=rsa; p=",
                       "_dmarc.\(mail.domain).", "p=quarantine", "_mta-sts.\(mail.domain).", "_smtp._tls.\(mail.domain).", "v=TLSRPTv1"] {
            #expect(zone.contains(needle), "\(needle) not in:\n\(zone)")
        }
        let json = try mail.expectOK("domain", "dns", mail.domain, "--json").stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let records = try #require(object["records"] as? [[String: Any]])
        #expect(Set(records.compactMap { $0["purpose"] as? String }) == ["mx", "spf", "dkim", "dmarc", "mta-sts", "mta-sts-host", "tls-rpt"])
        #expect((object["mtaSTSPolicy"] as? String)?.contains("mode: enforce") == true)
    }

    @Test func aDNSServerThatDoesNotAnswerIsOneLineAndExit69() throws {
        let mail = try MailWorkspace()
        let silent = try SilentUDPPort()
        let run = try mail.mailctl("domain", "check", mail.domain, "--server", "127.0.0.1:\(silent.port)")
        #expect(run.status == 69, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("127.0.0.1:\(silent.port)"), "\(run.stderr)")
        let bad = try mail.mailctl("domain", "check", mail.domain, "--server", "not a server")
        #expect(bad.status == 64, "\(bad.stdout)\(bad.stderr)")
    }

    // MARK: Helpers

    struct Key {
        var selector: String
        var state: String
        var path: String
    }

    static func keys(_ mail: MailWorkspace) throws -> [Key] {
        let json = try mail.expectOK("domain", "dkim", "list", mail.domain, "--json").stdout
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        return list.compactMap { item in
            guard let selector = item["selector"] as? String, let state = item["state"] as? String, let path = item["keyPath"] as? String else { return nil }
            return Key(selector: selector, state: state, path: path)
        }
    }

    /// Zone lines for records as `domain dns --json` gives them (TXT split into 200-byte strings).
    static func zone(_ records: [[String: Any]]) -> String {
        records.compactMap { record -> String? in
            guard let name = record["name"] as? String, let type = record["type"] as? String, let value = record["value"] as? String else { return nil }
            switch type {
            case "TXT":
                var chunks: [String] = []
                var rest = Substring(value)
                while !rest.isEmpty {
                    chunks.append("\"" + rest.prefix(200) + "\"")
                    rest = rest.dropFirst(200)
                }
                return "\(name). 300 IN TXT \(chunks.joined(separator: " "))"
            case "MX":
                return "\(name). 300 IN MX \(value)."
            default:
                return "\(name). 300 IN \(type) \(value)."
            }
        }.joined(separator: "\n") + "\n"
    }

    /// Another RSA key's published form (made by openssl, not by mailctl).
    static func otherPublicKey() throws -> String {
        let pem = try ProcessRunner.runChecked("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        let folder = try ScratchFolder.make("dkim-other")
        defer { _ = ScratchFolder.remove(folder) }
        try pem.write(toFile: folder + "/k.pem", atomically: true, encoding: .utf8)
        let der = try ProcessRunner.runChecked("/usr/bin/openssl", ["pkey", "-in", folder + "/k.pem", "-pubout", "-outform", "PEM"])
        return der.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    }
}
