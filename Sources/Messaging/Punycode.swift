/// RFC 3492 Punycode encoding, the part IDNA needs to turn "bộ" into "b-8xm".
enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128

    /// Encodes one label's code points; the caller adds the "xn--" prefix.
    static func encode(_ input: [Unicode.Scalar]) -> String {
        var output = ""
        for scalar in input where scalar.isASCII {
            output.unicodeScalars.append(scalar)
        }
        let basicCount = output.unicodeScalars.count
        var handled = basicCount
        if basicCount > 0 { output += "-" }

        var n = initialN
        var delta = 0
        var bias = initialBias
        let codePoints = input.map { Int($0.value) }
        while handled < codePoints.count {
            // Every code point still unhandled is >= n, so a minimum exists.
            let next = codePoints.filter { $0 >= n }.min() ?? n
            delta += (next - n) * (handled + 1)
            n = next
            for codePoint in codePoints {
                if codePoint < n { delta += 1 }
                guard codePoint == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.unicodeScalars.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.unicodeScalars.append(digit(q))
                bias = adapt(delta: delta, count: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return output
    }

    private static func adapt(delta: Int, count: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ value: Int) -> Unicode.Scalar {
        // 0...25 are "a"..."z", 26...35 are "0"..."9".
        let ascii = value < 26 ? 0x61 + value : 0x30 + value - 26
        return Unicode.Scalar(UInt8(ascii))
    }
}
