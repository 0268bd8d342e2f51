internal import CCurl
import SwitchboardBase

/// A libcurl call that did not return `CURLE_OK`, with libcurl's own detail.
///
/// Internal only: the sessions turn it into a ``TransportError`` that names the server and
/// what to try, using what they know about the protocol exchange.
struct CurlError: Error {
    /// What kind of failure this is, independent of the protocol.
    enum Kind: Equatable {
        case cannotResolve
        case cannotConnect
        case timeout
        case tls
        case startTLSUnavailable
        case loginDenied
        case connectionLost
        case serverCommandFailed
        case other
    }

    let code: CURLcode
    /// The error buffer (CURLOPT_ERRORBUFFER), or libcurl's generic text for the code.
    let detail: String
    /// The operating system's errno of the last socket error (CURLINFO_OS_ERRNO), 0 if none.
    let osErrno: Int

    var kind: Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .cannotResolve
        case CURLE_COULDNT_CONNECT:
            return .cannotConnect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_USE_SSL_FAILED:
            return .startTLSUnavailable
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_CLIENTCERT:
            return .tls
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            return .loginDenied
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return .connectionLost
        case CURLE_QUOTE_ERROR, CURLE_WEIRD_SERVER_REPLY:
            return .serverCommandFailed
        default:
            return .other
        }
    }
}
