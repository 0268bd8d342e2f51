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

    /// Reads the runtime information of the libcurl this process loads.
    public static func current() -> CurlRuntime {
        guard let api = try? CurlGlobal.library(), let info = CCurl_version_info(api) else {
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

/// libcurl, opened on first use (see Sources/CCurl/shim.h) and initialized once:
/// `curl_global_init` must run before any other libcurl call and is not thread-safe itself, so
/// both happen inside one Swift lazy global (run once, under a lock).
enum CurlGlobal {
    /// The function table: written once, before it is published, and never changed after.
    private struct Table: @unchecked Sendable {
        let api: UnsafePointer<CCurl_api>
    }

    private static let loaded: Result<Table, CurlError> = {
        let api = UnsafeMutablePointer<CCurl_api>.allocate(capacity: 1)
        api.initialize(to: CCurl_api())
        if let problem = CCurl_load(api) {
            return .failure(CurlError(code: CURLE_FAILED_INIT, detail: "libcurl cannot be loaded (\(String(cString: problem))): install libcurl4 (`make deps`)", osErrno: 0))
        }
        let code = CCurl_global_init(api)
        guard code == CURLE_OK else {
            return .failure(CurlError(code: code, detail: "libcurl could not initialize (curl_global_init)", osErrno: 0))
        }
        return .success(Table(api: UnsafePointer(api)))
    }()

    /// The loaded library's functions; the error says how to install it when it is missing.
    static func library() throws(CurlError) -> UnsafePointer<CCurl_api> {
        try loaded.get().api
    }
}
