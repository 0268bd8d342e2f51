import SwitchboardCore
import SwitchboardBase
import Testing
import Transport
import SwitchboardTestSupport

/// Failures before or at the connection: refused input, nothing listening, a silent server.
@Suite struct ConnectionAndInputTests {
    static let smuggling: [(from: String, to: String)] = [
        ("alice@example.test", "bob@example.test\r\nRCPT TO:<eve@example.test>"),
        ("alice@example.test", "bob@example.test\n"),
        ("alice@example.test\r\nRCPT TO:<eve@example.test>", "bob@example.test"),
        ("alice@example.test", "bob@example.test\0eve"),
    ]

    @Test(arguments: smuggling)
    func lineBreaksInAddressesAreRefusedBeforeAnyConnection(from: String, to: String) throws {
        // Nothing listens there: a connection attempt would fail with .connectionFailed.
        let server = MailServer(host: "127.0.0.1", port: try LoopbackPort.free(), security: .plain)
        let smtp = try SMTPSession(server: server, credentials: nil, heloName: "tests.switchboard.test")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(from: from, to: [to], message: "Subject: x\r\n\r\nx\r\n")
        }
        #expect(error.code == .invalidInput)
        #expect(smtp.connectionsOpened == 0)
    }

    @Test func aBareLineFeedInTheMessageIsRefused() throws {
        let server = MailServer(host: "127.0.0.1", port: try LoopbackPort.free(), security: .plain)
        let smtp = try SMTPSession(server: server, credentials: nil, heloName: "tests.switchboard.test")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(from: "a@example.test", to: ["b@example.test"], message: "Subject: x\r\n\r\nline one\n.line two\r\n")
        }
        #expect(error.code == .invalidInput)
        #expect(error.description.contains("line 3"))
    }

    @Test func nothingListeningIsConnectionFailedNamingHostAndPort() throws {
        let port = try LoopbackPort.free()
        let server = MailServer(host: "127.0.0.1", port: port, security: .plain)
        let smtp = try SMTPSession(server: server, credentials: nil, heloName: "tests.switchboard.test")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(from: "a@example.test", to: ["b@example.test"], message: "Subject: x\r\n\r\nx\r\n")
        }
        #expect(error.code == .connectionFailed)
        #expect(error.description == "cannot connect to 127.0.0.1:\(port): connection refused — is the mail server running?")

        let imap = try IMAPSession(server: server, credentials: MailCredentials(username: "a@example.test", password: Secret("pw")))
        let imapError = try #require(throws: TransportError.self) { try imap.login() }
        #expect(imapError.code == .connectionFailed)
        #expect(imapError.description.contains("127.0.0.1:\(port)"))
    }

    @Test func aServerThatNeverGreetsTimesOut() throws {
        let listener = try SilentListener()
        let server = MailServer(host: "127.0.0.1", port: listener.port, security: .plain, timeoutSeconds: 1)
        let clock = ContinuousClock()
        let start = clock.now
        let smtp = try SMTPSession(server: server, credentials: nil, heloName: "tests.switchboard.test")
        let error = try #require(throws: TransportError.self) {
            try smtp.send(from: "a@example.test", to: ["b@example.test"], message: "Subject: x\r\n\r\nx\r\n")
        }
        #expect(error.code == .timeout)
        #expect(error.description.contains("127.0.0.1:\(listener.port)"))
        let imap = try IMAPSession(server: server, credentials: MailCredentials(username: "a@example.test", password: Secret("pw")))
        let imapError = try #require(throws: TransportError.self) { try imap.login() }
        #expect(imapError.code == .timeout)
        #expect(start.duration(to: clock.now) < .seconds(5))
    }

    @Test func aClosedSessionRefusesFurtherWork() throws {
        let server = MailServer(host: "127.0.0.1", port: try LoopbackPort.free(), security: .plain)
        let smtp = try SMTPSession(server: server, credentials: nil, heloName: "tests.switchboard.test")
        smtp.close()
        let error = try #require(throws: TransportError.self) {
            try smtp.send(from: "a@example.test", to: ["b@example.test"], message: "Subject: x\r\n\r\nx\r\n")
        }
        #expect(error.code == .invalidInput)
        #expect(error.description.contains("closed"))
    }

    @Test(arguments: ["", "mail example org", "host/path", "user@host"])
    func aBadHostIsRefused(host: String) {
        let server = MailServer(host: host, port: 587, security: .startTLS)
        #expect(throws: TransportError.self) { try SMTPSession(server: server, credentials: nil, heloName: "x.test") }
    }
}
