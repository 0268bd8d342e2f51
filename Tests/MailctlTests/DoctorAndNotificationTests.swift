import Foundation
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
        #expect(steps.map { $0["name"] as? String } == ["directory", "imap login", "quota", "smtp submission", "delivery", "cleanup"])
        #expect(steps.allSatisfy { $0["result"] as? String == "ok" })
        // The test message was removed again.
        let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: address, password: Secret(Self.password)))
        defer { session.close() }
        #expect(try session.messageCount() == 0)
        #expect(!run.stdout.contains(Self.password) && !run.stderr.contains(Self.password))
    }

    @Test func searchesOnlyWhatArrivesAfterTheCheckStarts() throws {
        let mail = try MailWorkspace()
        let address = try mail.mailbox("tam")
        var last = ""
        for _ in 0..<5 { last = try mail.deliver(to: [address]) }
        #expect(try mail.delivered(last, to: address))
        let session = try IMAPSession(server: mail.imapServer, credentials: MailCredentials(username: address, password: Secret(Self.password)))
        defer { session.close() }
        let next = try session.nextUID()
        let old = try #require(try session.search(messageID: last).first)
        #expect(old < next)
        #expect(try session.search(messageID: last, fromUID: next).isEmpty)
        let run = try mail.mailctl(["doctor", address, "--password-stdin"], stdin: Self.password + "\n")
        #expect(run.status == 0, "\(run.stdout)")
        #expect(try session.messageCount() == 5)
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
        let run = try mail.mailctl(["account", "create", mail.address("x"), "--name", "Evil\r\nBcc: victim@example.com", "--password-stdin"],
                                   stdin: Self.password + "\n")
        #expect(run.status == 65)
        #expect(run.stderr.contains("line break"))
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE address = '\(mail.address("x"))'") == "0")
        let apostrophe = try mail.mailctl(["account", "create", "o'brien@\(mail.domain)", "--name", "O'Brien", "--password-stdin"], stdin: Self.password + "\n")
        #expect(apostrophe.status == 65)
        #expect(apostrophe.stderr.contains("apostrophe"))
        let address = try #require(try? MailAddress("a@b.vn"))
        #expect(throws: MessageError.self) { _ = try Mailbox(displayName: "A\nB", address: address) }
    }

    /// The unfolded value of a header.
    static func header(_ name: String, in message: String) -> String? {
        let head = message.components(separatedBy: "\r\n\r\n").first ?? message
        let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
        return unfolded.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
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
        let good = try ProcessRunner.run("/usr/bin/doveadm", ["pw", "-t", hash, "-p", password])
        #expect(good.status == 0, "\(hash): \(good.stdout) \(good.stderr)")
        #expect(good.stdout.contains("(verified)"))
        let bad = try ProcessRunner.run("/usr/bin/doveadm", ["pw", "-t", hash, "-p", "wrong"])
        #expect(bad.status != 0)
    }

    @Test func thePolicyRefusesWeakPasswords() {
        let policy = PasswordPolicy(minimumLength: 12)
        let cases = ["short1!", "an.nguyen-2026-xyz", "matkhau2026!!", "Password1234", "Nguyễn-Văn-Annnn", "aaaaaaaaaaaaaaaa"]
        for password in cases {
            #expect(policy.problem(with: Secret(password), address: "an.nguyen@bo.gov.vn", displayName: "Nguyễn Văn An") != nil, "\(password)")
        }
        #expect(policy.problem(with: Secret("Gi0-mua-thu-Ha-Noi"), address: "an.nguyen@bo.gov.vn", displayName: "Nguyễn Văn An") == nil)
        #expect(policy.problem(with: PasswordGenerator.generate(), address: "an.nguyen@bo.gov.vn", displayName: "Nguyễn Văn An") == nil)
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
        let passwords = try String(contentsOfFile: mail.folder + "/pw.csv", encoding: .utf8).components(separatedBy: "\r\n")
        let mode = try FileManager.default.attributesOfItem(atPath: mail.folder + "/pw.csv")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let sample = passwords[1].split(separator: ",").map(String.init)
        #expect(mail.imapLogin(sample[0], sample[1]) == nil)
    }
}
