import Foundation
import SwitchboardBase
import Transport

extension CurlServiceProber {
    /// `mail-roundtrip`: log in over IMAP (`imap_target`) and note the next UID, submit a message
    /// to the account itself over SMTP (`target`, the account's login), wait until it is in the
    /// INBOX, then delete it (STORE \Deleted + EXPUNGE); all within the service's timeout.
    ///
    /// Phases, in seconds from the start of the submission: `submit` (the server took it) and
    /// `visible` (IMAP finds it). The message carries a unique token in its Subject and
    /// Message-ID; it is found by its Message-ID. One that arrives after the timeout is deleted
    /// by the next probe of the service.
    func roundTrip(_ service: ServiceDefinition) async -> ProbeObservation {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: service.timeout)
        func fail(_ line: String) -> ProbeObservation {
            ProbeObservation(failure: line, durationSeconds: start.duration(to: clock.now).inSeconds, summary: line)
        }
        guard let account = service.account else {
            return fail("mail round trip \(service.name) has no account: give account {login, password_file} in the configuration")
        }
        guard var submission = ProbeTarget.mailServer(service.target, protocol: "smtp", caFile: service.caFile, timeout: service.timeout) else {
            return Self.badTarget(service)
        }
        guard let imapTarget = service.imapTarget,
              var imapServer = ProbeTarget.mailServer(imapTarget, protocol: "imap", caFile: service.caFile, timeout: service.timeout) else {
            let line = "imap_target \(Quoting.quoted(service.imapTarget ?? "")) of \(service.name) is not \(ProbeTarget.expected(for: .imap)): fix it in the configuration"
            return fail(line)
        }
        let password: Secret
        switch Self.password(of: account) {
        case .success(let secret): password = secret
        case .failure(let problem): return fail(problem.description)
        }
        let credentials = MailCredentials(username: account.login, password: password)
        /// Whole seconds left (libcurl's per-operation timeout), at least 1.
        func secondsLeft() -> Int {
            max(1, Int(clock.now.duration(to: deadline).inSeconds.rounded(.up)))
        }

        let token = UUID().uuidString.lowercased()
        let domain = account.login.split(separator: "@").last.map(String.init) ?? "healthd.invalid"
        let messageID = "healthd.\(token)@\(domain)"
        var phases: [String: Double] = [:]
        var submitted: ContinuousClock.Instant?
        imapServer.timeoutSeconds = secondsLeft()
        let mailbox: IMAPConnection
        do {
            mailbox = try IMAPConnection(server: imapServer, credentials: credentials)
        } catch {
            return fail("mail round trip of \(account.login): \(Self.line(error, password: password))")
        }
        do {
            let fromUID = try await mailbox.nextUID(mailbox: "INBOX")
            await deleteLeftovers(of: service.name, in: mailbox)

            submitted = clock.now
            submission.timeoutSeconds = secondsLeft()
            let smtp = try SMTPConnection(server: submission, credentials: credentials, heloName: heloName)
            let message = Self.message(from: account.login, token: token, messageID: messageID)
            do {
                _ = try await smtp.send(from: account.login, to: [account.login], message: message)
            } catch {
                await smtp.close()
                throw error
            }
            await smtp.close()
            let afterSubmit = submitted.map { $0.duration(to: clock.now).inSeconds } ?? 0
            phases["submit"] = afterSubmit

            let left = clock.now.duration(to: deadline)
            guard left > .zero else {
                leftovers.add(messageID, for: service.name)
                await mailbox.close()
                return fail("mail round trip of \(account.login): the submission alone took \(Self.format(afterSubmit)), more than the timeout")
            }
            let uid: Int
            do {
                uid = try await mailbox.waitForMessage(messageID: messageID, mailbox: "INBOX", fromUID: fromUID, timeout: left, clock: clock)
            } catch {
                leftovers.add(messageID, for: service.name)
                throw error
            }
            let visible = submitted.map { $0.duration(to: clock.now).inSeconds } ?? 0
            phases["visible"] = visible
            try await mailbox.delete(uid: uid, mailbox: "INBOX")
            await mailbox.close()
            let total = start.duration(to: clock.now).inSeconds
            phases["total"] = total
            return ProbeObservation(
                durationSeconds: total, phases: phases,
                summary: "submitted in \(Self.format(afterSubmit)), visible over IMAP after \(Self.format(visible))")
        } catch {
            await mailbox.close()
            let reason = error is CancellationError ? "the probe was cancelled" : Self.line(error, password: password)
            var observation = fail("mail round trip of \(account.login): \(reason)")
            observation.phases = phases
            return observation
        }
    }

    /// Deletes the messages of earlier probes that arrived after their timeout.
    private func deleteLeftovers(of service: String, in mailbox: IMAPConnection) async {
        var kept: [String] = []
        for messageID in leftovers.take(for: service) {
            do {
                let uids = try await mailbox.search(messageID: messageID, mailbox: "INBOX", fromUID: nil)
                if uids.isEmpty { kept.append(messageID) }
                for uid in uids { try await mailbox.delete(uid: uid, mailbox: "INBOX") }
            } catch {
                kept.append(messageID)
            }
        }
        for messageID in kept { leftovers.add(messageID, for: service) }
    }

    /// The probe message: CRLF lines, the token in Subject and Message-ID.
    static func message(from address: String, token: String, messageID: String) -> String {
        let date = DateFormatter()
        date.locale = Locale(identifier: "en_US_POSIX")
        date.timeZone = TimeZone(identifier: "UTC")
        date.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return [
            "From: healthd <\(address)>",
            "To: <\(address)>",
            "Subject: healthd round trip \(token)",
            "Date: \(date.string(from: Date()))",
            "Message-ID: <\(messageID)>",
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            "healthd sent this message to itself to check that mail is delivered; it deletes it once seen.",
            "",
        ].joined(separator: "\r\n")
    }

    /// A Transport error's one line (the password masked, should a server echo it).
    static func line(_ error: any Error, password: Secret) -> String {
        let text = (error as? TransportError)?.description ?? String(describing: error)
        guard password.exposedValue.count >= 4 else { return text }
        return text.replacingOccurrences(of: password.exposedValue, with: "[redacted]")
    }

    /// `0.08 s`.
    static func format(_ seconds: Double) -> String {
        String(format: "%.2f s", seconds)
    }
}
