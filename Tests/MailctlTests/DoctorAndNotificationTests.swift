import Foundation
import MailTestSupport
import SwitchboardTestSupport
import MailAdmin
import Messaging
import SwitchboardBase
import SwitchboardCore
import Testing
import Transport

@Suite struct DoctorTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    @Test func passesOnAGoodMailboxAndCleansUp() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("quang")
        let run = try mail.mailctl(["doctor", address, "--password-stdin", "--json"], stdin: Self.password + "\n")
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let steps = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(steps.map { $0["name"] as? String } == ["directory", "imap login", "quota", "smtp submission", "delivery", "dkim", "cleanup"])
        #expect(steps.allSatisfy { $0["result"] as? String == "ok" }, "\(run.stdout)")
        // The domain signs: the test message arrived with its signature.
        let dkim = try #require(steps.first { $0["name"] as? String == "dkim" }?["detail"] as? String)
        #expect(dkim.contains("d=\(mail.domain) s=sb-"), "\(dkim)")
        // The test message was removed again.
        let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: address, password: Secret(Self.password)))
        defer { session.close() }
        #expect(try session.messageCount() == 0)
        #expect(!run.stdout.contains(Self.password) && !run.stderr.contains(Self.password))
    }

    @Test func searchesOnlyWhatArrivesAfterTheCheckStarts() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("tam")
        var old: [String] = []
        for _ in 0..<5 { old.append(try mail.deliver(to: [address])) }
        #expect(try mail.delivered(old[4], to: address))
        let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: address, password: Secret(Self.password)))
        defer { session.close() }
        let next = try session.nextUID()
        let uids = try old.map { try #require(try session.search(messageID: $0).first) }
        #expect(uids.allSatisfy { $0 < next })
        #expect(try session.search(messageID: old[4], fromUID: next).isEmpty)
        let run = try mail.mailctl(["doctor", address, "--password-stdin", "--json"], stdin: Self.password + "\n")
        #expect(run.status == 0, "\(run.stdout)")
        // The five old messages are exactly as they were: same UIDs, still unread (never fetched), none removed
        // in place of the doctor's own message, which is gone.
        #expect(try session.messageCount() == 5)
        #expect(try old.map { try session.search(messageID: $0) } == uids.map { [$0] })
        for uid in uids {
            let flags = try mail.doveadm(["fetch", "-u", address, "flags", "mailbox", "INBOX", "uid", String(uid)])
            #expect(!flags.contains("\\Seen") && !flags.contains("\\Deleted"), "message \(uid) was touched: \(flags)")
        }
        let onDisk = try mail.messagesOnDisk(home: try mail.home(of: address))
        #expect(onDisk.count == 5)
        #expect(!onDisk.contains { $0.contains("Switchboard mail check") }, "the doctor's test message was left behind")
        // Its message arrived after the old ones: the UID it had was at least the one noted before the run.
        #expect(try session.nextUID() > next)
    }

    @Test func namesTheStepThatFailsAndWhy() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("sang")
        try mail.expectOK("account", "disable-login", address)
        let disabled = try mail.mailctl(["doctor", address, "--password-stdin"], stdin: Self.password + "\n")
        #expect(disabled.status == 1)
        #expect(disabled.stdout.contains("directory") && disabled.stdout.contains("failed"))
        #expect(disabled.stdout.contains("login refused: the account is login-disabled since"))
        #expect(disabled.stdout.contains("skipped"))
        try mail.expectOK("account", "enable", address)
        let wrong = try mail.mailctl(["doctor", address, "--password-stdin"], stdin: "not-the-password-1\n")
        #expect(wrong.status == 1)
        let failedLine = try #require(wrong.stdout.split(separator: "\n").first { $0.contains("failed") })
        #expect(failedLine.hasPrefix("imap login"))
        #expect(failedLine.contains("does not accept this password"))
    }
}

@Suite struct NotificationTests {
    static let password = "Gi0-mua-thu-Ha-Noi"

    @Test func aWelcomeMailArrivesWithItsVietnameseSubject() throws {
        let mail = try MailWorkspace()
        let login = "thu.\(mail.domain.prefix(9))"
        #expect(try mail.dirctl("person", "add", login, "--name", "Nguyễn Thị Thu Hà", "--language", "vi").status == 0)
        let address = mail.address("thu.ha")
        let password = "Sen-no-trong-dam-2026"
        let run = try mail.expectOK("account", "create", address, "--person", login, "--password-stdin", "--send-welcome", stdin: password + "\n")
        #expect(run.stdout.contains("Sent the welcome mail"))
        let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: address, password: Secret(password)))
        defer { session.close() }
        let messageID = try #require(run.stdout.split(separator: "(").last.map { String($0.dropLast(2)) })
        let uid = try session.waitForMessage(messageID: messageID, timeoutSeconds: 10)
        let raw = try session.fetch(uid: uid)
        let subjectLine = try #require(Self.header("Subject", in: raw))
        #expect(subjectLine.contains("=?UTF-8?"), "a Vietnamese subject travels RFC 2047-encoded")
        #expect(EncodedWord.decode(subjectLine) == "Hộp thư mới của bạn: \(address)")
        #expect(!raw.contains(password))
    }

    @Test func aHeaderInjectionIsRefusedBeforeAnythingIsSent() throws {
        let mail = try MailWorkspace()
        let target = mail.address("x")
        let run = try mail.mailctl(["account", "create", target, "--name", "Evil\r\nBcc: victim@example.com", "--password-stdin", "--send-welcome"],
                                   stdin: Self.password + "\n")
        #expect(run.status == 65)
        #expect(run.stderr.contains("line break"))
        #expect(!run.stdout.contains("Sent"))
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE address = '\(target)'") == "0")
        #expect(try mail.events("target = 'mailbox:\(target)'") == 0)
        let apostrophe = try mail.mailctl(["account", "create", "o'brien@\(mail.domain)", "--name", "O'Brien", "--password-stdin", "--send-welcome"],
                                          stdin: Self.password + "\n")
        #expect(apostrophe.status == 65)
        #expect(apostrophe.stderr.contains("apostrophe"))
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE domain_id = (SELECT id FROM mail_domain WHERE name = '\(mail.domain)')") == "0")
        // Nothing reached Postfix: no line of its log names either recipient or the injected one.
        let log = try mail.postfixLog()
        #expect(!log.contains("victim@example.com"))
        #expect(!log.contains("to=<\(target)>") && !log.contains("o'brien@\(mail.domain)"))
        #expect(try mail.events("target LIKE 'mailbox:%@\(mail.domain)'") == 0)
        let address = try MailAddress("a@b.vn")
        #expect(throws: MessageError.self) { _ = try Mailbox(displayName: "A\nB", address: address) }
    }

    @Test func aPasswordResetNoticeArrivesWithoutThePassword() throws {
        let mail = try MailWorkspace()
        let login = "yen.\(mail.domain.prefix(9))"
        try mail.dirctlOK("person", "add", login, "--name", "Lê Hải Yến", "--language", "en")
        let address = mail.address("yen.le")
        try mail.expectOK("account", "create", address, "--person", login, "--password-stdin", stdin: Self.password + "\n")
        let newPassword = "Trang-khuyet-2026-moi"
        let run = try mail.expectOK("account", "reset-password", address, "--password-stdin", "--notify", stdin: newPassword + "\n")
        let sentLine = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("Sent the password-reset mail to \(address)") }, "\(run.stdout)")
        let messageID = try #require(sentLine.split(separator: "(").last.map { String($0.dropLast()) })
        let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: address, password: Secret(newPassword)))
        defer { session.close() }
        let raw = try session.fetch(uid: try session.waitForMessage(messageID: messageID, timeoutSeconds: 10))
        #expect(Self.header("Subject", in: raw).map(EncodedWord.decode) == "The password of your mailbox \(address) was reset")
        #expect(Self.header("To", in: raw)?.contains(address) == true)
        #expect(!raw.contains(newPassword) && !raw.contains(Self.password))
        #expect(try mail.scalar("SELECT details FROM audit_event WHERE action = 'mail.notify' AND target = 'mailbox:\(address)'")
                == #"{"message_id":"\#(messageID)","notification":"password-reset"}"#)
        // Without --notify nothing is sent.
        let quiet = try mail.expectOK("account", "reset-password", address, "--password-stdin", stdin: Self.password + "\n")
        #expect(!quiet.stdout.contains("Sent"))
        #expect(try mail.events("action = 'mail.notify' AND target = 'mailbox:\(address)'") == 1)
    }

    /// The unfolded value of a header.
    static func header(_ name: String, in message: String) -> String? {
        let head = message.components(separatedBy: "\r\n\r\n").first ?? message
        let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
        return unfolded.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }
}

/// `mailctl --help` at every level shows working examples (no mail stack needed).
@Suite struct MailctlHelpTests {
    @Test func everyCommandHasExamplesThatNameRealCommandsAndOptions() throws {
        let (leaves, problems) = try CommandHelp.exampleProblems("mailctl")
        #expect(leaves.count == 33, "\(leaves.map { $0.joined(separator: " ") })")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // The top-level help shows the everyday commands too.
        let top = try CommandHelp.help("mailctl", [])
        let examples = CommandHelp.examples(in: top, tool: "mailctl")
        #expect(examples.count >= 4)
        for example in examples {
            #expect(leaves.contains { Array(example.dropFirst().prefix($0.count)) == $0 }, "mailctl --help: \(example.joined(separator: " "))")
        }
    }
}

@Suite struct PasswordHashTests {
    @Test(arguments: [(PasswordScheme.yescrypt, 0), (.yescrypt, 7), (.sha512crypt, 0), (.sha512crypt, 10_000)])
    func everySchemeVerifiesWithDoveadm(scheme: PasswordScheme, cost: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/doveadm") else {
            throw TestSetupError("doveadm is missing: `make test` installs it through ops/mailstack/start")
        }
        let password = "Mật-khẩu-đúng-2026"
        let hash = try CryptPasswordHasher(scheme: scheme, cost: cost).hash(Secret(password))
        // The scheme and the cost asked for are the ones in the hash.
        let fields = hash.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        switch scheme {
        case .yescrypt:
            #expect(hash.hasPrefix("{CRYPT}$y$"), "\(hash)")
            let defaultParams = try CryptPasswordHasher(scheme: scheme, cost: 0).hash(Secret(password))
                .split(separator: "$", omittingEmptySubsequences: false).map(String.init)[2]
            #expect((fields[2] == defaultParams) == (cost == 0 || cost == 5), "cost \(cost) gave the parameters \(fields[2])")
        case .sha512crypt:
            #expect(hash.hasPrefix("{SHA512-CRYPT}$6$"), "\(hash)")
            #expect(cost == 0 ? !hash.contains("rounds=") : fields[2] == "rounds=\(cost)", "\(hash)")
        }
        let good = try ProcessRunner.run("/usr/bin/doveadm", ["pw", "-t", hash, "-p", password])
        #expect(good.status == 0, "\(hash): \(good.stdout) \(good.stderr)")
        #expect(good.stdout.contains("(verified)"))
        let bad = try ProcessRunner.run("/usr/bin/doveadm", ["pw", "-t", hash, "-p", "wrong"])
        #expect(bad.status != 0)
        #expect((bad.stdout + bad.stderr).contains("Password mismatch"), "\(bad.stdout) \(bad.stderr)")
    }

    @Test func thePolicyRefusesWeakPasswords() {
        let policy = PasswordPolicy(minimumLength: 12)
        // Each password is refused for its own reason, which the helpdesk reads.
        let cases = [
            ("short1!", "shorter than 12"),
            ("an.nguyen-2026-xyz", "contains the login"),
            ("matkhau2026!!", "common password"),
            ("Password1234", "common password"),
            ("Nguyễn-Văn-Annnn", "contains the login"),
            ("Hoa-Văn-Đẹp-Lắm-99", "part of the person's name"),
            ("aaaaaaaaaaaaaaaa", "too few different characters"),
            ("Gi0-mua\u{7}thu-Ha-Noi", "control character"),
        ]
        for (password, reason) in cases {
            let problem = policy.problem(with: Secret(password), address: "an.nguyen@bo.gov.vn", displayName: "Nguyễn Văn An")
            #expect(problem?.contains(reason) == true, "\(password): \(problem ?? "accepted")")
            #expect(problem?.contains(password) != true, "the reason repeats the password")
        }
        #expect(policy.problem(with: Secret("Gi0-mua-thu-Ha-Noi"), address: "an.nguyen@bo.gov.vn", displayName: "Nguyễn Văn An") == nil)
        #expect(policy.problem(with: PasswordGenerator.generate(), address: "an.nguyen@bo.gov.vn", displayName: "Nguyễn Văn An") == nil)
        // The minimum is the configured one, not a fixed number.
        #expect(PasswordPolicy(minimumLength: 20).problem(with: Secret("Gi0-mua-thu-Ha-Noi"), address: "x@bo.gov.vn", displayName: "X")?
            .contains("shorter than 20") == true)
    }
}

@Suite struct BulkImportTests {
    @Test func aThousandAccountsWithOneBadRowAreAllOrNothing() throws {
        let mail = try MailWorkspace()
        var csv = "address,display_name,quota_mb\n"
        for index in 0..<1000 {
            csv += index == 637 ? "nv\(index)@\(mail.domain),\"Bad\nname\",100\n" : "nv\(index)@\(mail.domain),Nhân viên \(index),100\n"
        }
        let file = mail.folder + "/accounts.csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let dry = try mail.mailctl("account", "import", file, "--dry-run")
        #expect(dry.status == 65)
        // The bad record starts on line 639 (header, 637 good rows before it).
        #expect(dry.stderr.contains("accounts.csv:639:"), "\(dry.stderr)")
        let real = try mail.mailctl("account", "import", file, "--passwords-out", mail.folder + "/pw.csv")
        #expect(real.status == 65)
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE address LIKE '%@\(mail.domain)'") == "0")
        #expect(!FileManager.default.fileExists(atPath: mail.folder + "/pw.csv"))

        let fixed = csv.replacingOccurrences(of: "\"Bad\nname\"", with: "Nhân viên 637")
        try fixed.write(toFile: file, atomically: true, encoding: .utf8)
        let ok = try mail.mailctl("account", "import", file, "--passwords-out", mail.folder + "/pw.csv")
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE address LIKE '%@\(mail.domain)'") == "1000")
        // The passwords file: LF line ends, owner only.
        let text = try String(contentsOfFile: mail.folder + "/pw.csv", encoding: .utf8)
        #expect(!text.contains("\r"))
        let passwords = text.components(separatedBy: "\n")
        let mode = try FileManager.default.attributesOfItem(atPath: mail.folder + "/pw.csv")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let sample = passwords[1].split(separator: ",").map(String.init)
        #expect(mail.imapLogin(sample[0], sample[1]) == nil)

        // A rerun, like `kubectl apply`: every row unchanged, no new password, no event but the summary.
        let before = try mail.scalar("SELECT max(seq) FROM audit_event")
        let rerun = try mail.mailctl("account", "import", file, "--passwords-out", mail.folder + "/pw2.csv", "--json")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(rerun.stdout.utf8)) as? [String: Any])
        #expect(report["unchanged"] as? Int == 1000 && report["created"] as? Int == 0 && report["updated"] as? Int == 0, "\(report)")
        #expect(mail.imapLogin(sample[0], sample[1]) == nil, "a rerun must not change a password")
        // (The stack's log is shared with tests running meanwhile: only this domain's events count.)
        #expect(try mail.scalar("SELECT count(*) FROM audit_event WHERE seq > \(before) AND target LIKE 'mailbox:%@\(mail.domain)'") == "0")
        // A changed quota in the file updates that mailbox only, recorded as such.
        try fixed.replacingOccurrences(of: "nv5@\(mail.domain),Nhân viên 5,100", with: "nv5@\(mail.domain),Nhân viên 5,200")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let update = try mail.mailctl("account", "import", file, "--passwords-out", mail.folder + "/pw3.csv")
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.contains("(0 new, 1 updated, 999 unchanged)"), "\(update.stdout)")
        #expect(try mail.scalar("SELECT quota_bytes FROM mailbox WHERE address = 'nv5@\(mail.domain)'") == "\(200 * 1_048_576)")
        #expect(try mail.scalar("SELECT count(*) FROM audit_event WHERE action = 'mail.account.update' AND target = 'mailbox:nv5@\(mail.domain)'") == "1")
        // Problems in --json are the report's, structured.
        try (fixed + "bad@nowhere.invalid,Không có miền,1\n").write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try mail.mailctl("account", "import", file, "--dry-run", "--json")
        #expect(refused.status == 65)
        let problems = try #require((try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])?["problems"] as? [[String: Any]])
        #expect(problems.first?["line"] as? Int == 1002 && problems.first?["field"] as? String == "address", "\(problems)")
    }
}
