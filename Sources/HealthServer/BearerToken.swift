import Foundation
import HTTPTypes
import Hummingbird

/// The bearer token of `POST /api/v1/maintenance`: read from its file at each request (so a new
/// token needs no restart), trimmed, compared in constant time. Never logged, never echoed.
struct BearerToken {
    /// The file, nil when the API takes no change (`health.token_file` empty).
    let file: String?

    /// Checks the request's `Authorization` header; throws the answer to give when it fails.
    func authorize(_ headers: HTTPFields) throws(HTTPProblem) {
        guard let file else {
            throw HTTPProblem(.forbidden, "changes over the API are turned off: set health.token_file in the configuration to a file holding a bearer token")
        }
        let expected: [UInt8]
        do {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            expected = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        } catch {
            throw HTTPProblem(.serviceUnavailable, "the server cannot read its token file \(file): check that it exists and the daemon may read it")
        }
        guard !expected.isEmpty else {
            throw HTTPProblem(.serviceUnavailable, "the server's token file \(file) is empty: put a bearer token in it")
        }
        let challenge: HTTPFields = [.wwwAuthenticate: "Bearer realm=\"healthd\""]
        guard let header = headers[.authorization] else {
            throw HTTPProblem(.unauthorized, "this request needs the header Authorization: Bearer TOKEN (the token in health.token_file)", headers: challenge)
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw HTTPProblem(.unauthorized, "the Authorization header must be Bearer TOKEN", headers: challenge)
        }
        let given = Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
        guard Self.constantTimeEqual(given, expected) else {
            throw HTTPProblem(
                .unauthorized, "the bearer token is not the one in health.token_file", headers: [.wwwAuthenticate: "Bearer realm=\"healthd\", error=\"invalid_token\""])
        }
    }

    /// Whether two byte strings are equal, in a time that depends on their lengths only.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt64(given.count ^ expected.count)
        for index in 0..<max(given.count, expected.count) {
            let left = index < given.count ? given[index] : 0
            let right = index < expected.count ? expected[index] : 0
            difference |= UInt64(left ^ right)
        }
        return difference == 0
    }
}
