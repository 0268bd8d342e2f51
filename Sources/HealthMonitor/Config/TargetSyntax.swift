import Foundation

/// What a probe target must look like for each kind; nil from `problem` when it fits.
enum TargetSyntax {
    /// `host:port`, `[v6]:port`; nil when malformed (the port range is the caller's).
    static func hostPort(_ text: String) -> (host: String, port: Int)? {
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
            guard host.contains(":") else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            guard isHostName(host) else { return nil }
        }
        guard !host.isEmpty, !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
              let port = Int(portText), port <= 65535 else { return nil }
        return (host, port)
    }

    /// A DNS name or an IPv4 address: letters, digits, `-`, `_`, dots.
    static func isHostName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253 && !text.hasPrefix(".") && !text.contains("..")
            && text.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "." || $0 == "_" }
    }

    /// Why `text` is not a target of `kind`, or nil when it is.
    static func problem(_ text: String, kind: ProbeKind) -> String? {
        let credentials = "carries a user or password: give the probe account under `account` (login, password_file), never in the target"
        switch kind {
        case .http:
            return url(text, schemes: ["http", "https"], example: "https://portal.example.gov.vn/health", credentials: credentials, pathAllowed: true)
        case .smtp, .mailRoundtrip:
            return url(text, schemes: ["smtp", "smtps"], example: "smtp://mx.example.gov.vn:25 or smtps://mx.example.gov.vn:465",
                       credentials: credentials, pathAllowed: false)
        case .imap:
            return url(text, schemes: ["imap", "imaps"], example: "imaps://mail.example.gov.vn:993", credentials: credentials, pathAllowed: false)
        case .tcp, .tls:
            if text.contains("@") { return credentials }
            guard let endpoint = hostPort(text), endpoint.port > 0 else {
                return "expected HOST:PORT such as 10.0.0.5:443 or [2001:db8::5]:443 for a \(kind.rawValue) probe, got \"\(text)\""
            }
            return nil
        case .dns:
            if text.contains("@") { return credentials }
            guard isHostName(text) else { return "expected a host name to resolve, such as portal.example.gov.vn, got \"\(text)\"" }
            return nil
        }
    }

    /// Why `text` is not a URL of one of `schemes` with a host, or nil.
    private static func url(_ text: String, schemes: [String], example: String, credentials: String, pathAllowed: Bool) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), schemes.contains(scheme),
              let host = components.host, !host.isEmpty
        else { return "expected a \(schemes.joined(separator: "/")) URL such as \(example), got \"\(text)\"" }
        if components.user != nil || components.password != nil { return credentials }
        if let port = components.port, !(1...65535).contains(port) { return "port \(port) is out of range (1 to 65535)" }
        if !pathAllowed, !(components.path.isEmpty || components.path == "/") || components.query != nil {
            return "expected only a scheme, host and port (such as \(example)), got \"\(text)\""
        }
        return nil
    }

    /// Whether a target of `kind` gives a certificate to check.
    static func hasCertificate(_ text: String, kind: ProbeKind) -> Bool {
        let scheme = URLComponents(string: text)?.scheme?.lowercased()
        switch kind {
        case .tls: return true
        case .http: return scheme == "https"
        case .smtp: return true  // smtps: implicit TLS; smtp: STARTTLS, which a certificate condition asks for
        case .imap: return scheme == "imaps"
        case .tcp, .dns, .mailRoundtrip: return false
        }
    }

    /// Whether `text` is an IPv4 or IPv6 address.
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
