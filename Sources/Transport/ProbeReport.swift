public import Foundation

/// What one probe of ``ProbeTransport`` saw: never thrown, a failure is a value.
public struct ProbeReport: Sendable {
    /// What was probed, as failures name it: `host:port`, or the host name of a DNS lookup.
    public var target: String
    /// Why no (complete) answer came, one line naming the target and what to check:
    /// `connection refused by 127.0.0.1:9`; nil when the exchange completed.
    public var failure: String?
    /// Seconds the probe took, from start to success or failure.
    public var totalSeconds: Double
    /// Seconds from the start to the end of each phase reached: `resolve`, `connect`, `tls`,
    /// `first_byte` (HTTP) and `total`.
    public var phases: [String: Double]
    /// When the server's certificate stops being valid (TLS probes, HTTPS, mail with TLS).
    public var certificateExpiry: Date?
    /// The HTTP response (HTTP probes that got one).
    public var response: HTTPResponse?
    /// The server's first line (SMTP banner, IMAP greeting).
    public var greeting: String?
    /// The addresses a DNS lookup found, in the resolver's order, without repeats.
    public var addresses: [String]
    /// What was seen, one line: `HTTP 200`, `220 mx.example ESMTP`, `resolved to 10.0.0.5`.
    public var summary: String

    /// A report.
    public init(
        target: String, failure: String? = nil, totalSeconds: Double, phases: [String: Double] = [:],
        certificateExpiry: Date? = nil, response: HTTPResponse? = nil, greeting: String? = nil, addresses: [String] = [],
        summary: String = ""
    ) {
        self.target = target
        self.failure = failure
        self.totalSeconds = totalSeconds
        self.phases = phases
        self.certificateExpiry = certificateExpiry
        self.response = response
        self.greeting = greeting
        self.addresses = addresses
        self.summary = summary
    }
}

/// The `Expire date` libcurl reports (OpenSSL's `ASN1_TIME_print`: `Dec  5 10:00:00 2026 GMT`)
/// as an instant; nil for anything else.
enum CertificateDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func parse(_ text: String) -> Date? {
        let words = text.split(separator: " ")
        guard words.count == 5, words[4] == "GMT", let month = months.firstIndex(of: String(words[0])),
              let day = Int(words[1]), let year = Int(words[3]) else { return nil }
        let clock = words[2].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = year
        components.month = month + 1
        components.day = day
        components.hour = clock[0]
        components.minute = clock[1]
        components.second = clock[2]
        return components.date
    }
}
