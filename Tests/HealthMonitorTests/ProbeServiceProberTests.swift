import Foundation
import HealthMonitor
import MailTestSupport
import SwitchboardBase
import SwitchboardTestSupport
import Testing
import Transport

/// CurlServiceProber: each kind of service probed for real, observed (not judged).
@Suite struct ProbeServiceProberTests {
    let prober: CurlServiceProber

    init() throws {
        prober = CurlServiceProber(transport: try ProbeTransport())
    }

    @Test func httpServiceIsObservedWithStatusBodyAndPhases() async throws {
        let target = try ProbeHTTPTarget()
        let ok = await prober.observe(ServiceDefinition(name: "portal", kind: .http, target: target.url("/ok")))
        #expect(ok.failure == nil)
        #expect(ok.httpStatus == 200)
        #expect(ok.body == Array("ok\n".utf8))
        #expect(ok.summary == "HTTP 200")
        #expect(ok.phases["connect"] != nil && ok.phases["first_byte"] != nil && ok.phases["total"] != nil)
        #expect(ok.durationSeconds > 0 && ok.durationSeconds < 5)

        let down = await prober.observe(ServiceDefinition(name: "portal", kind: .http, target: target.url("/down")))
        #expect(down.failure == nil, "the status is for the conditions to judge")
        #expect(down.httpStatus == 503)

        let json = await prober.observe(ServiceDefinition(name: "api", kind: .http, target: target.url("/json")))
        let body = try #require(json.body)
        let decoded = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        #expect(decoded?["status"] as? String == "ok")

        let wrong = await prober.observe(ServiceDefinition(name: "portal", kind: .http, target: target.url("/wrong")))
        #expect(wrong.httpStatus == 200)
        #expect(String(decoding: wrong.body ?? [], as: UTF8.self).contains("Default web page"))

        let slow = await prober.observe(ServiceDefinition(name: "slow", kind: .http, target: target.url("/slow?ms=2000"), timeout: .milliseconds(300)))
        #expect(slow.failure == "timed out after 300 ms waiting for 127.0.0.1:\(target.port)")
        #expect(slow.httpStatus == nil)
        #expect(slow.durationSeconds < 2)
    }

    @Test func closedPortAndBadTargetsAreFailuresNamingTheTarget() async throws {
        let port = try LoopbackPort.free()
        let tcp = await prober.observe(ServiceDefinition(name: "db", kind: .tcp, target: "127.0.0.1:\(port)"))
        #expect(tcp.failure?.hasPrefix("connection refused by 127.0.0.1:\(port)") == true, "\(tcp.failure ?? "no failure")")
        #expect(tcp.summary == tcp.failure)

        let http = await prober.observe(ServiceDefinition(name: "web", kind: .http, target: "http://127.0.0.1:\(port)/"))
        #expect(http.failure?.hasPrefix("connection refused by 127.0.0.1:\(port)") == true)

        let nonsense = await prober.observe(ServiceDefinition(name: "db", kind: .tcp, target: "database"))
        #expect(nonsense.failure == "target \"database\" of db is not host:port: fix it in the configuration")
        let wrongScheme = await prober.observe(ServiceDefinition(name: "mx", kind: .smtp, target: "imap://127.0.0.1:143"))
        #expect(wrongScheme.failure?.contains("is not smtp://host:port") == true)
    }

    @Test func tlsServiceWithFiveDayCertificateIsRefusedWithoutItsCAAndShowsItsExpiryWithIt() async throws {
        let server = try SelfSignedTLSServer(days: 5)
        let target = "127.0.0.1:\(server.port)"
        let refused = await prober.observe(ServiceDefinition(name: "ldaps", kind: .tls, target: target))
        #expect(refused.failure?.hasPrefix("TLS certificate of \(target) is not trusted") == true, "\(refused.failure ?? "no failure")")
        #expect(refused.certificateExpiry == nil)

        let trusted = await prober.observe(ServiceDefinition(name: "ldaps", kind: .tls, target: target, caFile: server.certificate))
        #expect(trusted.failure == nil, "\(trusted.failure ?? "")")
        let days = try #require(trusted.certificateExpiry).timeIntervalSinceNow / 86400
        #expect(days > 4.9 && days <= 5.01, "expires in \(days) days")

        let https = await prober.observe(ServiceDefinition(name: "portal", kind: .http, target: "https://\(target)/", caFile: server.certificate))
        #expect(https.httpStatus == 200)
        #expect(https.certificateExpiry == trusted.certificateExpiry)
        #expect(https.phases["tls"] != nil)
    }

    @Test func dnsServiceComparesTheExpectedAddresses() async throws {
        let any = await prober.observe(ServiceDefinition(name: "dns", kind: .dns, target: "localhost"))
        #expect(any.failure == nil)
        #expect(any.summary.hasPrefix("resolved to "))
        let exact = await prober.observe(ServiceDefinition(name: "dns", kind: .dns, target: "127.0.0.1", expectedAddresses: ["127.0.0.1"]))
        #expect(exact.failure == nil, "\(exact.failure ?? "")")
        let moved = await prober.observe(ServiceDefinition(name: "dns", kind: .dns, target: "127.0.0.1", expectedAddresses: ["10.0.0.5"]))
        #expect(moved.failure == "127.0.0.1 resolved to 127.0.0.1, expected 10.0.0.5")
        let missing = await prober.observe(ServiceDefinition(name: "dns", kind: .dns, target: "no-such-host.invalid"))
        #expect(missing.failure?.hasPrefix("no-such-host.invalid does not resolve") == true, "\(missing.failure ?? "no failure")")
    }
}

/// The mail kinds against the test run's Dovecot + Postfix (`make test`).
@Suite struct ProbeMailServiceTests {
    let prober: CurlServiceProber

    init() throws {
        prober = CurlServiceProber(transport: try ProbeTransport())
    }

    /// A probe mailbox in a workspace of the test's own, and its password file (mode 600).
    func probeAccount(_ workspace: MailWorkspace, password: String = "Gi0-mua-thu-Ha-Noi") throws -> ProbeAccount {
        let address = try workspace.mailbox("probe")
        let file = workspace.folder + "/probe.password"
        try AtomicFileWrite.write(password + "\n", to: file)
        return ProbeAccount(login: address, passwordFile: file)
    }

    @Test func smtpServiceBannerWithAndWithoutTLS() async throws {
        let workspace = try MailWorkspace()
        let tls = try workspace.tls()
        let plain = await prober.observe(ServiceDefinition(name: "mx", kind: .smtp, target: "smtp://127.0.0.1:\(workspace.smtpPort)"))
        #expect(plain.failure == nil, "\(plain.failure ?? "")")
        #expect(plain.summary.hasPrefix("220 "))

        let startTLS = await prober.observe(ServiceDefinition(
            name: "mx", kind: .smtp, target: "smtp://127.0.0.1:\(workspace.smtpPort)?starttls", caFile: tls.caFile))
        #expect(startTLS.failure == nil, "\(startTLS.failure ?? "")")
        #expect(startTLS.certificateExpiry != nil)
        #expect(startTLS.summary.hasSuffix("; STARTTLS done"))

        let untrusted = await prober.observe(ServiceDefinition(name: "mx", kind: .smtp, target: "smtps://127.0.0.1:\(tls.submissionsPort)"))
        #expect(untrusted.failure?.hasPrefix("TLS certificate of 127.0.0.1:\(tls.submissionsPort) is not trusted") == true,
                "\(untrusted.failure ?? "no failure")")
    }

    @Test func imapServiceLogsInWithTheProbeAccount() async throws {
        let workspace = try MailWorkspace()
        let account = try probeAccount(workspace)
        let target = "imap://127.0.0.1:\(workspace.imapPort)"

        let greeting = await prober.observe(ServiceDefinition(name: "imap", kind: .imap, target: target))
        #expect(greeting.failure == nil)
        #expect(greeting.summary.hasPrefix("* OK"))

        let login = await prober.observe(ServiceDefinition(name: "imap", kind: .imap, target: target, account: account))
        #expect(login.failure == nil, "\(login.failure ?? "")")
        #expect(login.summary.hasSuffix("; logged in as \(account.login)"))

        // The password is read at every probe: a changed file counts at once.
        try AtomicFileWrite.write("Sai-mat-khau-123\n", to: account.passwordFile)
        let refused = await prober.observe(ServiceDefinition(name: "imap", kind: .imap, target: target, account: account))
        #expect(refused.failure?.hasPrefix("IMAP server 127.0.0.1:\(workspace.imapPort) refused the login of \(account.login)") == true,
                "\(refused.failure ?? "no failure")")
        #expect(refused.failure?.contains("Sai-mat-khau") == false)

        chmod(account.passwordFile, 0o644)
        let exposed = await prober.observe(ServiceDefinition(name: "imap", kind: .imap, target: target, account: account))
        #expect(exposed.failure?.contains("is readable by everyone") == true)
        let gone = ProbeAccount(login: account.login, passwordFile: workspace.folder + "/missing")
        let missing = await prober.observe(ServiceDefinition(name: "imap", kind: .imap, target: target, account: gone))
        #expect(missing.failure?.hasPrefix("cannot read the password file \(workspace.folder)/missing of probe account \(account.login)") == true)
    }

    @Test func mailRoundTripSubmitsSeesAndDeletesItsMessage() async throws {
        let workspace = try MailWorkspace()
        let account = try probeAccount(workspace)
        let service = ServiceDefinition(
            name: "mail", kind: .mailRoundtrip, target: "smtp://127.0.0.1:\(workspace.submissionPort)",
            // Generous: a busy test run slows the servers; the probe returns when it is done.
            imapTarget: "imap://127.0.0.1:\(workspace.imapPort)", timeout: .seconds(60), account: account)

        // The whole test run shares two cores and Swift's cooperative pool, which synchronous
        // tests beside this one can hold for a long time: a round trip that ran out of time is
        // tried again (up to three times); any other failure fails at once.
        var observation = await prober.observe(service)
        for _ in 1..<3 where observation.failure.map({ $0.contains("timeout") || $0.contains("timed out") }) == true {
            observation = await prober.observe(service)
        }
        #expect(observation.failure == nil, "\(observation.failure ?? "")")
        let submit = try #require(observation.phases["submit"])
        let visible = try #require(observation.phases["visible"])
        #expect(submit > 0 && submit <= visible && visible < 60)
        #expect(observation.summary.hasPrefix("submitted in "))

        // Deleted: the probe mailbox is empty again (read without the prober).
        let session = try IMAPSession(server: workspace.imapServer, credentials: MailCredentials(username: account.login, password: Secret("Gi0-mua-thu-Ha-Noi")))
        defer { session.close() }
        #expect(try session.messageCount() == 0)

        // A second probe works the same (no leftovers, a fresh token).
        let again = await prober.observe(service)
        #expect(again.failure == nil, "\(again.failure ?? "")")
        #expect(try session.messageCount() == 0)
    }

    @Test func mailRoundTripFailuresNameTheAccountAndServer() async throws {
        let workspace = try MailWorkspace()
        let account = try probeAccount(workspace, password: "Sai-mat-khau-123")
        let service = ServiceDefinition(
            name: "mail", kind: .mailRoundtrip, target: "smtp://127.0.0.1:\(workspace.submissionPort)",
            imapTarget: "imap://127.0.0.1:\(workspace.imapPort)", timeout: .seconds(5), account: account)
        let refused = await prober.observe(service)
        let failure = try #require(refused.failure)
        #expect(failure.hasPrefix("mail round trip of \(account.login): IMAP server 127.0.0.1:\(workspace.imapPort) refused the login"), "\(failure)")
        #expect(!failure.contains("Sai-mat-khau"))

        let closed = try LoopbackPort.free()
        let goodAccount = ProbeAccount(login: account.login, passwordFile: account.passwordFile)
        try AtomicFileWrite.write("Gi0-mua-thu-Ha-Noi\n", to: account.passwordFile)
        var noSubmission = service
        noSubmission.target = "smtp://127.0.0.1:\(closed)"
        noSubmission.account = goodAccount
        let unreachable = await prober.observe(noSubmission)
        #expect(unreachable.failure?.contains("127.0.0.1:\(closed)") == true, "\(unreachable.failure ?? "no failure")")
        #expect(unreachable.failure?.contains("connection refused") == true)
    }
}

/// Writes a test file with mode 600 (password files must not be readable by everyone).
enum AtomicFileWrite {
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
    }
}
