internal import CCurl

extension CurlEasy {
    /// When the server's certificate stops being valid, as OpenSSL prints it (`Jan  2 00:00:00
    /// 2020 GMT`), or nil when it cannot be read within a few seconds.
    ///
    /// libcurl's error for an expired certificate does not say when it expired, and a handshake
    /// that fails verification gathers no certificate info. So this opens one more connection
    /// that does not check the certificate, is given no login, and stops after the handshake
    /// (CURLOPT_CONNECT_ONLY): nothing is sent that the untrusted server could use. Implicit TLS
    /// needs no mail protocol for that (a bare TLS handshake, through libcurl's https with ALPN
    /// off); STARTTLS goes through the mail protocol's greeting and STARTTLS.
    static func certificateExpiry(of server: MailServer, scheme plainScheme: String, tlsScheme: String) -> String? {
        do throws(CurlError) {
            let easy = try CurlEasy.make()
            var probe = server
            probe.verifyPeer = false
            probe.caFile = nil
            probe.timeoutSeconds = min(server.timeoutSeconds, 5)
            if server.security == .implicitTLS {
                try easy.configure(for: probe, credentials: nil, protocols: "https")
                try easy.set(CURLOPT_URL, "https://\(server.endpoint)/")
                try easy.set(CURLOPT_SSL_ENABLE_ALPN, false)
            } else {
                try easy.configure(for: probe, credentials: nil, protocols: "\(plainScheme),\(tlsScheme)")
                try easy.set(CURLOPT_URL, MailInput.url(for: server, plainScheme: plainScheme, tlsScheme: tlsScheme, path: ""))
            }
            try easy.set(CURLOPT_CERTINFO, true)
            try easy.set(CURLOPT_CONNECT_ONLY, true)
            // The handshake gathered the certificate even if what followed failed.
            do throws(CurlError) { try easy.perform(CurlExchange()) } catch {}
            return try easy.serverCertificateFields()["Expire date"]
        } catch {
            return nil
        }
    }
}
