import Foundation
import SwitchboardBase
import SwitchboardTestSupport
import Testing
import Transport

/// The mail policy of issue 7 on the real Postfix of the mail stack (ops/mailstack/templates):
/// VRFY off, no relay from loopback without a login, sender ownership on every login port.
@Suite struct MailPolicyOnTheStackTests {
    @Test func vrfyIsDisabledAndPort25OffersNoLogin() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        // curl with --mail-rcpt and nothing to upload sends VRFY; -v shows the dialogue on stderr.
        let run = try ProcessRunner.run(
            "/usr/bin/curl",
            ["-sS", "-v", "--max-time", "10", "smtp://\(stack.host):\(stack.smtpPort)/tests.switchboard.test", "--mail-rcpt", domain.address("alice")],
            timeout: 30)
        // curl's -v lines end in CRLF, one Character in Swift: split on any newline.
        let replies = run.stderr.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("< ") }.map { String($0.dropFirst(2)).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(replies.contains { $0.hasPrefix("502 5.5.1 VRFY command is disabled") }, "\(replies)")
        // Enabled, Postfix would answer 252 with the address, confirming the mailbox exists.
        #expect(!replies.contains { $0.hasPrefix("252") }, "\(replies)")
        #expect(!replies.contains { $0.hasPrefix("250-VRFY") || $0 == "250 VRFY" }, "\(replies)")
        // No AUTH on port 25: the only ways to log in are submission and submissions.
        #expect(replies.contains { $0.hasPrefix("250-PIPELINING") }, "no EHLO reply seen: \(run.stderr.prefix(800))")
        #expect(!replies.contains { $0.hasPrefix("250-AUTH") || $0.hasPrefix("250 AUTH") }, "\(replies)")
    }

    @Test func loopbackWithoutLoginDeliversToOurMailboxesButRelaysNowhereElse() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil])
        // The tools' notification path: 127.0.0.1 on the port-25 listener, no login, to our mailbox,
        // from a sender that is itself one of our mailboxes (notification_from may be one).
        let notice = TestMessage(from: domain.address("alice"), to: domain.address("bob"), subject: "notification")
        let relay = try SMTPSession(server: stack.smtp, credentials: nil, heloName: "tests.switchboard.test")
        let receipt = try relay.send(from: domain.address("alice"), to: [domain.address("bob")], message: notice.text)
        relay.close()
        #expect(receipt.responseCode == 250)
        let imap = try domain.imapSession("bob")
        defer { imap.close() }
        #expect(try imap.waitForMessage(messageID: notice.messageID, timeoutSeconds: 10) > 0)

        // The same client, to another domain: refused at RCPT, nothing queued.
        let foreign = "someone@elsewhere.example"
        let open = try SMTPSession(server: stack.smtp, credentials: nil, heloName: "tests.switchboard.test")
        defer { open.close() }
        let error = try #require(throws: TransportError.self) {
            try open.send(from: domain.address("alice"), to: [foreign], message: TestMessage(from: domain.address("alice"), to: foreign).text)
        }
        #expect(error.code == .recipientRejected)
        let reply = try #require(error.serverReply)
        #expect(reply.hasPrefix("554 5.7.1 <\(foreign)>: Relay access denied"), "\(reply)")
    }

    @Test func everyLoginPortRefusesAnotherAccountsAddressAndAcceptsTheOwnOne() throws {
        let stack = try MailStack.current()
        let tls = try stack.tls()
        let domain = try stack.makeDomain(["alice": nil, "bob": nil, "carol": nil])
        let servers = [
            stack.submission,
            MailServer(host: stack.host, port: tls.submissionsPort, security: .implicitTLS, caFile: tls.caFile, timeoutSeconds: 10),
        ]
        let imap = try domain.imapSession("carol")
        defer { imap.close() }
        for server in servers {
            let spoofing = try SMTPSession(server: server, credentials: domain.credentials("alice"), heloName: "tests.switchboard.test")
            let error = try #require(throws: TransportError.self) {
                try spoofing.send(
                    from: domain.address("bob"), to: [domain.address("carol")],
                    message: TestMessage(from: domain.address("bob"), to: domain.address("carol")).text)
            }
            spoofing.close()
            #expect(error.code == .senderRejected, "\(server.endpoint): \(error)")
            let reply = try #require(error.serverReply)
            #expect(
                reply.hasPrefix("553 5.7.1 <\(domain.address("bob"))>: Sender address rejected: not owned by user \(domain.address("alice"))"),
                "\(server.endpoint): \(reply)")

            let message = TestMessage(from: domain.address("alice"), to: domain.address("carol"))
            let own = try SMTPSession(server: server, credentials: domain.credentials("alice"), heloName: "tests.switchboard.test")
            let receipt = try own.send(from: domain.address("alice"), to: [domain.address("carol")], message: message.text)
            own.close()
            #expect(receipt.responseCode == 250, "\(server.endpoint)")
            #expect(try imap.waitForMessage(messageID: message.messageID, timeoutSeconds: 10) > 0)
        }
        // Only the two messages sent as alice arrived.
        #expect(try imap.messageCount() == 2)
    }
}

extension MailPolicyOnTheStackTests {
    /// The stack's folder (DIR, holding dovecot.conf, log/ and run/).
    static func folder(_ stack: MailStack) -> String { (stack.dovecotConfig as NSString).deletingLastPathComponent }

    @Test func postscreenAnswersPort25AndPassesLoopbackToSMTPD() throws {
        let stack = try MailStack.current()
        let log = Self.folder(stack) + "/log/postfix.log"
        let marker = "to [\(stack.host)]:\(stack.smtpPort)"
        func postscreenConnects() throws -> Int {
            try String(contentsOfFile: log, encoding: .utf8).split(whereSeparator: \.isNewline)
                .filter { $0.contains("/postscreen[") && $0.contains("CONNECT from [\(stack.host)]") && $0.contains(marker) }.count
        }
        let before = try postscreenConnects()
        let domain = try stack.makeDomain(["alice": nil])
        let relay = try SMTPSession(server: stack.smtp, credentials: nil, heloName: "tests.switchboard.test")
        defer { relay.close() }
        let message = TestMessage(from: "sender@elsewhere.example", to: domain.address("alice"))
        #expect(try relay.send(from: "sender@elsewhere.example", to: [domain.address("alice")], message: message.text).responseCode == 250)
        // postlogd writes asynchronously: give it a moment.
        var after = try postscreenConnects()
        for _ in 0..<50 where after == before {
            Thread.sleep(forTimeInterval: 0.1)
            after = try postscreenConnects()
        }
        #expect(after > before, "no postscreen CONNECT line for port \(stack.smtpPort) in \(log)")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("/postscreen[") && text.contains("ALLOWLISTED [\(stack.host)]"), "loopback was not allow-listed by postscreen in \(log)")
    }

    @Test func dovecotLooksUpPasswordsAsItsUnprivilegedUser() throws {
        let stack = try MailStack.current()
        let domain = try stack.makeDomain(["alice": nil])
        let imap = try domain.imapSession("alice")
        _ = try imap.login()
        imap.close()
        let pidFile = Self.folder(stack) + "/run/dovecot/master.pid"
        let master = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = try ProcessRunner.runChecked("/usr/bin/ps", ["--ppid", master, "-o", "user=,supgrp=,args="])
        let workers = children.split(whereSeparator: \.isNewline).filter { $0.hasSuffix("/auth -w") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        // The login above needed a worker (the SQL passdb); it is still there, idle.
        #expect(!workers.isEmpty, "no auth worker under Dovecot's master \(master): \(children)")
        for worker in workers {
            #expect(worker.first == "dovecot", "auth worker runs as \(worker)")
            #expect(worker.count > 1 && worker[1].split(separator: ",").contains("postfix"), "auth worker's groups: \(worker)")
        }
    }
}

/// The production configuration in ops/mail parses with the installed Postfix and Dovecot and
/// carries the policy of issue 7. Needs only the packages (`make test` installs them through
/// ops/mailstack/start), no running server.
@Suite struct ProductionMailConfigTests {
    static let postconf = "/usr/sbin/postconf"
    static let postmap = "/usr/sbin/postmap"
    static let doveconf = "/usr/bin/doveconf"

    /// A copy of ops/mail/postfix whose /etc/postfix/ paths name the copy, so postconf also reads
    /// (and checks) the sqlite maps and postmap the postscreen list shipped beside main.cf.
    static func postfixCopy() throws -> String {
        for tool in [postconf, postmap] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestSetupError("\(tool) is missing: install Postfix (`make test` does, through ops/mailstack/start)")
        }
        let folder = try ScratchFolder.make("switchboard-postfix-config")
        let source = Repository.path("ops/mail/postfix")
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            let text = try String(contentsOfFile: source + "/" + name, encoding: .utf8)
            try text.replacingOccurrences(of: "/etc/postfix/", with: folder + "/")
                .write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// `postconf -c DIR ARGS`, which must succeed without a single warning (an unknown or
    /// misspelt parameter in main.cf, master.cf or a map is a warning).
    static func postconf(_ folder: String, _ arguments: [String]) throws -> String {
        let run = try ProcessRunner.run(postconf, ["-c", folder] + arguments)
        #expect(run.status == 0 && run.stderr.isEmpty, "postconf \(arguments): exit \(run.status): \(run.stderr)")
        return run.stdout
    }

    /// Removes a scratch folder, failing the test when it cannot.
    static func remove(_ folder: String) {
        if let problem = ScratchFolder.remove(folder) { Issue.record("\(problem)") }
    }

    /// `name = value` lines as a dictionary.
    static func settings(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.range(of: " = ") else { continue }
            values[String(line[..<equals.lowerBound])] = String(line[equals.upperBound...])
        }
        return values
    }

    @Test func postfixMainCarriesTheLimitsAndRefusesVRFYAndRelay() throws {
        let folder = try Self.postfixCopy()
        defer { Self.remove(folder) }
        let main = Self.settings(try Self.postconf(folder, ["-n"]))

        #expect(main["disable_vrfy_command"] == "yes")
        for limit in [
            "smtpd_client_connection_count_limit", "smtpd_client_connection_rate_limit", "smtpd_client_message_rate_limit",
            "smtpd_client_recipient_rate_limit", "smtpd_client_auth_rate_limit",
        ] {
            let value = main[limit].flatMap { Int($0) }
            #expect(value.map { $0 > 0 } == true, "\(limit) = \(main[limit] ?? "(not set)")")
        }
        #expect(main["smtpd_hard_error_limit"].flatMap { Int($0) }.map { $0 > 0 && $0 <= 20 } == true)
        #expect(main["anvil_rate_time_unit"] == "60s")

        // Port 25 relays for nobody: no permit_mynetworks (every local user can reach 127.0.0.1:25).
        let relay = try #require(main["smtpd_relay_restrictions"])
        #expect(relay == "reject_unauth_destination", "\(relay)")
        #expect(main["smtpd_sasl_auth_enable"] == "no")
        #expect(main["smtpd_sender_restrictions"]?.contains("reject_authenticated_sender_login_mismatch") == true)
        #expect(main["smtpd_sender_login_maps"] == "sqlite:\(folder)/sqlite-sender-logins.cf")
        // Nor through sendmail(1), which skips smtpd's restrictions.
        #expect(main["authorized_submit_users"] == "root")

        #expect(main["smtp_dns_support_level"] == "dnssec")
        #expect(main["smtp_tls_security_level"] == "dane")
    }

    @Test func postscreenGuardsPort25WithTheShippedAllowList() throws {
        let folder = try Self.postfixCopy()
        defer { Self.remove(folder) }
        let services = try Self.postconf(folder, ["-M"]).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        func service(_ name: String, _ type: String) -> [String]? { services.first { $0.count >= 8 && $0[0] == name && $0[1] == type } }
        #expect(service("smtp", "inet")?[7] == "postscreen", "\(services)")
        #expect(service("smtpd", "pass")?[7] == "smtpd", "\(services)")
        #expect(service("tlsproxy", "unix")?[7] == "tlsproxy")
        #expect(service("dnsblog", "unix")?[7] == "dnsblog")

        let main = Self.settings(try Self.postconf(folder, ["-n"]))
        let list = try #require(main["postscreen_access_list"])
        #expect(list == "permit_mynetworks, cidr:\(folder)/postscreen_access.cidr", "\(list)")
        #expect(main["postscreen_greet_action"] == "enforce")
        // The example file parses and answers as its comments say.
        let table = "cidr:\(folder)/postscreen_access.cidr"
        #expect(try ProcessRunner.runChecked(Self.postmap, ["-c", folder, "-q", "192.0.2.25", table]) == "permit\n")
        #expect(try ProcessRunner.runChecked(Self.postmap, ["-c", folder, "-q", "198.51.100.66", table]) == "reject\n")
        let unlisted = try ProcessRunner.run(Self.postmap, ["-c", folder, "-q", "203.0.113.9", table])
        #expect(unlisted.status == 1 && unlisted.stdout.isEmpty, "\(unlisted)")
    }

    @Test func everyServiceWithALoginChecksTheSenderAgainstTheLogin() throws {
        let folder = try Self.postfixCopy()
        defer { Self.remove(folder) }
        let overrides = Self.settings(try Self.postconf(folder, ["-P"]))
        let suffix = "/smtpd_sasl_auth_enable"
        var withLogin: [String] = []
        for (key, value) in overrides where key.hasSuffix(suffix) && value == "yes" {
            withLogin.append(String(key.dropLast(suffix.count)))
        }
        withLogin.sort()
        #expect(withLogin == ["submission/inet", "submissions/inet"])
        for service in withLogin {
            #expect(overrides["\(service)/smtpd_sender_restrictions"] == "reject_sender_login_mismatch", "\(service)")
            #expect(overrides["\(service)/smtpd_relay_restrictions"] == "permit_sasl_authenticated,reject", "\(service)")
            #expect(overrides["\(service)/smtpd_client_restrictions"] == "permit_sasl_authenticated,reject", "\(service)")
            #expect(overrides["\(service)/smtpd_tls_auth_only"] == "yes", "\(service)")
        }
        #expect(overrides["submission/inet/smtpd_tls_security_level"] == "encrypt")
        #expect(overrides["submissions/inet/smtpd_tls_wrappermode"] == "yes")
    }

    @Test func everySettingASiteMustChangeIsListedInTheReadme() throws {
        let readme = try String(contentsOfFile: Repository.path("ops/mail/README.md"), encoding: .utf8)
        let table = try #require(readme.range(of: "### Placeholders").map { readme[$0.upperBound...] })
        var named: [String] = []
        for file in ["ops/mail/postfix/main.cf", "ops/mail/dovecot/dovecot.conf"] {
            let lines = try String(contentsOfFile: Repository.path(file), encoding: .utf8).split(whereSeparator: \.isNewline)
            // A "SITE:" comment names the setting that follows it (commented out when optional).
            for (index, line) in lines.enumerated() where line.contains("SITE:") && !line.contains("\"SITE:\"") {
                let setting = lines[(index + 1)...].lazy.map { $0.drop { $0 == "#" } }
                    .first { $0.range(of: #"^[a-z_]+ = "#, options: .regularExpression) != nil }
                let name = try #require(setting.map { String($0.prefix { $0 != " " }) }, "\(file): nothing follows \(line)")
                named.append(name)
                let listed = table.contains("`\(name)`")
                #expect(listed, "\(file): \(name) is marked SITE: but not in the README's placeholder table")
            }
        }
        #expect(named.count >= 8, "\(named)")
    }

    @Test func dovecotParsesAndRunsItsAuthWorkerUnprivileged() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.doveconf) else {
            throw TestSetupError("\(Self.doveconf) is missing: install Dovecot (`make test` does, through ops/mailstack/start)")
        }
        let folder = try ScratchFolder.make("switchboard-dovecot-config")
        defer { Self.remove(folder) }
        // doveconf reads the certificate and key files named with '<': give it a throwaway pair at
        // the same places in the copy (the production paths do not exist on a test machine).
        try ProcessRunner.runChecked("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=mail.ministry.example", "-keyout", folder + "/mail.key", "-out", folder + "/mail.crt",
        ])
        let source = Repository.path("ops/mail/dovecot")
        let original = try String(contentsOfFile: source + "/dovecot.conf", encoding: .utf8)
        let certificate = "ssl_cert = </etc/ssl/switchboard/mail.crt", key = "ssl_key = </etc/ssl/private/switchboard-mail.key"
        #expect(original.contains(certificate) && original.contains(key))
        try original.replacingOccurrences(of: certificate, with: "ssl_cert = <\(folder)/mail.crt")
            .replacingOccurrences(of: key, with: "ssl_key = <\(folder)/mail.key")
            .write(toFile: folder + "/dovecot.conf", atomically: true, encoding: .utf8)

        let run = try ProcessRunner.run(Self.doveconf, ["-c", folder + "/dovecot.conf", "-n"])
        #expect(run.status == 0 && run.stderr.isEmpty, "doveconf: exit \(run.status): \(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let start = try #require(lines.firstIndex(of: "service auth-worker {"), "no auth-worker service in \(run.stdout.prefix(400))")
        let block = lines[start...].prefix { $0 != "}" }
        // Dovecot 2.3 runs it as root when user is empty; the SQLite database is reached through group
        // switchboard, given to this service only (Dovecot does not load a user's supplementary groups).
        #expect(block.contains("user = $default_internal_user"), "\(block)")
        #expect(block.contains("extra_groups = switchboard"), "\(block)")
        // Named settings print with their values, defaults included (-n shows only changes).
        let named = try ProcessRunner.runChecked(
            Self.doveconf, ["-c", folder + "/dovecot.conf", "ssl", "disable_plaintext_auth", "auth_failure_delay", "auth_cache_size"])
        let settings = Self.settings(named)
        #expect(settings["ssl"] == "required")
        #expect(settings["auth_cache_size"] == "0")
        #expect(settings["disable_plaintext_auth"] == "yes")
        #expect(settings["auth_failure_delay"] == "2 secs")
    }
}
