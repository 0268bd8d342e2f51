import Foundation
import Synchronization
import SwitchboardBase
import SwitchboardTestSupport
import Testing
@testable import Transport

#if canImport(Glibc)
import Glibc
#endif

/// ProbeTransport against real local targets: the HTTP fixture, a closed port, a listener that
/// never answers, `openssl s_server` with a certificate expiring in 5 days.
@Suite struct ProbeTransportTests {
    @Test func httpAnswersCarryStatusBodyAndPhases() async throws {
        let target = try ProbeHTTPTarget()
        let transport = try ProbeTransport()

        let ok = await transport.http(HTTPRequest(url: target.url("/ok"), timeout: .seconds(5)))
        #expect(ok.failure == nil)
        #expect(ok.response?.status == 200)
        #expect(ok.response?.text == "ok\n")
        #expect(ok.summary == "HTTP 200")
        #expect(ok.target == "127.0.0.1:\(target.port)")
        for phase in ["connect", "first_byte", "total"] {
            #expect(ok.phases[phase] != nil, "phase \(phase) missing in \(ok.phases)")
        }
        #expect(ok.phases["tls"] == nil, "plain HTTP has no TLS phase")
        let connect = try #require(ok.phases["connect"]), firstByte = try #require(ok.phases["first_byte"])
        #expect(connect <= firstByte && firstByte <= ok.totalSeconds)

        let down = await transport.http(HTTPRequest(url: target.url("/down"), timeout: .seconds(5)))
        #expect(down.failure == nil, "a 503 is an answer, judged by the conditions")
        #expect(down.response?.status == 503)

        let wrong = await transport.http(HTTPRequest(url: target.url("/wrong"), timeout: .seconds(5)))
        #expect(wrong.response?.text.contains("Default web page") == true)

        let json = await transport.http(HTTPRequest(url: target.url("/json"), timeout: .seconds(5)))
        #expect(json.response?.header("content-type") == "application/json")
        #expect(json.response?.text.contains("\"healthy\": true") == true)

        let slow = await transport.http(HTTPRequest(url: target.url("/slow?ms=300"), timeout: .seconds(5)))
        #expect(slow.response?.status == 200)
        #expect((slow.phases["first_byte"] ?? 0) >= 0.3, "first byte after the server's 300 ms: \(slow.phases)")
    }

    @Test func closedPortIsRefusedNamingTheTarget() async throws {
        let port = try LoopbackPort.free()
        let transport = try ProbeTransport()
        let report = await transport.http(HTTPRequest(url: "http://127.0.0.1:\(port)/", timeout: .seconds(5)))
        #expect(report.response == nil)
        #expect(report.failure?.hasPrefix("connection refused by 127.0.0.1:\(port)") == true, "\(report.failure ?? "no failure")")
        let tcp = await transport.tcp(host: "127.0.0.1", port: port, timeout: .seconds(5))
        #expect(tcp.failure?.hasPrefix("connection refused by 127.0.0.1:\(port)") == true, "\(tcp.failure ?? "no failure")")
    }

    @Test func timeoutHoldsAgainstServersThatNeverAnswer() async throws {
        let silent = try SilentListener()
        let target = try ProbeHTTPTarget()
        let transport = try ProbeTransport()
        let clock = ContinuousClock()

        let start = clock.now
        let port = silent.port
        let held = target.url("/hold")
        async let silentHTTP = transport.http(HTTPRequest(url: "http://127.0.0.1:\(port)/", timeout: .seconds(1)))
        async let heldHTTP = transport.http(HTTPRequest(url: held, timeout: .seconds(1)))
        async let silentSMTP = transport.smtp(MailServer(host: "127.0.0.1", port: port, security: .plain), timeout: .seconds(1))
        async let silentTLS = transport.tls(host: "127.0.0.1", port: port, timeout: .seconds(1))
        let reports = await [silentHTTP, heldHTTP, silentSMTP, silentTLS]
        let elapsed = start.duration(to: clock.now)

        for report in reports {
            #expect(report.failure == "timed out after 1 s waiting for \(report.target)", "\(report.failure ?? "no failure")")
            #expect(report.totalSeconds >= 0.95 && report.totalSeconds < 2, "took \(report.totalSeconds) s")
        }
        #expect(elapsed < .seconds(3), "four timeouts of 1 s run at once, not one after another: \(elapsed)")
        #expect(transport.transfersInFlight == 0)
    }

    @Test func aServerThatNeverAnswersQUITDoesNotStallOtherProbes() async throws {
        let mute = try ProbeHTTPTarget(script: "mute_smtp.py")
        let target = try ProbeHTTPTarget()
        let transport = try ProbeTransport()
        let smtp = await transport.smtp(MailServer(host: "127.0.0.1", port: mute.port, security: .plain), timeout: .seconds(5))
        #expect(smtp.failure == nil, "\(smtp.failure ?? "")")
        #expect(smtp.greeting == "220 mute.test ESMTP")
        let start = ContinuousClock.now
        let http = await transport.http(HTTPRequest(url: target.url("/ok"), timeout: .seconds(5)))
        #expect(http.response?.status == 200)
        #expect(start.duration(to: .now) < .seconds(2), "the loop waited for a QUIT answer: \(start.duration(to: .now))")
        #expect(try openConnections(toPort: mute.port) == 0, "the SMTP probe's connection was left open")
    }

    @Test func tcpConnectSucceedsOnAListeningPort() async throws {
        let target = try ProbeHTTPTarget()
        let transport = try ProbeTransport()
        let report = await transport.tcp(host: "127.0.0.1", port: target.port, timeout: .seconds(5))
        #expect(report.failure == nil)
        #expect(report.summary == "connected to 127.0.0.1:\(target.port)")
        #expect(report.phases["connect"] != nil)
    }

    @Test func selfSignedCertificateIsRefusedUntilItsCAIsGivenThenItsExpiryIsSeen() async throws {
        let server = try SelfSignedTLSServer(days: 5)
        let transport = try ProbeTransport()
        let endpoint = "127.0.0.1:\(server.port)"

        let refused = await transport.tls(host: "127.0.0.1", port: server.port, timeout: .seconds(5))
        #expect(refused.failure?.hasPrefix("TLS certificate of \(endpoint) is not trusted") == true, "\(refused.failure ?? "no failure")")
        #expect(refused.failure?.hasSuffix("give its CA in ca_file") == true)

        let trusted = await transport.tls(host: "127.0.0.1", port: server.port, timeout: .seconds(5), caFile: server.certificate)
        #expect(trusted.failure == nil, "\(trusted.failure ?? "")")
        let expiry = try #require(trusted.certificateExpiry)
        let days = expiry.timeIntervalSinceNow / 86400
        #expect(days > 4.9 && days <= 5.01, "expires in \(days) days")
        #expect(trusted.phases["tls"] != nil)
        #expect(trusted.summary.hasPrefix("TLS handshake with \(endpoint) done, certificate valid until "))

        let https = await transport.http(HTTPRequest(url: "https://127.0.0.1:\(server.port)/", timeout: .seconds(5), caFile: server.certificate))
        #expect(https.failure == nil, "\(https.failure ?? "")")
        #expect(https.response?.status == 200)
        #expect(https.certificateExpiry == expiry)
        #expect(https.response?.certificateExpiry == expiry)
        let phases = https.phases
        #expect((phases["connect"] ?? 0) <= (phases["tls"] ?? 0) && (phases["tls"] ?? 0) <= (phases["first_byte"] ?? 0))

        let httpsRefused = await transport.http(HTTPRequest(url: "https://127.0.0.1:\(server.port)/", timeout: .seconds(5)))
        #expect(httpsRefused.failure?.hasPrefix("TLS certificate of \(endpoint) is not trusted") == true)
        #expect(httpsRefused.response == nil)
    }

    @Test func plainPortIsNotTLS() async throws {
        let target = try ProbeHTTPTarget()
        let transport = try ProbeTransport()
        let report = await transport.tls(host: "127.0.0.1", port: target.port, timeout: .seconds(5))
        #expect(report.failure?.contains("127.0.0.1:\(target.port)") == true, "\(report.failure ?? "no failure")")
        #expect(report.certificateExpiry == nil)
    }

    @Test func cancellingTheTaskRemovesTheTransferAtOnce() async throws {
        let silent = try SilentListener()
        let transport = try ProbeTransport()
        let port = silent.port
        let probe = Task { await transport.http(HTTPRequest(url: "http://127.0.0.1:\(port)/", timeout: .seconds(30))) }
        for _ in 0..<250 where transport.transfersInFlight == 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(transport.transfersInFlight == 1)
        let start = ContinuousClock.now
        probe.cancel()
        let report = await probe.value
        #expect(start.duration(to: .now) < .seconds(1))
        #expect(report.failure == "the probe of 127.0.0.1:\(port) was cancelled")
        #expect(transport.transfersInFlight == 0)

        // Cancelled before it starts: never sent.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await transport.tcp(host: "127.0.0.1", port: port, timeout: .seconds(30))
        }
        #expect(await early.value.failure?.hasSuffix("was cancelled") == true)
    }

    @Test func dnsResolvesLocalhostAndNamesAMissingHost() async throws {
        let transport = try ProbeTransport()
        let local = await transport.resolve(host: "localhost", timeout: .seconds(5))
        #expect(local.failure == nil)
        #expect(local.addresses.contains("127.0.0.1") || local.addresses.contains("::1"), "\(local.addresses)")
        #expect(local.summary.hasPrefix("resolved to "))
        let missing = await transport.resolve(host: "no-such-host.invalid", timeout: .seconds(5))
        #expect(missing.failure?.contains("no-such-host.invalid") == true, "\(missing.failure ?? "no failure")")
        #expect(missing.addresses.isEmpty)
    }

    @Test func invalidTargetsAreRefusedBeforeAnyConnection() async throws {
        let transport = try ProbeTransport()
        let userinfo = await transport.http(HTTPRequest(url: "http://user:secret@127.0.0.1:1/"))
        #expect(userinfo.failure?.contains("secret") == false)
        #expect(userinfo.failure?.contains("carries a user name or password") == true)
        let badPort = await transport.tcp(host: "127.0.0.1", port: 70000, timeout: .seconds(1))
        #expect(badPort.failure == "port 70000 of 127.0.0.1 is not a TCP port (1-65535)")
        let badHost = await transport.tls(host: "a b", port: 443, timeout: .seconds(1))
        #expect(badHost.failure?.contains("is not a host name") == true)
    }
}

/// Many probes at once, and what they leave behind.
@Suite(.serialized) struct ProbeTransportLoadTests {
    @Test func twoHundredProbesInFlightAllComplete() async throws {
        let target = try ProbeHTTPTarget()
        let transport = try ProbeTransport()
        let clock = ContinuousClock()
        let start = clock.now
        let reports = await withTaskGroup(of: ProbeReport.self) { group in
            for index in 0..<200 {
                // Every fourth one slow: they overlap with the rest.
                let path = index % 4 == 0 ? "/slow?ms=500" : (index % 2 == 0 ? "/ok" : "/down")
                group.addTask { await transport.http(HTTPRequest(url: target.url(path), timeout: .seconds(20))) }
            }
            var all: [ProbeReport] = []
            for await report in group { all.append(report) }
            return all
        }
        let elapsed = start.duration(to: clock.now)
        #expect(reports.count == 200)
        #expect(reports.allSatisfy { $0.failure == nil }, "\(reports.compactMap(\.failure).prefix(3))")
        #expect(reports.filter { $0.response?.status == 200 }.count == 100)
        #expect(reports.filter { $0.response?.status == 503 }.count == 100)
        #expect(reports.filter { $0.response?.text == "slow\n" }.count == 50)
        // 50 slow answers of 500 ms one after another would take 25 s.
        #expect(elapsed < .seconds(15), "200 probes took \(elapsed)")
        #expect(transport.transfersInFlight == 0)
    }

    @Test func twoThousandProbesLeaveNoHandleOrConnectionBehind() async throws {
        let target = try ProbeHTTPTarget()
        let transport = try ProbeTransport()
        // Warm up: the loop's own descriptors (its wakeup pair) exist from here on.
        _ = await transport.http(HTTPRequest(url: target.url("/ok"), timeout: .seconds(5)))
        let handlesBefore = CurlTransfer.alive.load(ordering: .relaxed)
        let descriptorsBefore = openDescriptors()
        let loopThread = try #require(Self.threadID(named: transport.loop.threadName))
        let loopBefore = try #require(Self.ticks(ofThread: loopThread))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpuBefore = Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime)
        let wallStart = ContinuousClock.now

        let failures = await withTaskGroup(of: Int.self) { group in
            // 50 in flight at a time: each task runs 40 probes one after another.
            for _ in 0..<50 {
                group.addTask {
                    var failed = 0
                    for _ in 0..<40 {
                        let report = await transport.http(HTTPRequest(url: target.url("/ok"), timeout: .seconds(10)))
                        if report.failure != nil || report.response?.status != 200 { failed += 1 }
                    }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime) - cpuBefore
        let loopCPU = Double(try #require(Self.ticks(ofThread: loopThread)) - loopBefore) / 100
        let wall = wallStart.duration(to: .now).inSeconds
        print("probe transport: 2000 HTTP probes, 50 in flight, debug build: \(String(format: "%.3f", loopCPU * 1000 / 2000)) ms CPU per probe on the loop thread, \(String(format: "%.3f", cpu * 1000 / 2000)) ms in the whole test process; \(Int(2000 / wall)) probes/s")

        #expect(failures == 0)
        #expect(transport.transfersInFlight == 0)
        #expect(CurlTransfer.alive.load(ordering: .relaxed) <= handlesBefore, "easy handles not freed")
        #expect(try openConnections(toPort: target.port) == 0, "probe connections left open")
        // Other suites run in this process at the same time: allow for their descriptors.
        let descriptorsAfter = openDescriptors()
        #expect(descriptorsAfter <= descriptorsBefore + 10, "descriptors \(descriptorsBefore) -> \(descriptorsAfter)")
        // The loop thread alone (other suites share the process): a debug build's bound that
        // still catches a loop that spins instead of sleeping in curl_multi_poll.
        #expect(loopCPU / 2000 < 0.0005, "loop thread CPU per probe \(loopCPU / 2000 * 1000) ms")
    }

    @Test func anIdleTransportUsesNoCPU() async throws {
        let transport = try ProbeTransport()
        _ = await transport.tcp(host: "127.0.0.1", port: try LoopbackPort.free(), timeout: .seconds(2))
        let thread = try #require(Self.threadID(named: transport.loop.threadName))
        let before = try #require(Self.ticks(ofThread: thread))
        try await Task.sleep(for: .seconds(1))
        let after = try #require(Self.ticks(ofThread: thread))
        // Clock ticks are 10 ms: a loop that spins would use about 100 in a second.
        #expect(after - before <= 1, "the idle loop thread used \(after - before) ticks in 1 s")
    }

    /// The kernel id of this process's thread with this name.
    static func threadID(named name: String) -> String? {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.first { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines) == name
        }
    }

    /// User+system clock ticks of one thread of this process.
    static func ticks(ofThread id: String) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(id)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the name: state is field 0, utime field 11, stime field 12.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    static func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
}
