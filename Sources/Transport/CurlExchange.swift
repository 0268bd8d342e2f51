import SwitchboardBase

/// Everything one `curl_easy_perform` reads and writes.
///
/// libcurl's callbacks receive it as an unretained pointer (CURLOPT_WRITEDATA, HEADERDATA,
/// READDATA, DEBUGDATA); ``CurlEasy/perform(_:)`` keeps it alive across the call and detaches
/// it afterwards, so nothing libcurl does later (closing a connection on cleanup) can reach it.
final class CurlExchange {
    /// One entry of the protocol dialogue, in the order it happened on the wire.
    enum Event: Equatable {
        /// A command line we sent, reduced to what is safe to keep (see `keepsArguments`).
        case sent(String)
        /// Response bytes from the server (one or more lines, CRLF included).
        case received([UInt8])
    }

    /// What the write callback got: for IMAP custom requests, the untagged responses that
    /// libcurl deems to belong to the command.
    var body: [UInt8] = []
    /// The most body bytes kept (an HTTP probe's `maxBodyBytes`); the rest is read and dropped.
    var bodyLimit = Int.max
    /// True when the body was longer than `bodyLimit`.
    var bodyTruncated = false
    /// What the header callback got: every response line of a pingpong protocol (greeting,
    /// capabilities, tagged and untagged responses, literal contents), byte for byte.
    var headers: [UInt8] = []
    /// The dialogue seen by the debug callback (only when the handle is verbose).
    private(set) var events: [Event] = []

    private let upload: [UInt8]
    private var uploadOffset = 0
    private let verbs: Set<String>
    private let keepsArguments: Set<String>

    /// - Parameters:
    ///   - upload: the bytes the read callback hands to libcurl (an SMTP message).
    ///   - verbs: the protocol's command verbs. A sent line that starts with anything else
    ///     (a SASL response: the base64 password of AUTH LOGIN) is recorded as `(hidden)`.
    ///   - keepsArguments: verbs whose arguments may be recorded (`MAIL`, `RCPT`). Every
    ///     other command keeps only its verb: `AUTH PLAIN <base64>` carries the password.
    init(upload: [UInt8] = [], verbs: Set<String> = [], keepsArguments: Set<String> = []) {
        self.upload = upload
        self.verbs = verbs
        self.keepsArguments = keepsArguments
    }

    /// Copies the next upload bytes into libcurl's buffer; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        upload.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[uploadOffset..<uploadOffset + count]))
        }
        uploadOffset += count
        return count
    }

    func recordReceived(_ bytes: UnsafeRawBufferPointer) {
        events.append(.received(Array(bytes)))
    }

    func recordSent(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        let verb = String(line.prefix { $0 != " " }).uppercased()
        if keepsArguments.contains(verb) {
            events.append(.sent(line))
        } else if verbs.contains(verb) {
            events.append(.sent(verb))
        } else {
            events.append(.sent("(hidden)"))
        }
    }
}
