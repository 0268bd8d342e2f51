import Foundation
import GRDB
import Messaging
public import SwitchboardCore
public import SwitchboardBase
public import Transport

/// One step of `mailctl doctor`.
public struct DoctorStep: Sendable, Codable {
    /// The step's name.
    public var name: String
    /// `ok`, `warning` (works, with something to fix), `failed` or `skipped`.
    public var result: String
    /// Seconds it took.
    public var seconds: Double
    /// What was seen, or what is wrong and what to do.
    public var detail: String
}

/// The end-to-end proof that a mailbox works: directory, IMAP login, quota, submission, delivery,
/// DKIM signing, cleanup.
public struct MailDoctor: Sendable {
    /// The database.
    public let database: SwitchboardDatabase
    /// Mail settings (IMAP and submission endpoints, TLS).
    public let settings: MailSettings
    /// The zone times are shown in.
    public let timeZone: String
    /// How long to wait for the test message to arrive.
    public var deliveryTimeout: Double = 10
    /// Times each step and spaces the waits for delivery.
    public let clock: any Clock<Duration>
    /// The mail servers.
    public let transport: any MailTransport
    /// Calendar time, for the password's expiry.
    public let wallClock: any WallClock

    /// A doctor.
    public init(database: SwitchboardDatabase, settings: MailSettings, timeZone: String,
                clock: any Clock<Duration> = ContinuousClock(), wallClock: any WallClock = SystemWallClock(),
                transport: any MailTransport = CurlMailTransport()) {
        self.database = database
        self.settings = settings
        self.timeZone = timeZone
        self.clock = clock
        self.wallClock = wallClock
        self.transport = transport
    }

    /// Runs every step; after a failure the rest are skipped. The password is only ever given to libcurl.
    public func run(address raw: String, password: Secret) async throws -> [DoctorStep] {
        let address = try MailAdministration.normalize(address: raw).key
        var steps: [DoctorStep] = []
        var failed = false
        func step(_ name: String, _ body: () async throws -> String) async {
            guard !failed else {
                steps.append(DoctorStep(name: name, result: "skipped", seconds: 0, detail: "an earlier step failed"))
                return
            }
            var result = "ok"
            var detail = ""
            let seconds = await clock.seconds {
                do { detail = try await body() } catch {
                    result = "failed"
                    failed = true
                    detail = explain(error, address: address)
                }
            }
            steps.append(DoctorStep(name: name, result: result, seconds: seconds, detail: detail))
        }

        await step("directory") { try lint(address) }
        let credentials = MailCredentials(username: address, password: password)
        var imap: (any MailboxReading)?
        await step("imap login") {
            let session = try transport.mailbox(endpoint(settings.imap), credentials: credentials)
            imap = session
            _ = try await session.login()
            return "\(settings.imap.host):\(settings.imap.port) accepted the password"
        }
        await step("quota") {
            guard let usage = try await imap?.quota() else { return "no quota reported" }
            guard let limit = usage.limitKiB, limit > 0 else { return "\(usage.usedKiB / 1024) MB used, no limit" }
            return "\(usage.usedKiB / 1024) of \(limit / 1024) MB used (\(usage.usedKiB * 100 / limit)%)"
        }
        let domain = address.split(separator: "@").last.map(String.init) ?? "switchboard"
        let messageID = MailMessage.makeMessageID(domain: domain)
        // Only messages arriving from now on are searched: a mailbox of 50,000 is not scanned whole.
        let firstNewUID = try? await imap?.nextUID()
        await step("smtp submission") {
            let box = try Mailbox(displayName: "Switchboard", address: address, role: "recipient")
            var message = MailMessage(from: box, to: [box], subject: "Switchboard mail check \(messageID)",
                                      textBody: "This message proves the mailbox works. mailctl doctor deletes it.\r\n")
            message.messageID = messageID
            let smtp = try transport.submission(endpoint(settings.submission), credentials: credentials, heloName: domain)
            let receipt: SMTPReceipt
            do {
                receipt = try await smtp.send(from: address, to: [address], message: try message.render())
            } catch {
                await smtp.close()
                throw error
            }
            await smtp.close()
            return "\(settings.submission.host):\(settings.submission.port) accepted a message to self (\(receipt.responseCode))"
        }
        var uid: Int?
        await step("delivery") {
            guard let imap else { throw MailError(step: "delivery", problem: "no IMAP session") }
            uid = try await imap.waitForMessage(messageID: messageID, mailbox: "INBOX", fromUID: firstNewUID,
                                                timeout: .seconds(deliveryTimeout), clock: clock)
            return "found again over IMAP by its Message-ID"
        }
        await dkimStep(domain: domain, uid: uid, imap: imap, failed: failed, into: &steps)
        await step("cleanup") {
            guard let imap, let uid else { throw MailError(step: "cleanup", problem: "no message to remove") }
            try await imap.delete(uid: uid)
            return "test message removed"
        }
        await imap?.close()
        return steps
    }

    /// Whether the mailbox's domain signs: its key and file (the directory's view), and the test
    /// message as it arrived. Unsigned mail is a warning, not a failure: the mailbox works, but
    /// receivers that check DMARC may file its mail as spam.
    func dkimStep(domain: String, uid: Int?, imap: (any MailboxReading)?, failed: Bool, into steps: inout [DoctorStep]) async {
        guard !failed else {
            steps.append(DoctorStep(name: "dkim", result: "skipped", seconds: 0, detail: "an earlier step failed"))
            return
        }
        var result = "ok"
        var detail = ""
        let seconds = await clock.seconds {
            let status: DKIMSigningStatus
            do {
                status = try database.read { db in
                    let record = try MailAdministration.requireDomain(db, name: domain)
                    return MailAdministration.signingStatus(domain: record, keys: try MailAdministration.keys(db, domainID: record.id),
                                                            settings: settings.dkim)
                }
            } catch {
                result = "warning"
                detail = "cannot read \(domain)'s DKIM keys: \(error)"
                return
            }
            if let problem = status.problems.first {
                result = "warning"
                detail = problem
                return
            }
            guard let key = status.signingKeys.first else {
                detail = status.notes.first ?? "\(domain) does not sign its mail"
                return
            }
            guard let imap, let uid, let message = try? await imap.fetch(uid: uid) else {
                detail = "\(domain) signs with \(key.selector) (the test message could not be read back to see it)"
                return
            }
            let selectors = Self.dkimSelectors(in: message, domain: domain)
            if selectors.isEmpty {
                result = "warning"
                detail = "the test message arrived without a DKIM signature of \(domain), although \(key.selector) is its active key: is the signer (opendkim) running and in Postfix's smtpd_milters? (ops/mail/README.md, DKIM signing)"
            } else {
                detail = "\(domain) signs: the test message carries d=\(domain) s=\(selectors.joined(separator: ", s="))"
            }
        }
        steps.append(DoctorStep(name: "dkim", result: result, seconds: seconds, detail: detail))
    }

    /// The `s=` of each DKIM-Signature header of `message` whose `d=` is `domain`.
    static func dkimSelectors(in message: String, domain: String) -> [String] {
        let head = message.components(separatedBy: "\r\n\r\n").first ?? message
        var fields: [String] = []
        for line in head.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if line.first == " " || line.first == "\t", !fields.isEmpty {
                fields[fields.count - 1] += String(line)
            } else {
                fields.append(String(line))
            }
        }
        var selectors: [String] = []
        for field in fields where field.lowercased().hasPrefix("dkim-signature:") {
            let tags = DomainCheck.tags(String(field.dropFirst("dkim-signature:".count)))
            if tags["d"]?.lowercased() == domain, let selector = tags["s"] { selectors.append(selector) }
        }
        return selectors
    }

    func endpoint(_ endpoint: MailEndpoint) -> MailServer {
        settings.server(endpoint, timeoutSeconds: 10)
    }

    /// What the directory says: a mailbox that cannot work is explained before any server is asked.
    func lint(_ address: String) throws -> String {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT m.status, m.status_changed_at, m.password_expires_at, m.must_change_password, m.quota_bytes,
                       d.name AS domain, d.status AS domain_status, p.login, p.status AS person_status
                FROM mailbox m JOIN mail_domain d ON d.id = m.domain_id LEFT JOIN person p ON p.id = m.person_id
                WHERE m.address = ?
                """, arguments: [address]) else {
                let alias: String? = try String.fetchOne(db, sql: "SELECT group_concat(target, ', ') FROM mail_alias WHERE address = ?", arguments: [address])
                if let alias { throw MailError(step: "directory", problem: "\(address) is an alias, not a mailbox: it delivers to \(alias)") }
                throw MailError(step: "directory", problem: "no mailbox \(address) (see `mailctl account list`)")
            }
            let since = Timestamp.display(row["status_changed_at"], zone: timeZone)
            let status: String = row["status"]
            let domain: String = row["domain"]
            if (row["domain_status"] as String) != "active" {
                throw MailError(step: "directory", problem: "login refused: the domain \(domain) is disabled (`mailctl domain enable \(domain)`)")
            }
            switch status {
            case "login-disabled":
                throw MailError(step: "directory", problem: "login refused: the account is login-disabled since \(since); mail is still delivered (`mailctl account enable \(address)`)")
            case "suspended":
                throw MailError(step: "directory", problem: "login refused and mail bounced: the account is suspended since \(since) (`mailctl account enable \(address)`)")
            case "pending-purge":
                throw MailError(step: "directory", problem: "the account was deleted on \(since) and waits for purge (`mailctl account enable \(address)` undoes it)")
            default: break
            }
            var notes: [String] = []
            if let login: String = row["login"], let personStatus: String = row["person_status"], personStatus != "active" {
                notes.append("warning: its owner \(login) is \(personStatus) in the directory")
            }
            if let expires: String = row["password_expires_at"], expires < Timestamp.format(wallClock.now()) {
                notes.append("warning: the password expired on \(Timestamp.display(expires, zone: timeZone))")
            }
            if (row["must_change_password"] as Bool?) == true { notes.append("the owner must change the password") }
            return (["active mailbox in \(domain)"] + notes).joined(separator: "; ")
        }
    }

    func explain(_ error: any Error, address: String) -> String {
        guard let error = error as? TransportError else { return "\(error)" }
        switch error.code {
        case .authenticationFailed:
            return "login refused: the server does not accept this password for \(address) (the directory says the mailbox is active; reset it with `mailctl account reset-password`)"
        case .connectionFailed, .timeout, .tlsFailed:
            return "\(error.description) (check the server and mail.imap / mail.submission in the config)"
        default:
            return error.description
        }
    }
}
