internal import CCurl

extension TransportError {
    /// A TLS failure as one line: whose certificate or handshake, what is wrong, and what to set.
    ///
    /// libcurl (OpenSSL) reports a refused certificate as code 60 with OpenSSL's reason in the
    /// error buffer ("certificate has expired", "unable to get local issuer certificate", "no
    /// alternative certificate subject name matches target host name"), a failed handshake as
    /// 35, and a CA file it cannot load as 77. The reason is kept in parentheses.
    static func tls(_ error: CurlError, service: String, server: MailServer) -> TransportError {
        let subject = "the certificate of \(service) server \(server.endpoint)"
        let reason = error.detail
        let text = reason.lowercased()
        let description: String
        switch error.code {
        case CURLE_PEER_FAILED_VERIFICATION:
            if text.contains("subject name") || text.contains("does not match") || text.contains("host name") {
                description = "\(subject) is for another host name, not \(server.host) (\(reason)): connect by a name the certificate lists, or give the server a certificate for \(server.host)"
            } else if text.contains("expired") {
                let scheme = service == "IMAP" ? ("imap", "imaps") : ("smtp", "smtps")
                let when = CurlEasy.certificateExpiry(of: server, scheme: scheme.0, tlsScheme: scheme.1).map { " on \($0)" } ?? ""
                description = "\(subject) expired\(when) (\(reason)): renew the server's certificate, and check that this machine's clock is right"
            } else if text.contains("not yet valid") {
                description = "\(subject) is not valid yet (\(reason)): check this machine's clock and the certificate's start date"
            } else if let caFile = server.caFile {
                description = "\(subject) is not trusted by the CA file \(caFile) (\(reason)): set mail.ca_file to the CA that signed it"
            } else {
                description = "\(subject) is not trusted (\(reason)): set mail.ca_file to the CA that signed it"
            }
        case CURLE_SSL_CACERT_BADFILE:
            let file = server.caFile ?? "of the system"
            description = "cannot load the CA file \(file) to check \(service) server \(server.endpoint) (\(reason)): set mail.ca_file to a readable PEM file of the CA that signed the server's certificate"
        case CURLE_SSL_CONNECT_ERROR where text.contains("wrong version number") || text.contains("packet length too long"):
            description = "\(service) server \(server.endpoint) does not start TLS at once (\(reason)): set security starttls (or plain, on loopback only) for this port, or use the server's TLS port"
        default:
            description = "TLS with \(service) server \(server.endpoint) failed (\(reason)): check the security setting (plain, starttls, tls) for this port and the server's certificate (mail.ca_file, mail.verify_tls)"
        }
        return TransportError(code: .tlsFailed, description: description)
    }
}
