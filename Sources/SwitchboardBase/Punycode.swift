import Foundation

/// RFC 3492 Punycode and IDNA ToASCII for domain names.
public enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128
    private static let hyphen: UInt8 = 0x2D

    /// RFC 3492 encode of one label's Unicode scalars (without the "xn--" prefix), as given (no
    /// normalization or case mapping; basic code points keep their case).
    /// "bücher" -> "bcher-kva", "münchen" -> "mnchen-3ya". Returns nil only on arithmetic overflow.
    public static func encode(_ label: String) -> String? {
        let input = label.unicodeScalars.map { Int($0.value) }
        var output: [UInt8] = input.compactMap { $0 < 0x80 ? UInt8($0) : nil }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 {
            output.append(hyphen)
        }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            guard let next = input.filter({ $0 >= n }).min() else { return nil }
            guard next - n <= (Int.max - delta) / (handled + 1) else { return nil }
            delta += (next - n) * (handled + 1)
            n = next
            for codePoint in input {
                if codePoint < n {
                    guard delta < Int.max else { return nil }
                    delta += 1
                }
                if codePoint == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = threshold(k, bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, firstTime: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            guard delta < Int.max else { return nil }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// IDNA ToASCII of a whole domain: NFC, lower-case, each non-ASCII label -> "xn--" + encode;
    /// the ideographic full stops U+3002, U+FF0E and U+FF61 separate labels like ".".
    /// Returns nil when a label is empty (this includes a trailing dot) or longer than 63 octets
    /// after conversion, when the domain is longer than 253 octets, or when a label already in
    /// "xn--" form is not the canonical punycode of an NFC, lower-case, non-ASCII label.
    public static func toASCII(domain: String) -> String? {
        var labels: [String] = []
        // Split on scalars, not Characters: "." followed by a combining mark is one Character.
        for label in prepare(domain).unicodeScalars.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .success(let ascii) = convertLabel(String(label)) else { return nil }
            labels.append(ascii)
        }
        let joined = labels.joined(separator: ".")
        guard joined.utf8.count <= 253 else { return nil }
        return joined
    }

    // MARK: - Internal helpers shared with EmailAddress

    /// The result of converting one prepared label to its ASCII form.
    enum LabelConversion: Equatable {
        case success(String)
        case empty
        case tooLong(octets: Int)
        case invalidACE
        case overflow
    }

    /// NFC, lower-case, NFC again, and IDNA full stops mapped to ".".
    static func prepare(_ domain: String) -> String {
        let lowered = domain.precomposedStringWithCanonicalMapping.lowercased().precomposedStringWithCanonicalMapping
        var scalars = String.UnicodeScalarView()
        for scalar in lowered.unicodeScalars {
            switch scalar {
            case "\u{3002}", "\u{FF0E}", "\u{FF61}":
                scalars.append(".")
            default:
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Converts one already prepared label (see `prepare`) to ASCII.
    static func convertLabel(_ label: String) -> LabelConversion {
        guard !label.isEmpty else { return .empty }
        let ascii: String
        if label.unicodeScalars.allSatisfy(\.isASCII) {
            if label.hasPrefix("xn--") {
                guard label.utf8.count <= 63 else { return .tooLong(octets: label.utf8.count) }
                guard isCanonicalACE(label) else { return .invalidACE }
            }
            ascii = label
        } else {
            guard let encoded = encode(label) else { return .overflow }
            ascii = "xn--" + encoded
        }
        guard ascii.utf8.count <= 63 else { return .tooLong(octets: ascii.utf8.count) }
        return .success(ascii)
    }

    /// True when `label` ("xn--...") decodes to a non-ASCII, NFC, lower-case label without dots
    /// whose encoding is exactly `label` again.
    private static func isCanonicalACE(_ label: String) -> Bool {
        let body = String(label.dropFirst(4))
        guard let decoded = decode(body) else { return false }
        guard !decoded.unicodeScalars.allSatisfy(\.isASCII) else { return false }
        let decodedScalars = Array(decoded.unicodeScalars)
        guard Array(prepare(decoded).unicodeScalars) == decodedScalars else { return false }
        guard !decodedScalars.contains(".") else { return false }
        return encode(decoded) == body
    }

    /// RFC 3492 decode (without the "xn--" prefix); nil when malformed.
    static func decode(_ encoded: String) -> String? {
        let bytes = Array(encoded.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var output: [Int] = []
        var position = 0
        if let delimiter = bytes.lastIndex(of: hyphen) {
            output = bytes[..<delimiter].map { Int($0) }
            position = delimiter + 1
        }
        var n = initialN
        var i = 0
        var bias = initialBias
        while position < bytes.count {
            let oldI = i
            var weight = 1
            var k = base
            while true {
                guard position < bytes.count, let value = digitValue(bytes[position]) else { return nil }
                position += 1
                guard value <= (Int.max - i) / weight else { return nil }
                i += value * weight
                let t = threshold(k, bias)
                if value < t { break }
                guard weight <= Int.max / (base - t) else { return nil }
                weight *= base - t
                k += base
            }
            let length = output.count + 1
            bias = adapt(i - oldI, length, firstTime: oldI == 0)
            guard i / length <= 0x10FFFF - n else { return nil }
            n += i / length
            i %= length
            guard Unicode.Scalar(UInt32(n)) != nil else { return nil }
            output.insert(n, at: i)
            i += 1
        }
        var scalars = String.UnicodeScalarView()
        for value in output {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    private static func threshold(_ k: Int, _ bias: Int) -> Int {
        if k <= bias { return tMin }
        if k >= bias + tMax { return tMax }
        return k - bias
    }

    private static func adapt(_ delta: Int, _ numPoints: Int, firstTime: Bool) -> Int {
        var delta = firstTime ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// 0...25 -> "a"..."z", 26...35 -> "0"..."9".
    private static func digit(_ value: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: value < 26 ? 0x61 + value : 0x30 + value - 26)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte) - 0x30 + 26
        case 0x41...0x5A: return Int(byte) - 0x41
        case 0x61...0x7A: return Int(byte) - 0x61
        default: return nil
        }
    }
}
