import SwitchboardBase

/// Folds header lines at 78 characters and prepares unstructured values for folding.
enum HeaderFolding {
    /// "Name: value" folded with CRLF SP before a space wherever a line would pass 78
    /// characters; no final CRLF. A single word longer than a line is left whole.
    ///
    /// Folding only ever happens before an existing space, so unfolding (removing the CRLF)
    /// gives back the value exactly. Only the last space of a run is a fold point, so no line
    /// is made of whitespace alone.
    static func fold(name: String, value: String) -> String {
        let bytes = Array(value.utf8)
        var tokens: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices where index > 0 && bytes[index] == 0x20 {
            let nextIsWord = index + 1 < bytes.count && bytes[index + 1] != 0x20
            if nextIsWord && index > start {
                tokens.append(bytes[start..<index])
                start = index
            }
        }
        tokens.append(bytes[start..<bytes.count])

        var result = Array((name + ": ").utf8)
        var lineLength = result.count
        var tokensOnLine = 0
        for token in tokens {
            if tokensOnLine > 0 && lineLength + token.count > EncodedWord.lineLimit {
                result += [0x0D, 0x0A]
                lineLength = 0
                tokensOnLine = 0
            }
            result += token
            lineLength += token.count
            tokensOnLine += 1
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// An unstructured value (subject, custom header) in ASCII form: unchanged when it is plain
    /// ASCII that folds within 78 columns, else RFC 2047 words separated by spaces, the first
    /// sized to fit after "Name: ".
    static func unstructured(_ value: String, name: String) -> String {
        let tooLongWord = value.split(separator: " ").contains { $0.utf8.count > EncodedWord.lineLimit - 2 }
        guard EncodedWord.needsEncoding(value) || tooLongWord else { return value }
        // The first word shares its line with "Name: "; words() keeps any word at least
        // long enough for one character, so an absurdly long name only makes a long first line.
        let firstLimit = EncodedWord.lineLimit - name.utf8.count - 2
        return EncodedWord.words(for: value, firstWordLimit: firstLimit).joined(separator: " ")
    }
}
