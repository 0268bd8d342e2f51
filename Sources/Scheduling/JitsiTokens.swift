import Crypto
public import Foundation
public import SwitchboardBase

/// Per-attendee join links for a Jitsi deployment with token authentication
/// (`meet.jitsi_jwt`): `BASE/ROOM?jwt=TOKEN`, an HS256 JSON Web Token with the claims Jitsi's
/// Prosody token module reads: `iss` (the app id), `aud`, `sub` (the Jitsi host), `room`, `iat`,
/// `nbf`, `exp` (a day after the meeting's last occurrence), and `context.user` with the name,
/// the address and `moderator` (true for the organizer).
///
/// Signed here with swift-crypto's HMAC-SHA256 rather than through vapor/jwt-kit: jwt-kit 5 signs
/// only asynchronously, and invites are composed inside the booking's synchronous write
/// transaction (the outbox contract: the booking and its messages commit together). HS256 is
/// RFC 7515's HMAC over the base64url header and payload; the tests check each token with
/// python3's own hmac and json.
public struct JitsiTokens: Sendable {
    /// The app id (`iss`).
    public let appID: String
    /// The audience (`aud`).
    public let audience: String
    private let secret: Secret

    /// Tokens signed with `secret`.
    public init(appID: String, audience: String, secret: Secret) {
        self.appID = appID
        self.audience = audience
        self.secret = secret
    }

    /// Reads the shared secret from `file` (its first line); the file must not be readable by
    /// others (mode 0600 or 0640).
    public static func load(appID: String, audience: String, secretFile file: String) throws -> JitsiTokens {
        var info = stat()
        guard stat(file, &info) == 0 else {
            throw SchedulingError(.refused, "meet.jitsi_jwt.secret_file \(file) cannot be read (\(String(cString: strerror(errno)))): create it (mode 0640, group switchboard) or turn jitsi_jwt off")
        }
        guard info.st_mode & 0o007 == 0 else {
            throw SchedulingError(.refused, "meet.jitsi_jwt.secret_file \(file) may be read by anyone: chmod o-rwx it")
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
              let line = text.split(whereSeparator: \.isNewline).first, line.utf8.count >= 32 else {
            throw SchedulingError(.refused, "meet.jitsi_jwt.secret_file \(file) must hold a secret of at least 32 bytes on its first line")
        }
        return JitsiTokens(appID: appID, audience: audience, secret: Secret(String(line)))
    }

    /// The join link of `link` (BASE/ROOM) for one person, valid until `expires`.
    public func link(_ link: String, name: String, address: String, moderator: Bool, issued: Date, expires: Date) -> String {
        guard let url = URL(string: link), let host = url.host else { return link }
        let room = url.lastPathComponent
        let payload: [String: Any] = [
            "iss": appID, "aud": audience, "sub": host, "room": room,
            "iat": Int(issued.timeIntervalSince1970), "nbf": Int(issued.timeIntervalSince1970) - 300,
            "exp": Int(expires.timeIntervalSince1970),
            "context": ["user": ["name": name, "email": address, "moderator": moderator]],
        ]
        return "\(link)?jwt=\(token(payload))"
    }

    func token(_ payload: [String: Any]) -> String {
        let header = Self.base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let body = Self.base64URL((try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data())
        let input = header + "." + body
        let key = SymmetricKey(data: Data(secret.exposedValue.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)
        return input + "." + Self.base64URL(Data(signature))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
