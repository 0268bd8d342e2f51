import SwitchboardBase

/// Checks on what callers pass in, made before libcurl sees any of it, and the URLs built
/// from checked input.
///
/// A CR or LF in an address or a command argument would let the caller (or whoever filled in
/// the address) smuggle extra SMTP or IMAP commands onto the connection.
enum MailInput {
    /// Host, port and timeout make sense; nothing here contacts the server.
    static func checkServer(_ server: MailServer, service: String) throws(TransportError) {
        let allowed = server.host.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "_")
        }
        guard !server.host.isEmpty, allowed else {
            throw TransportError(
                code: .invalidInput,
                description: "\(service) server host \(server.host.debugDescription) is not a host name or IP address: check the mail server setting")
        }
        guard (1...65535).contains(server.port) else {
            throw TransportError(
                code: .invalidInput,
                description: "\(service) server port \(server.port) for \(server.host) is not a TCP port (1-65535): check the mail server setting")
        }
        guard server.timeoutSeconds >= 1 else {
            throw TransportError(
                code: .invalidInput,
                description: "timeout \(server.timeoutSeconds) s for \(service) server \(server.endpoint) must be at least 1 s")
        }
    }

    /// Refuses CR, LF, NUL and other control characters in one protocol token (an address,
    /// a login name, a Message-ID, a mailbox name).
    static func checkToken(_ value: String, what: String, endpoint: String, allowEmpty: Bool = false) throws(TransportError) {
        if value.isEmpty && !allowEmpty {
            throw TransportError(code: .invalidInput, description: "\(what) is empty: refused before contacting \(endpoint)")
        }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw TransportError(
                code: .invalidInput,
                description: "\(what) \(value.debugDescription) contains a line break, NUL or other control character: refused before contacting \(endpoint)")
        }
    }

    /// The message must use CRLF line endings only: with a bare LF, libcurl's dot-stuffing
    /// misses a line that starts with "." and the server drops the dot.
    static func checkMessage(_ message: [UInt8], endpoint: String) throws(TransportError) {
        guard !message.isEmpty else {
            throw TransportError(code: .invalidInput, description: "the message is empty: refused before contacting \(endpoint)")
        }
        let carriageReturn = UInt8(ascii: "\r")
        let lineFeed = UInt8(ascii: "\n")
        let problem: (what: String, line: Int)? = message.withUnsafeBufferPointer { bytes in
            var line = 1
            for index in bytes.indices {
                switch bytes[index] {
                case lineFeed:
                    if index == 0 || bytes[index - 1] != carriageReturn { return ("a bare LF", line) }
                    line += 1
                case carriageReturn:
                    if index + 1 == bytes.count || bytes[index + 1] != lineFeed { return ("a bare CR", line) }
                case 0:
                    return ("a NUL byte", line)
                default:
                    continue
                }
            }
            return nil
        }
        if let problem {
            throw TransportError(
                code: .invalidInput,
                description: "the message has \(problem.what) at line \(problem.line) (render it with CRLF line endings): refused before contacting \(endpoint)")
        }
    }

    /// A password may hold anything but NUL (libcurl takes it as a C string). The error never
    /// shows it.
    static func checkPassword(_ password: String, username: String, endpoint: String) throws(TransportError) {
        if password.utf8.contains(0) {
            throw TransportError(
                code: .invalidInput,
                description: "the password for \(username.debugDescription) contains a NUL byte, which no mail login can carry: refused before contacting \(endpoint)")
        }
    }

    /// `scheme://host:port/path`, the scheme chosen by the server's security; `path` is
    /// percent-encoded here.
    static func url(for server: MailServer, plainScheme: String, tlsScheme: String, path: String) -> String {
        let scheme = server.security == .implicitTLS ? tlsScheme : plainScheme
        return "\(scheme)://\(server.endpoint)/\(percentEncoded(path))"
    }

    /// Everything but RFC 3986 unreserved characters is percent-encoded (libcurl decodes the
    /// path back into the EHLO name or the IMAP mailbox).
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            let unreserved =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            if unreserved {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An IMAP quoted string: `"` and `\` escaped. Callers have refused control characters.
    static func imapQuoted(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            if character == "\"" || character == "\\" {
                quoted.append("\\")
            }
            quoted.append(character)
        }
        quoted.append("\"")
        return quoted
    }
}
