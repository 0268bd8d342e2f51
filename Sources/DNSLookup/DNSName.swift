import SwitchboardBase

/// Domain names as a lookup takes them.
enum DNSName {
    /// `name` ready for a query: one trailing dot dropped, an internationalized name in its
    /// ASCII (`xn--`) form; throws ``DNSError/Code/invalidInput`` saying what is wrong.
    static func checked(_ name: String, _ type: DNSRecordType) throws(DNSError) -> String {
        func refuse(_ why: String) -> DNSError {
            DNSError(.invalidInput, "cannot look up \(type.rawValue) \(Quoting.quoted(name)): \(why); give a domain name such as example.org or _dmarc.example.org")
        }
        var ascii = name.hasSuffix(".") ? String(name.dropLast()) : name
        guard !ascii.isEmpty else { throw refuse("the name is empty") }
        if !ascii.allSatisfy(\.isASCII) {
            guard let converted = Punycode.toASCII(domain: ascii) else {
                throw refuse("it is not a valid internationalized domain name")
            }
            ascii = converted
        }
        guard ascii.utf8.count <= 253 else { throw refuse("it is longer than 253 characters") }
        for label in ascii.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw refuse("it has an empty label (two dots in a row, or a leading dot)") }
            guard label.utf8.count <= 63 else { throw refuse("the label \(Quoting.quoted(String(label))) is longer than 63 characters") }
            guard let bad = label.first(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "*") }) else { continue }
            throw refuse("it contains \(Quoting.quoted(String(bad))), which no host or record name has")
        }
        return ascii
    }
}
