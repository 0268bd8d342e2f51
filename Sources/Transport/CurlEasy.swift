internal import CCurl
import SwitchboardBase

/// Owns one libcurl easy handle (and its error buffer) and frees it on deinit.
///
/// The handle keeps its own connection cache, so every `perform` on the same `CurlEasy`
/// reuses the connection the previous one left open (same scheme, host, port and login).
/// Not thread-safe: one session, one caller at a time.
final class CurlEasy {
    /// The easy handle (the multi loop adds and removes it; nothing else touches it).
    let handle: UnsafeMutableRawPointer
    /// libcurl's functions, loaded once (``CurlGlobal``).
    let api: UnsafePointer<CCurl_api>
    /// CURLOPT_ERRORBUFFER: libcurl may write into it at any time until cleanup.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// New connections libcurl opened for this handle's transfers (sum of CURLINFO_NUM_CONNECTS).
    private(set) var connectionsOpened = 0

    private init(handle: UnsafeMutableRawPointer, api: UnsafePointer<CCurl_api>) {
        self.handle = handle
        self.api = api
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        // Cleanup may still talk to the server (QUIT, LOGOUT); the callbacks' data pointers
        // were detached after the last perform, so they ignore what arrives.
        CCurl_easy_cleanup(api, handle)
        errorBuffer.deallocate()
    }

    /// A new handle with the options every transfer needs: no signals, the error buffer, and
    /// the callbacks that feed a ``CurlExchange``.
    static func make() throws(CurlError) -> CurlEasy {
        let api = try CurlGlobal.library()
        guard let handle = CCurl_easy_init(api) else {
            throw CurlError(code: CURLE_FAILED_INIT, detail: "libcurl could not create a handle (out of memory?)", osErrno: 0)
        }
        let easy = CurlEasy(handle: handle, api: api)
        try easy.installCallbacks()
        return easy
    }

    /// The one place a CURLcode is judged.
    func check(_ code: CURLcode) throws(CurlError) {
        guard code != CURLE_OK else { return }
        var detail = String(cString: errorBuffer)
        if detail.isEmpty {
            detail = String(cString: CCurl_easy_strerror(api, code))
        }
        var osErrno = 0
        // Diagnostic only: a failure to read errno leaves it at 0.
        _ = CCurl_getinfo_long(api, handle, CURLINFO_OS_ERRNO, &osErrno)
        throw CurlError(code: code, detail: detail, osErrno: osErrno)
    }

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(CCurl_setopt_long(api, handle, option, value))
    }

    func set(_ option: CURLoption, _ value: Bool) throws(CurlError) {
        try check(CCurl_setopt_long(api, handle, option, value ? 1 : 0))
    }

    /// libcurl copies strings it is given (since 7.17), so a temporary C string is enough.
    func set(_ option: CURLoption, _ value: String?) throws(CurlError) {
        let code: CURLcode
        if let value {
            code = value.withCString { CCurl_setopt_string(api, handle, option, $0) }
        } else {
            code = CCurl_setopt_string(api, handle, option, nil)
        }
        try check(code)
    }

    func set(_ option: CURLoption, size: Int) throws(CurlError) {
        try check(CCurl_setopt_off(api, handle, option, curl_off_t(size)))
    }

    /// libcurl does not copy lists: `list` must outlive every perform that uses it. Set nil
    /// before dropping it.
    func set(_ option: CURLoption, list: CurlStringList?) throws(CurlError) {
        try check(CCurl_setopt_slist(api, handle, option, list?.head))
    }

    func info(_ info: CURLINFO) throws(CurlError) -> Int {
        var value = 0
        try check(CCurl_getinfo_long(api, handle, info, &value))
        return value
    }

    /// A time measure of the last transfer, in seconds (CURLINFO_*_TIME).
    func seconds(_ info: CURLINFO) throws(CurlError) -> Double {
        var value = 0.0
        try check(CCurl_getinfo_double(api, handle, info, &value))
        return value
    }

    /// The fields libcurl gathered about the server's certificate (CURLOPT_CERTINFO), such as
    /// `Expire date` -> `Jan  2 00:00:00 2020 GMT`; empty when none were gathered.
    func serverCertificateFields() throws(CurlError) -> [String: String] {
        var certificates: UnsafeMutablePointer<curl_certinfo>?
        try check(CCurl_getinfo_certinfo(api, handle, &certificates))
        guard let certificates, certificates.pointee.num_of_certs > 0, let lists = certificates.pointee.certinfo,
              var node = lists[0] else { return [:] }
        var fields: [String: String] = [:]
        while true {
            if let data = node.pointee.data {
                let line = String(cString: data)
                if let colon = line.firstIndex(of: ":") {
                    fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
                }
            }
            guard let next = node.pointee.next else { break }
            node = next
        }
        return fields
    }

    /// Runs one transfer with `exchange` as the state of every callback.
    func perform(_ exchange: CurlExchange) throws(CurlError) {
        try attach(exchange)
        let code = withExtendedLifetime(exchange) { CCurl_easy_perform(api, handle) }
        try detach()
        connectionsOpened += try info(CURLINFO_NUM_CONNECTS)
        try check(code)
    }

    private static let dataOptions = [CURLOPT_WRITEDATA, CURLOPT_HEADERDATA, CURLOPT_READDATA, CURLOPT_DEBUGDATA]

    /// Makes `exchange` the state of every callback and clears the error buffer; the caller
    /// keeps `exchange` alive until ``detach()`` (a multi transfer: until it is done).
    func attach(_ exchange: CurlExchange) throws(CurlError) {
        let pointer = Unmanaged.passUnretained(exchange).toOpaque()
        for option in Self.dataOptions {
            try check(CCurl_setopt_ptr(api, handle, option, pointer))
        }
        errorBuffer[0] = 0
    }

    /// Detaches the exchange: later callbacks (a connection closed on cleanup) ignore what arrives.
    func detach() throws(CurlError) {
        for option in Self.dataOptions {
            try check(CCurl_setopt_ptr(api, handle, option, nil))
        }
    }

    /// Non-capturing closures (C function pointers); their state is the `CurlExchange` passed
    /// as user data, nil between transfers.
    private func installCallbacks() throws(CurlError) {
        try check(CCurl_setopt_long(api, handle, CURLOPT_NOSIGNAL, 1))
        try check(CCurl_setopt_ptr(api, handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(CCurl_setopt_io(api, handle, CURLOPT_WRITEFUNCTION) { data, size, count, userData in
            let length = size * count
            guard let data, let userData else { return length }
            let exchange = Unmanaged<CurlExchange>.fromOpaque(userData).takeUnretainedValue()
            let room = max(0, exchange.bodyLimit - exchange.body.count)
            if length > room { exchange.bodyTruncated = true }
            exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: min(length, room)))
            return length
        })
        try check(CCurl_setopt_io(api, handle, CURLOPT_HEADERFUNCTION) { data, size, count, userData in
            let length = size * count
            guard let data, let userData else { return length }
            let exchange = Unmanaged<CurlExchange>.fromOpaque(userData).takeUnretainedValue()
            exchange.headers.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            return length
        })
        try check(CCurl_setopt_io(api, handle, CURLOPT_READFUNCTION) { buffer, size, count, userData in
            guard let buffer, let userData else { return 0 }
            let exchange = Unmanaged<CurlExchange>.fromOpaque(userData).takeUnretainedValue()
            return exchange.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
        })
        try check(CCurl_setopt_debug(api, handle, CURLOPT_DEBUGFUNCTION) { _, type, data, size, userData in
            guard let data, let userData else { return 0 }
            let exchange = Unmanaged<CurlExchange>.fromOpaque(userData).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size)
            if type == CURLINFO_HEADER_IN {
                exchange.recordReceived(bytes)
            } else if type == CURLINFO_HEADER_OUT {
                exchange.recordSent(bytes)
            }
            return 0
        })
    }
}
