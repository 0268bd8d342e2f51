import SwitchboardBase

/// A display name and an address, as in `From:` and `To:`: "Nguyễn Thị Thu Hà" <ha@example.vn>.
public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
    /// The name shown by mail clients, or nil for a bare address.
    public let displayName: String?
    /// The address.
    public let address: MailAddress

    /// Pairs a display name with an address, refusing a name with a line break or NUL.
    ///
    /// - Parameters:
    ///   - displayName: The name as people read it, any Unicode; nil or empty for none.
    ///   - address: The validated address.
    ///   - role: Who this mailbox is, in words, for errors: "sender", "recipient".
    public init(displayName: String? = nil, address: MailAddress, role: String = "mailbox") throws {
        if let displayName {
            try HeaderSafety.check(displayName, field: "\(role) display name")
        }
        self.displayName = displayName?.isEmpty == true ? nil : displayName
        self.address = address
    }

    /// Validates `address` and pairs it with a display name.
    ///
    /// Errors name the field as "ROLE address" or "ROLE display name", e.g. "recipient address".
    public init(displayName: String? = nil, address: String, role: String = "mailbox") throws {
        try self.init(displayName: displayName, address: MailAddress(address, field: "\(role) address"), role: role)
    }

    /// The mailbox as a header value, unfolded and ASCII only: bare `a@b` without a name,
    /// `Name <a@b>` for a plain ASCII name, `"Name, Jr." <a@b>` when the name has specials, and
    /// `=?UTF-8?B?…?= <a@b>` when it is not ASCII.
    ///
    /// Encoded-words are not put inside quotes: RFC 2047 forbids it, and strict readers would
    /// then show the raw `=?UTF-8?B?` text.
    public var headerValue: String {
        headerValue(firstLineUsed: 0)
    }

    /// The header value with its first encoded-word short enough to follow `firstLineUsed`
    /// columns ("To: " is 4) within a 78-character line.
    func headerValue(firstLineUsed: Int) -> String {
        guard let name = displayName else { return address.address }
        return Self.phrase(name, firstWordLimit: EncodedWord.lineLimit - firstLineUsed) + " <" + address.address + ">"
    }

    /// The mailbox as people read it: `Nguyễn Thị Thu Hà <ha@example.vn>`.
    public var description: String {
        guard let name = displayName else { return address.address }
        return "\(name) <\(address.address)>"
    }

    /// Characters allowed unquoted in an RFC 5322 phrase besides letters, digits and single spaces.
    private static let atomSpecials = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    /// The display name as an RFC 5322 phrase: atoms, a quoted-string, or encoded-words.
    static func phrase(_ name: String, firstWordLimit: Int) -> String {
        if EncodedWord.needsEncoding(name) {
            return EncodedWord.words(for: name, firstWordLimit: firstWordLimit, preferSpaces: true)
                .joined(separator: " ")
        }
        let isAtoms = name.split(separator: " ", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty
                && atom.unicodeScalars.allSatisfy { scalar in
                    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                        || atomSpecials.contains(scalar)
                }
        }
        if isAtoms { return name }
        var quoted = "\""
        for scalar in name.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { quoted += "\\" }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }
}
