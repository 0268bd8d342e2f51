internal import CCurl
import Foundation
import SwitchboardBase

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The probes of healthd: HTTP(S), TCP connect, TLS handshake, SMTP banner and EHLO, IMAP
/// greeting and login, and DNS resolution, many at once on one thread.
///
/// Every curl probe runs on libcurl's multi interface, on the thread of this transport's own
/// ``CurlMultiLoop`` (no thread waits for a server), on a fresh connection that is closed
/// afterwards (CURLOPT_FRESH_CONNECT and CURLOPT_FORBID_REUSE, as blackbox_exporter does): a
/// probe measures what a new client sees. Each probe's `timeout` bounds the whole exchange,
/// even against a server that accepts and never answers. A cancelled task's transfer is
/// removed at once. Failures are values: a ``ProbeReport`` whose `failure` is one line naming
/// the target.
public final class ProbeTransport: Sendable {
    let loop: CurlMultiLoop

    /// A transport with its loop thread (idle until the first probe).
    ///
    /// - Throws: ``TransportError`` when libcurl cannot be loaded (the message says how to install it).
    public init() throws(TransportError) {
        do throws(CurlError) {
            loop = try CurlMultiLoop()
        } catch {
            throw TransportError(code: .connectionFailed, description: error.detail)
        }
    }

    deinit {
        loop.stop()
    }

    /// Probes in flight right now (for tests and the daemon's own metrics).
    public var transfersInFlight: Int { loop.transfersInFlight }

    // MARK: HTTP

    /// One HTTP(S) request: the response (any status), phase timings and, over TLS, the
    /// certificate's expiry. The request's `timeout` bounds the whole exchange.
    public func http(_ request: HTTPRequest) async -> ProbeReport {
        let endpoint: String
        do {
            endpoint = Self.endpoint(ofAuthority: try CurlHTTPClient.check(request), tls: request.url.lowercased().hasPrefix("https:"))
        } catch {
            return ProbeReport(target: request.url, failure: error.description, totalSeconds: 0)
        }
        let tls = request.url.lowercased().hasPrefix("https:")
        return await run(target: endpoint, timeout: request.timeout, bodyLimit: request.maxBodyBytes) { easy throws(CurlError) in
            try easy.set(CURLOPT_URL, request.url)
            try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
            try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            try easy.set(CURLOPT_NOBODY, request.method == .head)
            try easy.set(CURLOPT_FOLLOWLOCATION, request.followRedirects)
            try easy.set(CURLOPT_MAXREDIRS, 5)
            try Self.setTLS(easy, verifyPeer: request.verifyPeer, caFile: request.caFile, certificate: tls)
            try easy.set(CURLOPT_USERAGENT, "switchboard-healthd")
            let headers = CurlStringList(request.headers.map { "\($0.name): \($0.value)" })
            try easy.set(CURLOPT_HTTPHEADER, list: headers)
            return headers.map { [$0] } ?? []
        } describe: { error in
            Self.describe(error, target: endpoint, timeout: request.timeout, protocolName: "HTTP", caFile: request.caFile)
        } report: { easy, exchange, report in
            let status = (try? easy.info(CURLINFO_RESPONSE_CODE)) ?? 0
            guard status > 0 else { return }
            let phases = report.phases
            report.response = HTTPResponse(
                status: status, headers: CurlHTTPClient.parseHeaders(exchange.headers), body: exchange.body,
                truncated: exchange.bodyTruncated, connectSeconds: phases["connect"] ?? 0, tlsSeconds: phases["tls"] ?? 0,
                firstByteSeconds: phases["first_byte"] ?? 0, totalSeconds: report.totalSeconds)
            report.response?.resolveSeconds = phases["resolve"] ?? 0
            report.response?.certificateExpiry = report.certificateExpiry
            report.summary = "HTTP \(status)"
        }
    }

    // MARK: TCP and TLS

    /// A TCP connection to `host:port` is made, then closed (nothing sent).
    public func tcp(host: String, port: Int, timeout: Duration) async -> ProbeReport {
        let endpoint = Self.endpoint(host: host, port: port)
        if let refusal = Self.checkHost(host, port: port) {
            return ProbeReport(target: endpoint, failure: refusal, totalSeconds: 0)
        }
        return await run(target: endpoint, timeout: timeout) { easy throws(CurlError) in
            try easy.set(CURLOPT_URL, "http://\(endpoint)/")
            try easy.set(CURLOPT_PROTOCOLS_STR, "http")
            try easy.set(CURLOPT_CONNECT_ONLY, true)
            return []
        } describe: { error in
            Self.describe(error, target: endpoint, timeout: timeout, protocolName: "TCP", caFile: nil)
        } report: { _, _, report in
            report.summary = "connected to \(endpoint)"
        }
    }

    /// A TLS handshake on any port (TLS from the first byte): the certificate is verified
    /// (against `caFile` when given, else the system's CAs) unless `verifyPeer` is false, and
    /// its expiry reported.
    public func tls(host: String, port: Int, timeout: Duration, verifyPeer: Bool = true, caFile: String? = nil) async -> ProbeReport {
        let endpoint = Self.endpoint(host: host, port: port)
        if let refusal = Self.checkHost(host, port: port) {
            return ProbeReport(target: endpoint, failure: refusal, totalSeconds: 0)
        }
        return await run(target: endpoint, timeout: timeout) { easy throws(CurlError) in
            // libcurl's https stops after the handshake with CONNECT_ONLY; no ALPN, so any
            // TLS service (LDAPS, IMAPS, a database port) answers the same way.
            try easy.set(CURLOPT_URL, "https://\(endpoint)/")
            try easy.set(CURLOPT_PROTOCOLS_STR, "https")
            try easy.set(CURLOPT_SSL_ENABLE_ALPN, false)
            try easy.set(CURLOPT_CONNECT_ONLY, true)
            try Self.setTLS(easy, verifyPeer: verifyPeer, caFile: caFile, certificate: true)
            return []
        } describe: { error in
            Self.describe(error, target: endpoint, timeout: timeout, protocolName: "TLS", caFile: caFile)
        } report: { _, _, report in
            let until = report.certificateExpiry.map { ", certificate valid until \(Self.day($0))" } ?? ""
            report.summary = "TLS handshake with \(endpoint) done\(until)"
        }
    }

    // MARK: Mail servers

    /// The SMTP banner and EHLO (then STARTTLS for `security: .startTLS`, or TLS from the first
    /// byte for `.implicitTLS`), then QUIT. `heloName` is what EHLO says. The certificate's
    /// expiry is reported when TLS was used. `server.timeoutSeconds` is not used: `timeout` is.
    public func smtp(_ server: MailServer, heloName: String = "localhost", timeout: Duration) async -> ProbeReport {
        await mail(server, service: "SMTP", schemes: ("smtp", "smtps"), path: heloName, credentials: nil, timeout: timeout)
    }

    /// The IMAP greeting and, with `credentials`, a login (STARTTLS or implicit TLS as
    /// `server.security` says), then LOGOUT. The password reaches libcurl only through
    /// CURLOPT_PASSWORD and appears in no report.
    public func imap(_ server: MailServer, credentials: MailCredentials?, timeout: Duration) async -> ProbeReport {
        await mail(server, service: "IMAP", schemes: ("imap", "imaps"), path: "", credentials: credentials, timeout: timeout)
    }

    private func mail(
        _ given: MailServer, service: String, schemes: (String, String), path: String, credentials: MailCredentials?, timeout: Duration
    ) async -> ProbeReport {
        var server = given
        server.timeoutSeconds = max(1, Int(timeout.inSeconds.rounded(.up)))
        let endpoint = server.endpoint
        do {
            try MailInput.checkServer(server, service: service)
            try MailInput.checkToken(path, what: "EHLO name", endpoint: endpoint, allowEmpty: true)
            if let credentials {
                try MailInput.checkToken(credentials.username, what: "\(service) login name", endpoint: endpoint)
                try MailInput.checkPassword(credentials.password.exposedValue, username: credentials.username, endpoint: endpoint)
            }
        } catch {
            return ProbeReport(target: endpoint, failure: error.description, totalSeconds: 0)
        }
        let tls = server.security != .plain
        return await run(target: endpoint, timeout: timeout) { easy throws(CurlError) in
            // Greeting, capabilities, STARTTLS and login are libcurl's connect phase for
            // SMTP and IMAP: CONNECT_ONLY stops right after them.
            try easy.configure(for: server, credentials: credentials, protocols: "\(schemes.0),\(schemes.1)")
            try easy.set(CURLOPT_URL, MailInput.url(for: server, plainScheme: schemes.0, tlsScheme: schemes.1, path: path))
            try easy.set(CURLOPT_CONNECT_ONLY, true)
            try easy.set(CURLOPT_MAXCONNECTS, 0)
            try Self.setTLS(easy, verifyPeer: server.verifyPeer, caFile: server.caFile, certificate: tls)
            return []
        } describe: { error in
            let text = Self.describe(error, target: endpoint, timeout: timeout, protocolName: service, caFile: server.caFile,
                                     login: credentials?.username)
            return TransportError(code: .protocolError, description: text).redacting(credentials?.password).description
        } report: { _, exchange, report in
            let lines = String(decoding: exchange.headers, as: UTF8.self).split(whereSeparator: \.isNewline)
            report.greeting = lines.first.map { String($0.prefix(300)) }
            guard report.failure == nil else { return }
            var summary = report.greeting ?? "\(service) server \(endpoint) answered"
            if server.security == .startTLS { summary += "; STARTTLS done" }
            if let credentials { summary += "; logged in as \(credentials.username)" }
            report.summary = summary
        }
    }

    // MARK: The transfer

    /// Runs one transfer on the loop: `configure` sets what is particular (returning lists to
    /// keep alive), the common options are set here, `describe` turns a libcurl failure into the
    /// report's one line, and `report` adds what the kind of probe reads from the handle.
    private func run(
        target: String, timeout: Duration, bodyLimit: Int = 0,
        configure: (CurlEasy) throws(CurlError) -> [CurlStringList],
        describe: @escaping (CurlError) -> String,
        report fill: @escaping (CurlEasy, CurlExchange, inout ProbeReport) -> Void
    ) async -> ProbeReport {
        let started = ContinuousClock.now
        let exchange = CurlExchange()
        exchange.bodyLimit = bodyLimit
        let transfer: CurlTransfer
        do throws(CurlError) {
            let easy = try CurlEasy.make()
            let milliseconds = max(1, Int((timeout.inSeconds * 1000).rounded(.up)))
            try easy.set(CURLOPT_TIMEOUT_MS, milliseconds)
            try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
            try easy.set(CURLOPT_FRESH_CONNECT, true)
            try easy.set(CURLOPT_FORBID_REUSE, true)
            // No DNS cache: every probe resolves as a new client would.
            try easy.set(CURLOPT_DNS_CACHE_TIMEOUT, 0)
            let lists = try configure(easy)
            try easy.attach(exchange)
            transfer = CurlTransfer(easy: easy, exchange: exchange)
            transfer.keepAlive = lists
        } catch {
            return ProbeReport(target: target, failure: "cannot prepare the probe of \(target): \(error.detail)", totalSeconds: 0)
        }
        let loop = self.loop
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ProbeReport, Never>) in
                transfer.whenDone { transfer, ending in
                    let elapsed = started.duration(to: .now).inSeconds
                    var report = ProbeReport(target: target, totalSeconds: elapsed)
                    switch ending {
                    case .finished(let code):
                        Self.readTimings(transfer.easy, into: &report)
                        if code != CURLE_OK {
                            do throws(CurlError) {
                                try transfer.easy.check(code)
                            } catch {
                                report.failure = describe(error)
                            }
                        }
                        fill(transfer.easy, transfer.exchange, &report)
                    case .cancelled:
                        report.failure = "the probe of \(target) was cancelled"
                    case .shutDown:
                        report.failure = "the probe of \(target) was stopped: the probe transport shut down"
                    }
                    if let failure = report.failure { report.summary = failure }
                    continuation.resume(returning: report)
                }
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// The phase timings (CURLINFO_*_TIME_T: from the start to the end of each phase) and the
    /// certificate's expiry, when they were reached.
    private static func readTimings(_ easy: CurlEasy, into report: inout ProbeReport) {
        let names: [(String, CURLINFO)] = [
            ("resolve", CURLINFO_NAMELOOKUP_TIME_T), ("connect", CURLINFO_CONNECT_TIME_T), ("tls", CURLINFO_APPCONNECT_TIME_T),
            ("first_byte", CURLINFO_STARTTRANSFER_TIME_T), ("total", CURLINFO_TOTAL_TIME_T),
        ]
        for (name, info) in names {
            if let seconds = try? easy.phaseSeconds(info), seconds > 0 {
                report.phases[name] = seconds
            }
        }
        if let total = report.phases["total"] {
            report.totalSeconds = total
        } else {
            report.phases["total"] = report.totalSeconds
        }
        if let expiry = (try? easy.serverCertificateFields())?["Expire date"] {
            report.certificateExpiry = CertificateDate.parse(expiry)
        }
    }

    /// Verification (on unless told), a CA file instead of the system's, and CERTINFO when the
    /// connection uses TLS (for the certificate's expiry).
    private static func setTLS(_ easy: CurlEasy, verifyPeer: Bool, caFile: String?, certificate: Bool) throws(CurlError) {
        try easy.set(CURLOPT_SSL_VERIFYPEER, verifyPeer)
        try easy.set(CURLOPT_SSL_VERIFYHOST, verifyPeer ? 2 : 0)
        if let caFile {
            try easy.set(CURLOPT_CAINFO, caFile)
            try easy.set(CURLOPT_CAPATH, nil)
        }
        if certificate {
            try easy.set(CURLOPT_CERTINFO, true)
        }
    }

    // MARK: Names and failures

    /// `host:port` (an IPv6 address in brackets).
    static func endpoint(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// A URL's authority with its port, the scheme's default when none is written.
    static func endpoint(ofAuthority authority: String, tls: Bool) -> String {
        let afterBracket = authority.split(separator: "]", omittingEmptySubsequences: false).last ?? Substring(authority)
        return afterBracket.contains(":") ? authority : "\(authority):\(tls ? 443 : 80)"
    }

    /// A refusal before contacting anything: no host, a port out of range, characters no host has.
    static func checkHost(_ host: String, port: Int) -> String? {
        guard (1...65535).contains(port) else { return "port \(port) of \(host) is not a TCP port (1-65535)" }
        let allowed = !host.isEmpty && host.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || ".-_:".unicodeScalars.contains(scalar)
        }
        return allowed ? nil : "host \(Quoting.quoted(host)) is not a host name or IP address: refused before contacting it"
    }

    /// A libcurl failure as one line: what happened at `target` and what to check.
    static func describe(
        _ error: CurlError, target: String, timeout: Duration, protocolName: String, caFile: String?, login: String? = nil
    ) -> String {
        let reason = error.detail
        switch error.kind {
        case .cannotResolve:
            return "cannot resolve \(target): host name not found (\(reason)) — check the name and DNS"
        case .cannotConnect:
            if error.osErrno == Int(ECONNREFUSED) { return "connection refused by \(target) — is the service running on that port?" }
            return "cannot connect to \(target): \(reason)"
        case .timeout:
            return "timed out after \(seconds(timeout)) waiting for \(target)"
        case .tls:
            return tls(error, target: target, caFile: caFile)
        case .startTLSUnavailable:
            return "\(protocolName) server \(target) does not offer STARTTLS (\(reason)) — enable TLS on the server or probe its TLS port"
        case .loginDenied:
            return "\(protocolName) server \(target) refused the login of \(login ?? "the probe account") — check the account's password file and that the mailbox is active"
        case .connectionLost:
            if error.code == CURLE_GOT_NOTHING { return "\(target) closed the connection without answering" }
            return "the connection to \(target) broke: \(reason)"
        case .serverCommandFailed:
            return "\(protocolName) server \(target) answered unexpectedly: \(reason)"
        case .other:
            return "\(protocolName) probe of \(target) failed: \(reason)"
        }
    }

    private static func tls(_ error: CurlError, target: String, caFile: String?) -> String {
        let reason = error.detail
        let text = reason.lowercased()
        switch error.code {
        case CURLE_PEER_FAILED_VERIFICATION:
            if text.contains("subject name") || text.contains("does not match") || text.contains("host name") {
                return "TLS certificate of \(target) is for another host name (\(reason)) — probe it by a name the certificate lists"
            }
            if text.contains("expired") {
                return "TLS certificate of \(target) has expired (\(reason)) — renew it"
            }
            if text.contains("not yet valid") {
                return "TLS certificate of \(target) is not valid yet (\(reason)) — check this machine's clock"
            }
            if let caFile {
                return "TLS certificate of \(target) is not trusted by \(caFile) (\(reason)) — give the CA that signed it in ca_file"
            }
            return "TLS certificate of \(target) is not trusted (\(reason)): give its CA in ca_file"
        case CURLE_SSL_CACERT_BADFILE:
            return "cannot load the CA file \(caFile ?? "of the system") to check \(target) (\(reason)) — ca_file must be a readable PEM file"
        default:
            if text.contains("wrong version number") || text.contains("packet length too long") {
                return "\(target) does not speak TLS from the first byte (\(reason)) — is this its TLS port?"
            }
            return "TLS handshake with \(target) failed (\(reason))"
        }
    }

    /// `2 s`, `1.5 s`, `500 ms`.
    static func seconds(_ duration: Duration) -> String {
        let value = duration.inSeconds
        if value < 1 { return "\(Int((value * 1000).rounded())) ms" }
        if value == value.rounded() { return "\(Int(value)) s" }
        return "\((value * 10).rounded() / 10) s"
    }

    /// `2026-12-10` (UTC).
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let year = parts.year ?? 0, month = parts.month ?? 0, day = parts.day ?? 0
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}

extension CurlEasy {
    /// A CURLINFO_*_TIME_T measure of the transfer, in seconds.
    func phaseSeconds(_ info: CURLINFO) throws(CurlError) -> Double {
        var value: curl_off_t = 0
        try check(CCurl_getinfo_off(api, handle, info, &value))
        return Double(value) / 1_000_000
    }
}
