internal import CCurl
import SwitchboardBase

/// What the linked libcurl can do: its version and the protocols it was built with.
public struct CurlRuntime: Sendable {
    /// The libcurl version string, such as `7.88.1`.
    public let version: String
    /// The TLS library libcurl was built against, such as `OpenSSL/3.0.11`.
    public let sslVersion: String?
    /// Lower-case protocol names: `smtp`, `smtps`, `imap`, `imaps`, `http`, `https`, ...
    public let protocols: Set<String>

    /// Reads the runtime information of the libcurl this process linked.
    public static func current() -> CurlRuntime {
        CurlGlobal.ensureInitialized()
        guard let info = CCurl_version_info() else {
            return CurlRuntime(version: "unknown", sslVersion: nil, protocols: [])
        }
        let version = info.pointee.version.map { String(cString: $0) } ?? "unknown"
        let ssl = info.pointee.ssl_version.map { String(cString: $0) }
        var protocols: Set<String> = []
        if var cursor = info.pointee.protocols {
            while let name = cursor.pointee {
                protocols.insert(String(cString: name).lowercased())
                cursor = cursor.advanced(by: 1)
            }
        }
        return CurlRuntime(version: version, sslVersion: ssl, protocols: protocols)
    }
}

/// `curl_global_init` must run once, before any other libcurl call, and is not thread-safe itself.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}
