import Foundation
import SwitchboardBase
import Transport

/// A service's `target` read for its kind: what the configuration may write, and the one line
/// that says what is wrong with it (the configuration check refuses such targets first; the
/// prober still reports them as a failed probe rather than crash).
enum ProbeTarget {
    /// `host:port`, `[v6]:port` (tcp and tls).
    static func hostAndPort(_ target: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if target.hasPrefix("[") {
            guard let close = target.firstIndex(of: "]"), target[target.index(after: close)...].hasPrefix(":") else { return nil }
            host = target[target.index(after: target.startIndex)..<close]
            portText = target[target.index(close, offsetBy: 2)...]
        } else {
            guard let colon = target.lastIndex(of: ":"), !target[..<colon].contains(":") else { return nil }
            host = target[..<colon]
            portText = target[target.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }

    /// A mail server URL: `smtp://host[:port]`, `smtps://...`, `imap://...`, `imaps://...`;
    /// `?starttls` after a plain scheme asks for STARTTLS (refusing to go on without it).
    /// Default ports: smtp 25, smtps 465, imap 143, imaps 993.
    static func mailServer(_ target: String, protocol name: String, caFile: String?, timeout: Duration) -> MailServer? {
        let lower = target.lowercased()
        let security: MailServer.Security
        let rest: Substring
        if lower.hasPrefix("\(name)s://") {
            security = .implicitTLS
            rest = target.dropFirst(name.count + 4)
        } else if lower.hasPrefix("\(name)://") {
            security = .plain
            rest = target.dropFirst(name.count + 3)
        } else {
            return nil
        }
        var authority = rest.prefix { $0 != "/" && $0 != "?" }
        let tail = rest.dropFirst(authority.count).drop { $0 == "/" }
        let query = tail.hasPrefix("?") ? tail.dropFirst().lowercased() : String(tail).lowercased()
        guard query.isEmpty || query == "starttls" else { return nil }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        let defaultPort: Int = switch (name, security) {
        case ("smtp", .implicitTLS): 465
        case ("smtp", _): 25
        case (_, .implicitTLS): 993
        default: 143
        }
        var host: String
        var port = defaultPort
        if let parsed = hostAndPort(String(authority)) {
            (host, port) = parsed
        } else {
            if authority.hasPrefix("[") && authority.hasSuffix("]") { authority = authority.dropFirst().dropLast() }
            host = String(authority)
            guard !host.isEmpty, !authority.contains("]") else { return nil }
        }
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        let finalSecurity: MailServer.Security = query == "starttls" ? (security == .plain ? .startTLS : .implicitTLS) : security
        return MailServer(
            host: host, port: port, security: finalSecurity, verifyPeer: true, caFile: caFile,
            timeoutSeconds: max(1, Int(timeout.inSeconds.rounded(.up))))
    }

    /// What a target of `kind` looks like, for the failure line of one that does not.
    static func expected(for kind: ProbeKind) -> String {
        switch kind {
        case .http: "an http:// or https:// URL"
        case .tcp, .tls: "host:port"
        case .smtp, .mailRoundtrip: "smtp://host:port (?starttls) or smtps://host:port"
        case .imap: "imap://host:port (?starttls) or imaps://host:port"
        case .dns: "a host name"
        }
    }
}
