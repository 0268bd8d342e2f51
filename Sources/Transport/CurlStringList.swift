internal import CCurl
import SwitchboardBase

/// Owns a `curl_slist` (such as the CURLOPT_MAIL_RCPT recipients) and frees it on deinit.
///
/// libcurl does not copy a list: keep this object alive until `curl_easy_perform` returns
/// and the option has been cleared.
final class CurlStringList {
    let head: UnsafeMutablePointer<curl_slist>?

    /// Builds the list; nil when libcurl could not allocate it.
    init?(_ strings: [String]) {
        var list: UnsafeMutablePointer<curl_slist>?
        for string in strings {
            guard let appended = curl_slist_append(list, string) else {
                curl_slist_free_all(list)
                return nil
            }
            list = appended
        }
        head = list
    }

    deinit {
        curl_slist_free_all(head)
    }
}
