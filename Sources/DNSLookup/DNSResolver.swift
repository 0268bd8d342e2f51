/// Lookups through glibc's stub resolver (libresolv), optionally against one named server.
public struct DNSResolver: DNSLookingUp {
    /// The server asked; nil: the system's (`/etc/resolv.conf`).
    public var server: DNSServer?
    /// Seconds to wait for each try.
    public var timeoutSeconds: Int
    /// Tries per server.
    public var attempts: Int

    /// A resolver.
    public init(server: DNSServer? = nil, timeoutSeconds: Int = 5, attempts: Int = 2) {
        self.server = server
        self.timeoutSeconds = timeoutSeconds
        self.attempts = attempts
    }

    /// See ``DNSLookingUp/lookup(_:_:)``.
    public func lookup(_ name: String, _ type: DNSRecordType) throws -> DNSAnswer {
        fatalError("DNSLookup: DNSResolver.lookup is filled in by the DNSLookup change")
    }
}
