import Foundation
import Synchronization
public import Transport
import SwitchboardBase

#if canImport(Glibc)
import Glibc
#endif

/// The real prober: each ``ProbeKind`` through Transport's ``ProbeTransport`` (and, for the mail
/// round trip, Transport's SMTP and IMAP connections).
///
/// It only observes: what came back, how long each phase took, the certificate's expiry. Whether
/// that is good enough is the engine's `ConditionEvaluator`'s call. The exceptions are what no
/// condition can express: a DNS answer that is not the `expect_addresses` set, and a round trip
/// whose message never shows up. Account passwords are read from their file at every probe
/// (a changed password needs no reload) and never appear in an observation.
public struct CurlServiceProber: ServiceProber {
    private let transport: ProbeTransport
    /// Round-trip messages that were sent but not seen in time, by service: deleted when a
    /// later probe of the service finds them, so a slow queue does not fill the probe mailbox.
    let leftovers = Leftovers()
    /// The EHLO name of the smtp probe and of the round trip's submission.
    let heloName: String

    /// A prober over `transport` (one per daemon: its loop thread serves every probe).
    public init(transport: ProbeTransport) {
        self.transport = transport
        heloName = Self.hostName()
    }

    public func observe(_ service: ServiceDefinition) async -> ProbeObservation {
        let timeout = service.timeout
        switch service.kind {
        case .http:
            let request = HTTPRequest(url: service.target, timeout: timeout, caFile: service.caFile)
            return Self.observation(await transport.http(request))
        case .tcp:
            guard let (host, port) = ProbeTarget.hostAndPort(service.target) else { return Self.badTarget(service) }
            return Self.observation(await transport.tcp(host: host, port: port, timeout: timeout))
        case .tls:
            guard let (host, port) = ProbeTarget.hostAndPort(service.target) else { return Self.badTarget(service) }
            return Self.observation(await transport.tls(host: host, port: port, timeout: timeout, caFile: service.caFile))
        case .smtp:
            guard let server = ProbeTarget.mailServer(service.target, protocol: "smtp", caFile: service.caFile, timeout: timeout) else {
                return Self.badTarget(service)
            }
            return Self.observation(await transport.smtp(server, heloName: heloName, timeout: timeout))
        case .imap:
            guard let server = ProbeTarget.mailServer(service.target, protocol: "imap", caFile: service.caFile, timeout: timeout) else {
                return Self.badTarget(service)
            }
            var credentials: MailCredentials?
            if let account = service.account {
                switch Self.password(of: account) {
                case .success(let password): credentials = MailCredentials(username: account.login, password: password)
                case .failure(let problem): return ProbeObservation(failure: problem.description, durationSeconds: 0, summary: problem.description)
                }
            }
            return Self.observation(await transport.imap(server, credentials: credentials, timeout: timeout))
        case .dns:
            return await resolve(service)
        case .mailRoundtrip:
            return await roundTrip(service)
        }
    }

    // MARK: DNS

    /// The lookup; with `expect_addresses`, the answer must be exactly that set (any order).
    private func resolve(_ service: ServiceDefinition) async -> ProbeObservation {
        let host = service.target
        let report = await transport.resolve(host: host, timeout: service.timeout)
        var observation = Self.observation(report)
        guard report.failure == nil, !service.expectedAddresses.isEmpty else { return observation }
        let expected = Set(service.expectedAddresses.map { $0.lowercased() })
        if Set(report.addresses.map { $0.lowercased() }) != expected {
            let line = "\(host) resolved to \(report.addresses.joined(separator: ", ")), expected \(service.expectedAddresses.joined(separator: ", "))"
            observation.failure = line
            observation.summary = line
        }
        return observation
    }

    // MARK: Helpers

    /// A transport report as an observation (failure, timings, status, body, certificate).
    static func observation(_ report: ProbeReport) -> ProbeObservation {
        ProbeObservation(
            failure: report.failure, durationSeconds: report.totalSeconds, phases: report.phases, httpStatus: report.response?.status,
            body: report.response?.body, certificateExpiry: report.certificateExpiry, summary: report.summary)
    }

    static func badTarget(_ service: ServiceDefinition) -> ProbeObservation {
        let line = "target \(Quoting.quoted(service.target)) of \(service.name) is not \(ProbeTarget.expected(for: service.kind)): fix it in the configuration"
        return ProbeObservation(failure: line, durationSeconds: 0, summary: line)
    }

    /// The first line of the account's password file.
    static func password(of account: ProbeAccount) -> Result<Secret, PasswordFileProblem> {
        let path = account.passwordFile
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure(PasswordFileProblem(description: "cannot read the password file \(path) of probe account \(account.login): \(String(cString: strerror(errno))) — create it (mode 640)"))
        }
        guard info.st_mode & S_IROTH == 0 else {
            return .failure(PasswordFileProblem(description: "the password file \(path) of probe account \(account.login) is readable by everyone: `chmod o-rwx \(path)`"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(PasswordFileProblem(description: "cannot read the password file \(path) of probe account \(account.login) (check its owner and mode)"))
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !line.isEmpty else {
            return .failure(PasswordFileProblem(description: "the password file \(path) of probe account \(account.login) is empty: put the password on its first line"))
        }
        return .success(Secret(line))
    }

    struct PasswordFileProblem: Error, CustomStringConvertible {
        let description: String
    }

    /// This machine's name when it is a domain name (EHLO wants one), else `localhost`.
    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let valid = name.contains(".") && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-") }
        return valid ? name : "localhost"
    }
}

/// Message-IDs of round-trip messages not yet deleted, by service (at most 20 each).
final class Leftovers: Sendable {
    private let byService = Mutex<[String: [String]]>([:])

    func add(_ messageID: String, for service: String) {
        byService.withLock { table in
            var list = table[service] ?? []
            list.append(messageID)
            table[service] = Array(list.suffix(20))
        }
    }

    func take(for service: String) -> [String] {
        byService.withLock { $0.removeValue(forKey: service) ?? [] }
    }
}
