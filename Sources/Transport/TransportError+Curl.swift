import SwitchboardBase

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TransportError {
    /// Failures that read the same for SMTP and IMAP (cannot connect, timeout, TLS, broken
    /// connection); nil when only the protocol's dialogue can tell what went wrong.
    static func connectionLevel(_ error: CurlError, service: String, server: MailServer, activity: String) -> TransportError? {
        let endpoint = server.endpoint
        switch error.kind {
        case .cannotResolve:
            return TransportError(
                code: .connectionFailed,
                description: "cannot connect to \(endpoint): host name \(server.host) not found — check the \(service) server name and DNS")
        case .cannotConnect:
            let reason = error.osErrno == Int(ECONNREFUSED) ? "connection refused" : error.detail
            return TransportError(
                code: .connectionFailed, description: "cannot connect to \(endpoint): \(reason) — is the mail server running?")
        case .timeout:
            // A port that speaks TLS from the first byte waits, silent, for the client to start it.
            let tlsHint = server.security == .implicitTLS ? "" : "; a TLS-only port (such as 993 or 465) stays silent until the client starts TLS: use security tls there"
            return TransportError(
                code: .timeout,
                description: "no answer from \(service) server \(endpoint) within \(server.timeoutSeconds) s while \(activity) — is the server up and is this its port? (raise timeoutSeconds for a slow link\(tlsHint))")
        case .tls:
            return tls(error, service: service, server: server)
        case .startTLSUnavailable:
            return TransportError(
                code: .tlsFailed,
                description: "\(service) server \(endpoint) does not offer STARTTLS (\(error.detail)) — the password was not sent; use security tls for an implicit-TLS port or enable TLS on the server")
        case .connectionLost:
            return TransportError(
                code: .connectionFailed,
                description: "the connection to \(service) server \(endpoint) broke while \(activity): \(error.detail) — retry, and check the server's log if it persists")
        case .loginDenied, .serverCommandFailed, .other:
            return nil
        }
    }

    /// The same error with every occurrence of the password masked: servers have been known
    /// to echo a refused command line back.
    func redacting(_ password: Secret?) -> TransportError {
        guard let secret = password?.exposedValue, secret.count >= 4 else { return self }
        func mask(_ text: String) -> String {
            text.split(separator: secret, omittingEmptySubsequences: false).joined(separator: "[redacted]")
        }
        return TransportError(code: code, description: mask(description), serverReply: serverReply.map(mask))
    }
}
