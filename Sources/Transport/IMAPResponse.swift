import SwitchboardBase

/// What libcurl handed back for one IMAP command, and the parsers for it.
///
/// Where libcurl (7.88) puts IMAP responses of a CURLOPT_CUSTOMREQUEST:
/// - the **header callback** gets every line the server sends, byte for byte: greeting,
///   CAPABILITY, the LOGIN and SELECT dialogue, untagged and tagged responses, and the
///   contents of literals (`{577}` followed by the message);
/// - the **write callback** gets only the untagged `* ...` lines libcurl deems part of the
///   command: for `UID ...`, `SEARCH`, `GETQUOTAROOT`, `NOOP`, `EXPUNGE`, `SELECT`,
///   `EXAMINE`, `LSUB` all of them; for any other verb only those naming it (`* STATUS`
///   for STATUS). A literal is not read as a literal: its lines pass through the line parser,
///   so a message line starting with "* " also reaches the write callback, and one starting
///   with the command's own tag ("A004 ") ends the command early.
struct IMAPResponse {
    /// Write-callback bytes (untagged lines).
    let body: [UInt8]
    /// Header-callback bytes (everything).
    let headers: [UInt8]

    init(_ exchange: CurlExchange) {
        body = exchange.body
        headers = exchange.headers
    }

    init(body: [UInt8], headers: [UInt8]) {
        self.body = body
        self.headers = headers
    }

    /// The untagged lines from the write callback, CRLF removed.
    var untaggedLines: [String] { Self.lines(body) }

    /// The failed tagged completion, without libcurl's tag: `NO [AUTHENTICATIONFAILED] ...`.
    var failedCompletion: String? {
        for line in Self.lines(headers).reversed() {
            let words = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard words.count == 2, Self.isTag(words[0]) else { continue }
            if words[1].hasPrefix("NO") || words[1].hasPrefix("BAD") {
                return String(words[1])
            }
        }
        return nil
    }

    /// The server's latest capability list (`* CAPABILITY ...` or `OK [CAPABILITY ...]`),
    /// upper-cased; nil when this response carried none.
    var capabilities: Set<String>? {
        var latest: Set<String>?
        for line in Self.lines(headers) {
            let list: Substring
            if line.hasPrefix("* CAPABILITY ") {
                list = line.dropFirst("* CAPABILITY ".count)
            } else if let range = line.firstRange(of: "[CAPABILITY ") {
                list = line[range.upperBound...].prefix { $0 != "]" }
            } else {
                continue
            }
            latest = Set(list.split(separator: " ").map { $0.uppercased() })
        }
        return latest
    }

    /// UIDs from `* SEARCH 3 7 12` lines.
    var searchUIDs: [Int] {
        untaggedLines.flatMap { line -> [Int] in
            guard line == "* SEARCH" || line.hasPrefix("* SEARCH ") else { return [] }
            return line.dropFirst("* SEARCH".count).split(separator: " ").compactMap { Int($0) }
        }
    }

    /// The STORAGE resource of the first `* QUOTA root (STORAGE used limit ...)` line; nil
    /// when the server reported no quota root with storage.
    var storageQuota: QuotaUsage? {
        for line in untaggedLines where line.hasPrefix("* QUOTA ") {
            guard let open = line.lastIndex(of: "("), let close = line.lastIndex(of: ")"), open < close else { continue }
            let words = line[line.index(after: open)..<close].split(separator: " ")
            // Resources come in triples: name, usage, limit.
            for index in stride(from: 0, to: words.count, by: 3)
            where words[index].uppercased() == "STORAGE" && index + 1 < words.count {
                guard let used = Int(words[index + 1]) else { continue }
                let limit = index + 2 < words.count ? Int(words[index + 2]) : nil
                return QuotaUsage(usedKiB: used, limitKiB: limit)
            }
        }
        return nil
    }

    /// `MESSAGES n` from a `* STATUS mailbox (MESSAGES n)` line.
    var statusMessages: Int? { statusItem("MESSAGES") }

    /// The UIDNEXT of a `* STATUS mailbox (UIDNEXT n)` line.
    var statusUIDNext: Int? { statusItem("UIDNEXT") }

    /// The UIDVALIDITY of a `* STATUS mailbox (UIDVALIDITY n)` line.
    var statusUIDValidity: Int? { statusItem("UIDVALIDITY") }

    private func statusItem(_ name: String) -> Int? {
        for line in untaggedLines where line.hasPrefix("* STATUS ") {
            guard let open = line.lastIndex(of: "(") else { continue }
            let words = line[line.index(after: open)...].split(whereSeparator: { $0 == " " || $0 == ")" })
            if let at = words.firstIndex(where: { $0.uppercased() == name }), at + 1 < words.count, let value = Int(words[at + 1]) {
                return value
            }
        }
        return nil
    }

    /// What a `UID FETCH n BODY.PEEK[]` brought back.
    enum FetchedBody: Equatable {
        /// The literal, exactly as many bytes as announced, followed by the closing ")".
        case complete([UInt8])
        /// No FETCH response with a body: no message with that UID.
        case absent
        /// The body stopped short (a line in it looked like libcurl's tag): the connection
        /// is out of step and must not be reused.
        case truncated
    }

    /// Finds the first `* n FETCH (... BODY[] {size}` line in the header stream and takes the
    /// next `size` bytes, which is how IMAP frames a literal.
    var fetchedBody: FetchedBody {
        var start = 0
        while start < headers.count {
            guard let newline = headers[start...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let line = String(decoding: headers[start..<newline], as: UTF8.self)
            let next = newline + 1
            if line.hasPrefix("* "), line.contains(" FETCH ("), line.contains("BODY[]"), let size = Self.literalSize(line) {
                guard next + size <= headers.count else { return .truncated }
                let literal = Array(headers[next..<next + size])
                // The FETCH response closes with ")" (perhaps after more items) on the line the
                // literal ends in; without it, libcurl stopped reading early.
                guard let close = headers[(next + size)...].firstIndex(of: UInt8(ascii: "\n")),
                    String(decoding: headers[(next + size)..<close], as: UTF8.self).trimmingSuffixCR().hasSuffix(")")
                else { return .truncated }
                return .complete(literal)
            }
            start = next
        }
        return .absent
    }

    /// `{577}` at the end of a line (CR already cut off or not).
    private static func literalSize(_ line: String) -> Int? {
        let trimmed = line.trimmingSuffixCR()
        guard trimmed.hasSuffix("}"), let open = trimmed.lastIndex(of: "{") else { return nil }
        var digits = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        if digits.hasSuffix("+") { digits = digits.dropLast() }
        return Int(digits)
    }

    /// libcurl tags commands with a letter and three digits (`A004`).
    private static func isTag(_ word: Substring) -> Bool {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count == 4, let first = scalars.first, ("A"..."Z").contains(first) else {
            return false
        }
        return scalars.dropFirst().allSatisfy { ("0"..."9").contains($0) }
    }

    private static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r\n" || $0 == "\n" })
            .map(String.init)
    }
}

extension String {
    /// The string without one trailing CR (lines split on LF keep it).
    fileprivate func trimmingSuffixCR() -> Substring {
        var unicode = self[...]
        if unicode.unicodeScalars.last == "\r" {
            unicode = Substring(unicode.unicodeScalars.dropLast())
        }
        return unicode
    }
}
