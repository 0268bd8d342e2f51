import SwitchboardBase

extension DNSServer {
    /// What `--server` accepts, for the end of every refusal.
    static let accepted = "give HOST, HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:5353"

    /// `HOST`, `HOST:PORT` or `[IPv6]:PORT` as a server; a host name is resolved to its first
    /// address now, so every lookup asks the same server.
    static func parsed(_ text: String) throws(DNSError) -> DNSServer {
        func refuse(_ why: String) -> DNSError {
            DNSError(.invalidInput, "bad DNS server \(Quoting.quoted(text)): \(why); \(accepted)")
        }
        guard !text.isEmpty else { throw refuse("it is empty") }
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            throw refuse("it contains spaces or control characters")
        }
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw refuse("the [ has no closing ]") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") {
                portText = rest.dropFirst()
            } else if !rest.isEmpty {
                throw refuse("after ] comes :PORT or nothing")
            }
            guard SocketAddress.isIPv6(String(host)) else { throw refuse("inside [ ] goes an IPv6 address") }
        } else if text.filter({ $0 == ":" }).count > 1 {
            host = Substring(text)
            guard SocketAddress.isIPv6(text) else {
                throw refuse("not an IPv6 address (with a port, write [ADDRESS]:PORT)")
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = Substring(text)
        }
        var port = 53
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = Int(portText), (1...65_535).contains(number)
            else { throw refuse("the port must be a number from 1 to 65535") }
            port = number
        }
        guard !host.isEmpty else { throw refuse("the host is missing") }
        let hostText = String(host)
        if SocketAddress.isIPv4(hostText) || SocketAddress.isIPv6(hostText) {
            return DNSServer(host: hostText, port: port)
        }
        if hostText.allSatisfy({ $0 == "." || ($0.isASCII && $0.isNumber) }) {
            throw refuse("not an IPv4 address (four numbers from 0 to 255)")
        }
        let bare = hostText.hasSuffix(".") ? String(hostText.dropLast()) : hostText
        let labels = bare.split(separator: ".", omittingEmptySubsequences: false)
        let hostLike = bare.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        guard hostLike else { throw refuse("not an IP address or a host name") }
        switch SocketAddress.resolve(hostText) {
        case .success(let address):
            return DNSServer(host: address, port: port)
        case .failure(.noAddress(let reason)):
            throw refuse("the name gives no address (\(reason))")
        case .failure(.unavailable(let reason)):
            throw DNSError(.resolverFailure, "cannot resolve the DNS server name \(Quoting.quoted(hostText)) now (\(reason)): give the server's IP address instead, e.g. 192.0.2.53:53")
        }
    }
}
