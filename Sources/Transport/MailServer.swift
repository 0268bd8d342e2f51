import SwitchboardBase

/// Where a mail server listens and how to reach it safely.
public struct MailServer: Sendable {
    /// How the connection is protected.
    public enum Security: String, Sendable, CaseIterable {
        /// No TLS at all (`smtp://`, `imap://`): for loopback and test servers only.
        case plain
        /// Connect in plain text, then STARTTLS before anything else; refuses to continue
        /// (and never sends the password) when the server does not offer it.
        case startTLS = "starttls"
        /// TLS from the first byte (`smtps://`, `imaps://`; usually ports 465 and 993).
        case implicitTLS = "tls"
    }

    /// Host name or IP address, such as `mail.example.org` or `127.0.0.1`.
    public var host: String
    /// TCP port, such as 587 (submission) or 993 (IMAPS).
    public var port: Int
    /// Plain, STARTTLS or implicit TLS.
    public var security: Security
    /// Check the server's certificate and host name (turn off only for a test server).
    public var verifyPeer: Bool = true
    /// A PEM file of CA certificates to trust instead of the system's (CURLOPT_CAINFO; the
    /// system's CA folder is then not consulted either). A private CA's certificate, for one.
    public var caFile: String? = nil
    /// The longest one operation (connect, log in, one command or one send) may take.
    public var timeoutSeconds: Int = 15

    /// Describes a server; nothing is contacted until a session uses it.
    public init(
        host: String, port: Int, security: Security, verifyPeer: Bool = true, caFile: String? = nil,
        timeoutSeconds: Int = 15
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.verifyPeer = verifyPeer
        self.caFile = caFile
        self.timeoutSeconds = timeoutSeconds
    }

    /// `host:port` as error messages name the server (an IPv6 address in brackets).
    public var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
