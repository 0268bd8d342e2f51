internal import CResolv

#if canImport(Glibc)
import Glibc
#endif

/// A DNS reply decoded with libresolv's parser (`ns_initparse`, `ns_parserr`,
/// `ns_name_uncompress`): its response code and the answer section's records of one type.
///
/// Every length and name pointer is checked against the message: bytes that do not hold
/// together throw ``Malformed``, never read outside the buffer.
struct DNSReply: Equatable {
    /// The response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ...).
    var responseCode: Int
    /// TC: the server cut the reply short.
    var truncated: Bool
    /// The answer section's records of the asked type and class IN, in the order sent
    /// (the CNAMEs of a chain the server followed are left out unless CNAME was asked).
    var records: [DNSRecord]
    /// A referral, not an answer: no answer, neither authoritative (AA) nor recursive (RA), and
    /// NS records in the authority section (an authoritative server asked about a zone it
    /// delegates: the parent's server, named with --server). glibc hands a referral with glue
    /// back as a reply; read as "no such record", it would mislead.
    var isReferral: Bool = false

    /// Why a reply could not be decoded.
    struct Malformed: Error, Equatable {
        /// What is wrong with it, for the error's one line.
        var reason: String
    }

    /// Decodes `bytes`, keeping the answers of `type`.
    init(bytes: [UInt8], type: DNSRecordType) throws(Malformed) {
        let decoded: Result<DNSReply, Malformed> = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count >= 12 else {
                return .failure(Malformed(reason: "\(buffer.count) bytes, shorter than a DNS header (12)"))
            }
            return Self.decode(base, count: buffer.count, type: type)
        }
        self = try decoded.get()
    }

    private init(responseCode: Int, truncated: Bool, records: [DNSRecord]) {
        self.responseCode = responseCode
        self.truncated = truncated
        self.records = records
    }

    private static func decode(_ message: UnsafePointer<UInt8>, count: Int, type: DNSRecordType) -> Result<DNSReply, Malformed> {
        var handle = ns_msg()
        guard CResolv_parse(message, Int32(count), &handle) == 0 else {
            return .failure(Malformed(reason: "its record counts do not match its \(count) bytes (cut short, or bad names)"))
        }
        guard CResolv_flag(&handle, ns_f_qr) == 1 else {
            return .failure(Malformed(reason: "it is a query, not a reply"))
        }
        var records: [DNSRecord] = []
        var record = ns_rr()
        let answers = CResolv_count(&handle, ns_s_an)
        for index in 0..<answers {
            guard CResolv_record(&handle, ns_s_an, index, &record) == 0 else {
                return .failure(Malformed(reason: "answer \(index + 1) of \(answers) cannot be read (its name points outside the message or loops)"))
            }
            guard CResolv_rr_type(&record) == type.code, CResolv_rr_class(&record) == 1 else { continue }
            switch decodeData(of: record, in: handle, type: type) {
            case .success(let decoded): records.append(decoded)
            case .failure(let problem):
                return .failure(Malformed(reason: "answer \(index + 1) (\(type.rawValue)): \(problem.reason)"))
            }
        }
        var reply = DNSReply(
            responseCode: Int(CResolv_flag(&handle, ns_f_rcode)), truncated: CResolv_flag(&handle, ns_f_tc) == 1, records: records)
        if reply.responseCode == 0, answers == 0, CResolv_flag(&handle, ns_f_aa) == 0, CResolv_flag(&handle, ns_f_ra) == 0 {
            var delegates = false
            for index in 0..<CResolv_count(&handle, ns_s_ns) {
                // An authority record that cannot be read is not a referral we can vouch for.
                guard CResolv_record(&handle, ns_s_ns, index, &record) == 0 else { delegates = false; break }
                if CResolv_rr_type(&record) == 6 { delegates = false; break }  // SOA: "no data", not a referral
                if CResolv_rr_type(&record) == 2 { delegates = true }
            }
            reply.isReferral = delegates
        }
        return .success(reply)
    }

    /// The record's data as `type` says it is laid out.
    private static func decodeData(of record: ns_rr, in handle: ns_msg, type: DNSRecordType) -> Result<DNSRecord, Malformed> {
        var record = record
        var handle = handle
        let length = Int(CResolv_rr_length(&record))
        guard let data = CResolv_rr_data(&record) else {
            return .failure(Malformed(reason: "no data"))
        }
        let bytes = UnsafeBufferPointer(start: data, count: length)
        switch type {
        case .a:
            guard length == 4 else { return .failure(Malformed(reason: "\(length) bytes of address, not 4")) }
            return .success(.a(bytes.map(String.init).joined(separator: ".")))
        case .aaaa:
            guard length == 16, let text = SocketAddress.ipv6Text(bytes) else {
                return .failure(Malformed(reason: "\(length) bytes of address, not 16"))
            }
            return .success(.aaaa(text))
        case .cname, .ns:
            return name(at: data, taking: length, in: &handle).map { type == .cname ? .cname($0) : .ns($0) }
        case .mx:
            guard length >= 3 else { return .failure(Malformed(reason: "\(length) bytes, too short for a preference and a host")) }
            let preference = Int(bytes[0]) << 8 | Int(bytes[1])
            return name(at: data + 2, taking: length - 2, in: &handle).map { .mx(preference: preference, exchange: $0) }
        case .txt:
            guard length > 0 else { return .failure(Malformed(reason: "no character-string")) }
            var joined: [UInt8] = []
            var position = 0
            while position < length {
                let size = Int(bytes[position])
                guard position + 1 + size <= length else {
                    return .failure(Malformed(reason: "a character-string of \(size) bytes runs past the record's \(length)"))
                }
                joined.append(contentsOf: bytes[(position + 1)..<(position + 1 + size)])
                position += 1 + size
            }
            return .success(.txt(String(decoding: joined, as: UTF8.self)))
        }
    }

    /// The name at `start`, which must take exactly `length` bytes of the record's data: lower
    /// case, without its trailing dot ("." for the root).
    private static func name(at start: UnsafePointer<UInt8>, taking length: Int, in handle: inout ns_msg) -> Result<String, Malformed> {
        var text = [CChar](repeating: 0, count: Int(NS_MAXDNAME) + 1)
        let taken = CResolv_name(CResolv_message_start(&handle), CResolv_message_end(&handle), start, &text, text.count)
        guard taken >= 0 else {
            return .failure(Malformed(reason: "its name runs past the message, loops, or points outside it"))
        }
        guard taken == length else {
            return .failure(Malformed(reason: "its name takes \(taken) bytes of the record's \(length)"))
        }
        let name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .success(normalized(name))
    }

    /// Lower case (ASCII), without a trailing dot unless it is the root.
    static func normalized(_ name: String) -> String {
        let lower = String(decoding: name.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
        return lower.count > 1 && lower.hasSuffix(".") ? String(lower.dropLast()) : lower
    }
}
