import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwitchboardTestSupport

/// A loopback SMTP server that offers only what the test says in its EHLO reply (no STARTTLS,
/// say) and records every command line it receives, so a test can show what a client did not
/// send. Serves one connection; any command but EHLO, HELO and QUIT gets `502`.
final class ScriptedSMTPServer: Sendable {
    /// The command lines received, in order (CRLF removed).
    final class Transcript: Sendable {
        private let storage = Mutex<[String]>([])
        var lines: [String] { storage.withLock { $0 } }
        func append(_ line: String) { storage.withLock { $0.append(line) } }
    }

    let port: Int
    let transcript = Transcript()
    private let descriptor: Int32

    /// - Parameter extensions: the EHLO keywords offered after the greeting line, such as `["AUTH PLAIN"]`.
    init(extensions: [String]) throws {
        let (descriptor, port) = try LoopbackPort.bound()
        guard listen(descriptor, 4) == 0 else {
            close(descriptor)
            throw SilentListener.SocketFailure(what: "listen")
        }
        self.descriptor = descriptor
        self.port = port
        let ehlo = (["250-scripted.test"] + extensions.dropLast().map { "250-" + $0 } + extensions.suffix(1).map { "250 " + $0 })
            .joined(separator: "\r\n") + "\r\n"
        let transcript = transcript
        Thread.detachNewThread {
            Self.serve(listener: descriptor, ehloReply: ehlo, transcript: transcript)
        }
    }

    deinit {
        // Wakes a thread still blocked in accept (Linux), then releases the port.
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private static func serve(listener: Int32, ehloReply: String, transcript: Transcript) {
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }
        defer { close(client) }
        func say(_ text: String) {
            _ = text.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        }
        say("220 scripted.test ESMTP\r\n")
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            pending += buffer[0..<count]
            while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<end], as: UTF8.self).trimmingCharacters(in: .newlines)
                pending.removeSubrange(...end)
                transcript.append(line)
                let verb = line.prefix { $0 != " " }.uppercased()
                switch verb {
                case "EHLO", "HELO": say(ehloReply)
                case "QUIT":
                    say("221 2.0.0 bye\r\n")
                    return
                default: say("502 5.5.2 not here\r\n")
                }
            }
        }
    }
}
