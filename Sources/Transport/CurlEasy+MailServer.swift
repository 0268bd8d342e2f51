internal import CCurl
import SwitchboardBase

extension CurlEasy {
    /// Options every SMTP and IMAP session sets once: allowed protocols, timeouts, TLS, login.
    func configure(for server: MailServer, credentials: MailCredentials?, protocols: String) throws(CurlError) {
        // A redirect or a URL typo must not turn a mail session into anything else.
        try set(CURLOPT_PROTOCOLS_STR, protocols)
        try set(CURLOPT_CONNECTTIMEOUT, server.timeoutSeconds)
        // Pingpong protocols wait for each reply up to SERVER_RESPONSE_TIMEOUT (default 120 s);
        // CURLOPT_TIMEOUT bounds the whole operation.
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, server.timeoutSeconds)
        try set(CURLOPT_TIMEOUT, server.timeoutSeconds)
        // One session, one connection: a replaced connection is closed, not kept idle.
        try set(CURLOPT_MAXCONNECTS, 1)
        let useSSL = server.security == .startTLS ? CURLUSESSL_ALL : CURLUSESSL_NONE
        try set(CURLOPT_USE_SSL, Int(useSSL.rawValue))
        try set(CURLOPT_SSL_VERIFYPEER, server.verifyPeer)
        try set(CURLOPT_SSL_VERIFYHOST, server.verifyPeer ? 2 : 0)
        if let caFile = server.caFile {
            // Only this file: the system's CA folder (CURLOPT_CAPATH) is not consulted as well.
            try set(CURLOPT_CAINFO, caFile)
            try set(CURLOPT_CAPATH, nil)
        }
        if let credentials {
            // Only ever through these options: never in the URL, where it would show in errors.
            try set(CURLOPT_USERNAME, credentials.username)
            try set(CURLOPT_PASSWORD, credentials.password.exposedValue)
        }
    }
}
