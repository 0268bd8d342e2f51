import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// gzip for the cached bodies (`Content-Encoding: gzip` when the client accepts it, as Prometheus
/// does): a 1,000-service `/metrics` is about 1 MB of text and 60 KB compressed, which is what
/// lets one core serve thousands of scrapes a second.
///
/// zlib is opened on first use (`libz.so.1`, in every Debian system) like Transport opens
/// libcurl, through three functions with plain C signatures: `compressBound`, `compress2` and
/// `crc32`. `compress2` writes the zlib format (RFC 1950: a 2-byte header, the raw deflate
/// stream, an Adler-32); the gzip format (RFC 1952) is the same deflate stream between a 10-byte
/// header and the CRC-32 and length of the input. Without zlib bodies go uncompressed.
enum Gzip {
    private typealias CompressBound = @convention(c) (UInt) -> UInt
    private typealias Compress2 = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt, Int32) -> Int32
    private typealias CRC32 = @convention(c) (UInt, UnsafePointer<UInt8>?, UInt32) -> UInt

    private struct Library: @unchecked Sendable {
        let bound: CompressBound
        let compress: Compress2
        let crc: CRC32
    }

    private static let library: Library? = {
        guard let handle = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL),
            let bound = dlsym(handle, "compressBound"), let compress = dlsym(handle, "compress2"), let crc = dlsym(handle, "crc32")
        else { return nil }
        return Library(
            bound: unsafeBitCast(bound, to: CompressBound.self), compress: unsafeBitCast(compress, to: Compress2.self), crc: unsafeBitCast(crc, to: CRC32.self))
    }()

    /// `input` gzip-compressed, nil when zlib is missing or fails (the caller sends it as it is).
    static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8]? {
        guard let zlib = library, input.count < Int(UInt32.max) else { return nil }
        var length = zlib.bound(UInt(input.count))
        var zlibStream = [UInt8](repeating: 0, count: Int(length))
        let status = input.withUnsafeBufferPointer { source in
            zlibStream.withUnsafeMutableBufferPointer { target in
                zlib.compress(target.baseAddress, &length, source.baseAddress, UInt(source.count), level)
            }
        }
        // Z_OK, and at least the 2-byte header and the 4-byte Adler-32 around the deflate stream
        guard status == 0, length >= 6 else { return nil }
        let crc = input.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: zlib.crc(0, $0.baseAddress, UInt32($0.count))) }
        var output: [UInt8] = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF]  // magic, deflate, no flags, no time, unknown OS
        output.reserveCapacity(Int(length) + 12)
        output += zlibStream[2..<(Int(length) - 4)]
        let size = UInt32(truncatingIfNeeded: input.count)
        for value in [crc, size] {
            output += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
        }
        return output
    }

    /// Whether an `Accept-Encoding` header accepts gzip (`gzip`, `x-gzip` or `*`, not with q=0).
    static func accepted(by header: String?) -> Bool {
        guard let header else { return false }
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let refused = parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "").hasPrefix("q=0") && Double($0.split(separator: "=").last ?? "") == 0 }
            if !refused { return true }
        }
        return false
    }
}
