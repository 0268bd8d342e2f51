public import SwitchboardBase

/// The record types Switchboard asks for.
public enum DNSRecordType: String, Sendable, CaseIterable, Codable {
    case a = "A", aaaa = "AAAA", cname = "CNAME", mx = "MX", txt = "TXT", ns = "NS"
}

/// One record of an answer, decoded.
public enum DNSRecord: Sendable, Equatable, Hashable {
    /// An IPv4 address, dotted.
    case a(String)
    /// An IPv6 address, in its canonical text form.
    case aaaa(String)
    /// The canonical name, without a trailing dot, lower-case.
    case cname(String)
    /// A mail exchanger: its preference and host (without a trailing dot, lower-case).
    case mx(preference: Int, exchange: String)
    /// A TXT record: its character-strings joined without separator (RFC 7208 3.3, RFC 6376
    /// 3.6.2.2: how SPF and DKIM read a record split into 255-byte strings).
    case txt(String)
    /// A name server host (without a trailing dot, lower-case).
    case ns(String)
}

/// What the server said about one name and type.
public enum DNSAnswer: Sendable, Equatable {
    /// The records of the asked type (CNAMEs followed by the server are not listed).
    case records([DNSRecord])
    /// The name exists but has no record of that type (NOERROR, empty answer).
    case noData
    /// The name does not exist (NXDOMAIN).
    case noSuchName

    /// The records, or none.
    public var records: [DNSRecord] {
        if case .records(let list) = self { return list }
        return []
    }
}

/// The server a lookup asks: the system's (`/etc/resolv.conf`) or one named (`--server HOST:PORT`).
public struct DNSServer: Sendable, Equatable, CustomStringConvertible {
    /// An IPv4 or IPv6 address literal.
    public var host: String
    /// UDP and TCP port (53 by default).
    public var port: Int

    /// A server by address and port.
    public init(host: String, port: Int = 53) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST`, `HOST:PORT` or `[IPv6]:PORT` (a host name is resolved to an address);
    /// throws a ``DNSError`` naming what is wrong.
    public init(parsing text: String) throws {
        self = try Self.parsed(text)
    }

    /// `HOST:PORT` (`[HOST]:PORT` for IPv6).
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Looks names up. The real one is ``DNSResolver``; tests of logic give a fake.
public protocol DNSLookingUp: Sendable {
    /// The answer for `name` (a domain name, no trailing dot needed) and `type`. Throws a
    /// ``DNSError`` when no answer came (timeout, refused, server failure, malformed reply).
    func lookup(_ name: String, _ type: DNSRecordType) throws -> DNSAnswer
}

/// A lookup that got no answer, or bad input.
public struct DNSError: SwitchboardError, Equatable {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// No reply within the timeout (the server is down, or a firewall drops the query).
        case timeout
        /// The server refused the query (REFUSED) or failed (SERVFAIL).
        case serverFailure
        /// The reply could not be decoded.
        case malformedReply
        /// A bad name or server address given by the user.
        case invalidInput
        /// The resolver library failed (no configuration, out of memory).
        case resolverFailure
    }
    /// What went wrong.
    public var code: Code
    /// One line: what, on which name and server, what to try.
    public var description: String

    /// An error.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Bad input is the user's (65); anything else means DNS is unavailable (69).
    public var category: ErrorCategory { code == .invalidInput ? .badInput : .unavailable }
}
