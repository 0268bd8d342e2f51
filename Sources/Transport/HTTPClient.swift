internal import CCurl
public import Foundation
import SwitchboardBase

/// One HTTP request, as healthd's probes make them.
public struct HTTPRequest: Sendable {
    /// GET or HEAD.
    public enum Method: String, Sendable {
        /// Fetch the resource.
        case get = "GET"
        /// Headers only.
        case head = "HEAD"
    }

    /// An absolute `http://` or `https://` URL.
    public var url: String
    /// The method.
    public var method: Method
    /// Extra request headers, name and value.
    public var headers: [(name: String, value: String)]
    /// The longest the whole request may take.
    public var timeout: Duration
    /// Follow 3xx redirects (at most 5).
    public var followRedirects: Bool
    /// Check the server's certificate and host name.
    public var verifyPeer: Bool
    /// A PEM file of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// Bodies longer than this are cut (the response says so).
    public var maxBodyBytes: Int

    /// A request; nothing is sent until a client sends it.
    public init(
        url: String, method: Method = .get, headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(10),
        followRedirects: Bool = false, verifyPeer: Bool = true, caFile: String? = nil, maxBodyBytes: Int = 1_048_576
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.timeout = timeout
        self.followRedirects = followRedirects
        self.verifyPeer = verifyPeer
        self.caFile = caFile
        self.maxBodyBytes = maxBodyBytes
    }
}

/// What came back, with where the time went.
public struct HTTPResponse: Sendable {
    /// The status code of the last response (after redirects, when followed).
    public var status: Int
    /// The last response's headers, in order; names as the server wrote them.
    public var headers: [(name: String, value: String)]
    /// The body, cut at the request's `maxBodyBytes`.
    public var body: [UInt8]
    /// True when the body was longer than `maxBodyBytes`.
    public var truncated: Bool
    /// Seconds from the start to the TCP connection being made.
    public var connectSeconds: Double
    /// Seconds from the start to the TLS handshake being done (0 for plain HTTP).
    public var tlsSeconds: Double
    /// Seconds from the start to the first byte of the response.
    public var firstByteSeconds: Double
    /// Seconds for the whole request.
    public var totalSeconds: Double
    /// Seconds from the start to the host name being resolved (set by ``ProbeTransport``).
    public var resolveSeconds: Double = 0
    /// When the server's certificate expires (https through ``ProbeTransport``; nil otherwise).
    public var certificateExpiry: Date? = nil

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text (invalid bytes become U+FFFD).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends HTTP requests: the real one through libcurl, a fake in unit tests of probe logic.
public protocol HTTPClient: Sendable {
    /// Sends one request and returns the response, whatever its status; throws only when no
    /// response came (``TransportError``: cannot connect, timeout, TLS, invalid input).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// HTTP through libcurl; each request runs on a thread of its own, off the cooperative pool.
public struct CurlHTTPClient: HTTPClient {
    /// A client.
    public init() {}

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let endpoint = try Self.check(request)
        let executor = BlockingExecutor(label: "http.\(endpoint)")
        return try await executor.run { try Self.perform(request, endpoint: endpoint) }
    }

    /// Refuses what no server should be sent: another scheme, no host, line breaks in headers.
    static func check(_ request: HTTPRequest) throws(TransportError) -> String {
        let lower = request.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw TransportError(code: .invalidInput, description: "URL \(Quoting.quoted(request.url)) is not an http:// or https:// URL")
        }
        let rest = request.url.drop { $0 != "/" }.dropFirst(2)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !request.url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
            throw TransportError(code: .invalidInput, description: "URL \(Quoting.quoted(request.url)) has no host or contains spaces or control characters")
        }
        // A password in the URL would reach every error line and log that names the URL.
        guard !authority.contains("@") else {
            throw TransportError(code: .invalidInput, description: "URL for \(authority.split(separator: "@").last.map(String.init) ?? "?") carries a user name or password: give credentials as a request header instead")
        }
        for header in request.headers {
            let text = header.name + header.value
            guard !header.name.isEmpty, !header.name.contains(":"),
                  !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw TransportError(code: .invalidInput, description: "request header \(Quoting.quoted(header.name)) is not a single header line; refused before sending")
            }
        }
        guard request.timeout > .zero, request.maxBodyBytes >= 0 else {
            throw TransportError(code: .invalidInput, description: "timeout must be positive and maxBodyBytes not negative")
        }
        return String(authority)
    }

    static func perform(_ request: HTTPRequest, endpoint: String) throws -> HTTPResponse {
        let exchange = CurlExchange()
        exchange.bodyLimit = request.maxBodyBytes
        let easy: CurlEasy
        let headerList: CurlStringList?
        do throws(CurlError) {
            easy = try CurlEasy.make()
            let milliseconds = max(1, Int(request.timeout.inSeconds * 1000))
            try easy.set(CURLOPT_URL, request.url)
            try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
            try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            try easy.set(CURLOPT_TIMEOUT_MS, milliseconds)
            try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
            try easy.set(CURLOPT_NOBODY, request.method == .head)
            try easy.set(CURLOPT_FOLLOWLOCATION, request.followRedirects)
            try easy.set(CURLOPT_MAXREDIRS, 5)
            try easy.set(CURLOPT_SSL_VERIFYPEER, request.verifyPeer)
            try easy.set(CURLOPT_SSL_VERIFYHOST, request.verifyPeer ? 2 : 0)
            if let caFile = request.caFile { try easy.set(CURLOPT_CAINFO, caFile) }
            try easy.set(CURLOPT_USERAGENT, "switchboard-healthd")
            headerList = CurlStringList(request.headers.map { "\($0.name): \($0.value)" })
            try easy.set(CURLOPT_HTTPHEADER, list: headerList)
            try easy.perform(exchange)
        } catch {
            throw describe(error, request: request, endpoint: endpoint)
        }
        return withExtendedLifetime(headerList) {
            let status = (try? easy.info(CURLINFO_RESPONSE_CODE)) ?? 0
            return HTTPResponse(
                status: status, headers: parseHeaders(exchange.headers), body: exchange.body, truncated: exchange.bodyTruncated,
                connectSeconds: (try? easy.seconds(CURLINFO_CONNECT_TIME)) ?? 0,
                tlsSeconds: (try? easy.seconds(CURLINFO_APPCONNECT_TIME)) ?? 0,
                firstByteSeconds: (try? easy.seconds(CURLINFO_STARTTRANSFER_TIME)) ?? 0,
                totalSeconds: (try? easy.seconds(CURLINFO_TOTAL_TIME)) ?? 0)
        }
    }

    /// The header lines of the last response block (redirects and 1xx answers come before it).
    static func parseHeaders(_ bytes: [UInt8]) -> [(name: String, value: String)] {
        var blocks: [[(name: String, value: String)]] = [[]]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("HTTP/") {
                blocks.append([])
            } else if let colon = line.firstIndex(of: ":") {
                let name = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                blocks[blocks.count - 1].append((name, value))
            }
        }
        return blocks.last ?? []
    }

    static func describe(_ error: CurlError, request: HTTPRequest, endpoint: String) -> TransportError {
        switch error.kind {
        case .cannotResolve:
            return TransportError(code: .connectionFailed, description: "cannot reach \(request.url): host name not found — check the URL and DNS")
        case .cannotConnect:
            let reason = error.osErrno == Int(ECONNREFUSED) ? "connection refused" : error.detail
            return TransportError(code: .connectionFailed, description: "cannot connect to \(endpoint) for \(request.url): \(reason) — is the service running?")
        case .timeout:
            return TransportError(code: .timeout, description: "no answer from \(endpoint) within \(request.timeout) for \(request.url)")
        case .tls, .startTLSUnavailable:
            return TransportError(code: .tlsFailed, description: "TLS with \(endpoint) failed for \(request.url): \(error.detail) — check the certificate (caFile) and that the port speaks https")
        case .connectionLost:
            return TransportError(code: .connectionFailed, description: "the connection to \(endpoint) broke during \(request.url): \(error.detail)")
        case .loginDenied, .serverCommandFailed, .other:
            return TransportError(code: .protocolError, description: "HTTP request \(request.url) failed: \(error.detail)")
        }
    }
}
