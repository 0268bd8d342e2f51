import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// `account import` checks its rows and hashes their passwords before it takes the write lock:
/// other tools keep writing meanwhile, and what they wrote is checked again when the rows are written.
@Suite struct MailImportStagingTests {
    @Test func anAddressTakenWhilePasswordsAreHashedIsRefusedAndNothingIsCreated() throws {
        let mail = try MailWorkspace()
        var csv = "address,display_name\n"
        for index in 0..<400 { csv += "nv\(index)@\(mail.domain),Nhân viên \(index)\n" }
        // Named after this test's own domain: the stack's database is shared with the other tests.
        let file = mail.folder + "/\(mail.domain).csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let passwords = mail.folder + "/pw.csv"

        let running = try ProcessRunner.start(ProcessRunner.product("mailctl"),
                                              ["account", "import", file, "--passwords-out", passwords, "--progress", "--verbose", "--config", mail.config])
        try running.closeInput()
        #expect(running.waitForStandardError(containing: "hashing passwords: ", timeout: 60), "\(running.standardError.suffix(300))")
        // Someone creates the last row's mailbox while the import is hashing.
        let create = try mail.mailctl(["account", "create", "nv399@\(mail.domain)", "--name", "Người tạo trước", "--password-stdin"],
                                      stdin: "Mat-khau-rieng-2026\n")
        let wasHashing = !running.standardError.contains("hashing passwords: 400/400")
        let imported = try running.finish()
        #expect(create.status == 0, "the write during the import failed: \(create.stderr)")
        #expect(wasHashing, "the import had finished hashing before the other write returned")

        #expect(imported.status == 65)
        #expect(imported.stderr.contains("\(mail.domain).csv:401: address: nv399@\(mail.domain) became a mailbox meanwhile"), "\(imported.stderr.suffix(500))")
        #expect(imported.stderr.contains("no mailbox was created"))
        #expect(imported.stderr.contains("timing: import apply "))
        #expect(try mail.scalar("SELECT count(*) FROM mailbox WHERE address LIKE '%@\(mail.domain)'") == "1")
        #expect(try mail.scalar("SELECT display_name FROM mailbox WHERE address = 'nv399@\(mail.domain)'") == "Người tạo trước")
        #expect(!FileManager.default.fileExists(atPath: passwords))
        #expect(try mail.scalar("SELECT count(*) FROM audit_event WHERE target = 'import:\(mail.domain).csv'") == "0")
        #expect(try mail.scalar("SELECT count(*) FROM audit_event WHERE target LIKE 'mailbox:%@\(mail.domain)'") == "1")
    }
}
