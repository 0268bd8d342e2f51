internal import CCurl
import SwitchboardBase

/// Owns a `curl_slist` (such as the CURLOPT_MAIL_RCPT recipients) and frees it on deinit.
///
/// libcurl does not copy a list: keep this object alive until `curl_easy_perform` returns
/// and the option has been cleared.
final class CurlStringList {
    let head: UnsafeMutablePointer<curl_slist>?
    private let api: UnsafePointer<CCurl_api>

    /// Builds the list; nil when libcurl could not allocate it (or cannot be loaded).
    init?(_ strings: [String]) {
        guard let api = try? CurlGlobal.library() else { return nil }
        var list: UnsafeMutablePointer<curl_slist>?
        for string in strings {
            guard let appended = CCurl_slist_append(api, list, string) else {
                CCurl_slist_free_all(api, list)
                return nil
            }
            list = appended
        }
        self.api = api
        head = list
    }

    deinit {
        CCurl_slist_free_all(api, head)
    }
}
