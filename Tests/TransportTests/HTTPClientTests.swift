import Foundation
import SwitchboardBase
import Testing
import Transport
import SwitchboardTestSupport

/// A real HTTP server on a free loopback port (python3's http.server), for the probe client.
final class LocalHTTPServer {
    let port: Int
    private let process: Process
    /// Closed when this object goes, which ends the server even if the signal is missed.
    private let stdin: Pipe

    init() throws {
        let script = """
        import http.server, os, sys, threading
        # Gone as soon as the test process is: its standard input closes then.
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def reply(self, status, body, headers=()):
                self.send_response(status)
                for k, v in headers: self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD": self.wfile.write(body)
            def do_HEAD(self): self.do_GET()
            def do_GET(self):
                if self.path == "/ok": self.reply(200, b"ok\\n", [("X-Probe", self.headers.get("X-Probe", "none"))])
                elif self.path == "/down": self.reply(503, b"maintenance")
                elif self.path == "/moved": self.reply(302, b"", [("Location", "/ok")])
                elif self.path == "/big": self.reply(200, b"x" * 100000)
                else: self.reply(404, b"no")
        server = http.server.HTTPServer(("127.0.0.1", 0), H)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", script]
        let output = Pipe()
        let input = Pipe()
        python.standardOutput = output
        python.standardInput = input
        python.standardError = FileHandle.nullDevice
        try python.run()
        let line = output.fileHandleForReading.availableData
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            python.terminate()
            throw TestFailure("python3's http.server did not start (is python3 installed?)")
        }
        self.port = port
        process = python
        stdin = input
    }

    deinit {
        // Not waitUntilExit: in corelibs Foundation it spins a run loop when called off the main thread.
        process.terminate()
        try? stdin.fileHandleForWriting.close()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite struct HTTPClientTests {
    let client = CurlHTTPClient()

    @Test func getReturnsStatusHeadersBodyAndTimings() async throws {
        let server = try LocalHTTPServer()
        let response = try await client.send(HTTPRequest(url: server.url("/ok"), headers: [("X-Probe", "healthd")]))
        #expect(response.status == 200)
        #expect(response.text == "ok\n")
        #expect(response.header("x-probe") == "healthd")
        #expect(response.totalSeconds > 0 && response.totalSeconds >= response.firstByteSeconds)
        #expect(response.tlsSeconds == 0)
    }

    @Test func anErrorStatusIsAResponseNotAnError() async throws {
        let server = try LocalHTTPServer()
        let down = try await client.send(HTTPRequest(url: server.url("/down")))
        #expect(down.status == 503)
        #expect(down.text == "maintenance")
        let head = try await client.send(HTTPRequest(url: server.url("/ok"), method: .head))
        #expect(head.status == 200 && head.body.isEmpty)
    }

    @Test func redirectsAreFollowedOnlyWhenAsked() async throws {
        let server = try LocalHTTPServer()
        #expect(try await client.send(HTTPRequest(url: server.url("/moved"))).status == 302)
        let followed = try await client.send(HTTPRequest(url: server.url("/moved"), followRedirects: true))
        #expect(followed.status == 200)
        #expect(followed.text == "ok\n")
    }

    @Test func aLongBodyIsCutAndSaysSo() async throws {
        let server = try LocalHTTPServer()
        let response = try await client.send(HTTPRequest(url: server.url("/big"), maxBodyBytes: 1000))
        #expect(response.body.count == 1000)
        #expect(response.truncated)
    }

    @Test func manyProbesRunAtOnceWithoutBlockingEachOther() async throws {
        let server = try LocalHTTPServer()
        let listener = try SilentListener()
        // A hung service must not hold up the others: its probe times out while the rest answer.
        let client = self.client
        let hung = "http://127.0.0.1:\(listener.port)/"
        let okURL = server.url("/ok")
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                do {
                    _ = try await client.send(HTTPRequest(url: hung, timeout: .seconds(2)))
                    return -1
                } catch let error as TransportError {
                    return error.code == .timeout ? 0 : -2
                }
            }
            for _ in 0..<8 {
                group.addTask { try await client.send(HTTPRequest(url: okURL)).status }
            }
            var statuses: [Int] = []
            for try await status in group { statuses.append(status) }
            #expect(statuses.sorted() == [0] + Array(repeating: 200, count: 8))
        }
    }

    @Test func failuresAreOneActionableLine() async throws {
        let closed = try LoopbackPort.free()
        let refused = try await #require(throws: TransportError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(closed)/health"))
        }
        #expect(refused.code == .connectionFailed)
        #expect(refused.description.contains("127.0.0.1:\(closed)") && refused.description.contains("connection refused"))

        let server = try LocalHTTPServer()
        let tls = try await #require(throws: TransportError.self) {
            try await client.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/ok", timeout: .seconds(5)))
        }
        #expect(tls.code == .tlsFailed)

        for bad in [HTTPRequest(url: "ftp://127.0.0.1/x"), HTTPRequest(url: "http:///nohost"), HTTPRequest(url: "http://a b/"),
                    HTTPRequest(url: server.url("/ok"), headers: [("X-Evil", "a\r\nInjected: yes")]),
                    HTTPRequest(url: "http://probe:s3cret@127.0.0.1:\(server.port)/ok")] {
            let error = try await #require(throws: TransportError.self) { try await client.send(bad) }
            #expect(error.code == .invalidInput)
            #expect(!error.description.contains("\n"))
            #expect(!error.description.contains("s3cret"))
        }
    }
}
