public import SwitchboardBase

/// A login for a mail server: the user name (the full mailbox address for Switchboard's
/// servers) and its password.
public struct MailCredentials: Sendable {
    /// The login name, such as `alice@example.org`.
    public var username: String
    /// The password; it reaches libcurl only through CURLOPT_PASSWORD, never a URL or an error.
    public var password: Secret

    /// Pairs a login name with its password.
    public init(username: String, password: Secret) {
        self.username = username
        self.password = password
    }
}
