import SwitchboardCore
import SwitchboardBase
import Testing

@testable import Transport

/// The parsers behind the sessions, fed with what Dovecot, Postfix and libcurl really produce.
@Suite struct ParsingTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func untaggedSearchQuotaAndStatusLines() {
        let search = IMAPResponse(body: bytes("* SEARCH 3 7 12\r\n* 2 EXISTS\r\n"), headers: [])
        #expect(search.searchUIDs == [3, 7, 12])
        #expect(IMAPResponse(body: bytes("* SEARCH\r\n"), headers: []).searchUIDs.isEmpty)

        let quota = IMAPResponse(body: bytes("* QUOTAROOT INBOX \"User quota\"\r\n* QUOTA \"User quota\" (STORAGE 17 1024)\r\n"), headers: [])
        #expect(quota.storageQuota == QuotaUsage(usedKiB: 17, limitKiB: 1024))
        let messagesFirst = IMAPResponse(body: bytes("* QUOTA \"\" (MESSAGE 4 100 STORAGE 9 2048)\r\n"), headers: [])
        #expect(messagesFirst.storageQuota == QuotaUsage(usedKiB: 9, limitKiB: 2048))
        #expect(IMAPResponse(body: [], headers: bytes("A003 OK No quota\r\n")).storageQuota == nil)

        #expect(IMAPResponse(body: bytes("* STATUS INBOX (MESSAGES 42)\r\n"), headers: []).statusMessages == 42)
        #expect(IMAPResponse(body: bytes("* STATUS \"Sent Items\" (UIDNEXT 5 MESSAGES 3)\r\n"), headers: []).statusMessages == 3)
    }

    @Test func failedCompletionAndCapabilitiesComeFromTheHeaderStream() {
        let headers = bytes(
            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.\r\nA001 OK Pre-login capabilities listed\r\n"
                + "A002 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
        let response = IMAPResponse(body: [], headers: headers)
        #expect(response.failedCompletion == "NO [AUTHENTICATIONFAILED] Authentication failed.")
        #expect(response.capabilities == ["IMAP4REV1", "AUTH=PLAIN"])
        let later = IMAPResponse(body: [], headers: bytes("* CAPABILITY IMAP4rev1 UIDPLUS QUOTA\r\nA002 OK Logged in\r\n"))
        #expect(later.capabilities?.contains("UIDPLUS") == true)
        #expect(later.failedCompletion == nil)
    }

    @Test func fetchedLiteralIsTakenByItsAnnouncedSize() {
        let message = "Subject: x\r\n\r\n* 1 EXISTS\r\nbody\r\n"
        let complete = "A003 OK [READ-WRITE] Select completed.\r\n* 1 FETCH (UID 7 BODY[] {\(message.utf8.count)}\r\n\(message))\r\nA004 OK Fetch completed.\r\n"
        #expect(IMAPResponse(body: [], headers: bytes(complete)).fetchedBody == .complete(bytes(message)))

        // What libcurl leaves when a message line starts with the command's tag.
        let cut = "* 1 FETCH (UID 7 BODY[] {40}\r\nSubject: x\r\n\r\nA004 OK fake\r\n"
        #expect(IMAPResponse(body: [], headers: bytes(cut)).fetchedBody == .truncated)
        // The whole literal arrived but the closing ")" did not: still out of step.
        let unclosed = "* 1 FETCH (UID 7 BODY[] {14}\r\nA004 OK fake\r\n"
        #expect(IMAPResponse(body: [], headers: bytes(unclosed)).fetchedBody == .truncated)
        #expect(IMAPResponse(body: [], headers: bytes("A004 OK Fetch completed.\r\n")).fetchedBody == .absent)
    }

    @Test func smtpRepliesPairWithTheirCommandsAndTheAuthLineIsNeverKept() {
        let exchange = CurlExchange(verbs: ["EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"], keepsArguments: ["MAIL", "RCPT"])
        func receive(_ text: String) { bytes(text).withUnsafeBytes { exchange.recordReceived($0) } }
        func send(_ text: String) { bytes(text).withUnsafeBytes { exchange.recordSent($0) } }
        receive("220 mx ESMTP\r\n")
        send("EHLO client\r\n")
        receive("250-mx\r\n")
        receive("250 AUTH PLAIN LOGIN\r\n")
        send("AUTH LOGIN\r\n")
        receive("334 VXNlcm5hbWU6\r\n")
        send("YWxpY2VAZXhhbXBsZS50ZXN0\r\n")
        receive("334 UGFzc3dvcmQ6\r\n")
        send("c2VjcmV0LXBhc3N3b3Jk\r\n")
        receive("235 2.7.0 Authentication successful\r\n")
        send("MAIL FROM:<alice@example.test> SIZE=120\r\n")
        receive("250 2.1.0 Ok\r\n")
        send("RCPT TO:<ghost@example.test>\r\n")
        receive("550 5.1.1 <ghost@example.test>: Recipient address rejected: User unknown\r\n")
        send("RCPT TO:<bob@example.test>\r\n")
        receive("250 2.1.5 Ok\r\n")
        send("DATA\r\n")
        receive("354 End data with <CR><LF>.<CR><LF>\r\n")
        receive("250 2.0.0 Ok: queued as ABC123\r\n")

        #expect(!exchange.events.contains(.sent("c2VjcmV0LXBhc3N3b3Jk")))
        #expect(!exchange.events.contains(.sent("YWxpY2VAZXhhbXBsZS50ZXN0")))
        let transcript = SMTPTranscript(events: exchange.events)
        #expect(transcript.steps.map(\.command) == [
            "CONNECT", "EHLO", "AUTH", "(hidden)", "(hidden)", "MAIL FROM:<alice@example.test> SIZE=120",
            "RCPT TO:<ghost@example.test>", "RCPT TO:<bob@example.test>", "DATA", ".",
        ])
        #expect(transcript.steps[1].reply.lines == ["250-mx", "250 AUTH PLAIN LOGIN"])
        #expect(transcript.finalReply?.text == "250 2.0.0 Ok: queued as ABC123")
        #expect(transcript.rejectedRecipients == [
            SMTPRejectedRecipient(address: "ghost@example.test", serverReply: "550 5.1.1 <ghost@example.test>: Recipient address rejected: User unknown")
        ])
    }

    @Test func messagesMustUseCRLF() throws {
        try MailInput.checkMessage(bytes("a\r\nb\r\n"), endpoint: "h:1")
        for bad in ["a\r\nb\n", "a\rb\r\n", "a\r\nb\r", "\nb\r\n", "a\0\r\n", ""] {
            #expect(throws: TransportError.self) { try MailInput.checkMessage(bytes(bad), endpoint: "h:1") }
        }
    }

    @Test func urlsPercentEncodeThePathAndNeverCarryCredentials() {
        let server = MailServer(host: "::1", port: 993, security: .implicitTLS)
        #expect(MailInput.url(for: server, plainScheme: "imap", tlsScheme: "imaps", path: "Sent Items;UID=1") == "imaps://[::1]:993/Sent%20Items%3BUID%3D1")
        #expect(MailInput.imapQuoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
    }

    @Test func thePasswordIsMaskedWhereverItShowsUp() {
        let error = TransportError(code: .protocolError, description: "server said: BAD LOGIN alice hunter22", serverReply: "BAD LOGIN alice hunter22")
        let masked = error.redacting(Secret("hunter22"))
        #expect(masked.description == "server said: BAD LOGIN alice [redacted]")
        #expect(masked.serverReply == "BAD LOGIN alice [redacted]")
    }
}
