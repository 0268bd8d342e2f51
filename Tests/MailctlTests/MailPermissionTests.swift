import Foundation
import SwitchboardTestSupport
import Testing

/// Mail commands go through the same policy table: helpdesk runs mailboxes, admins run domains and purges.
@Suite struct MailPermissionTests {
    @Test func eachRoleGetsWhatThePolicySays() throws {
        let mail = try MailWorkspace()
        let tag = String(mail.domain.dropFirst().prefix(8))
        var logins: [String: String] = [:]
        for role in ["admin", "helpdesk", "staff", "auditor"] {
            let login = "\(role.prefix(2))\(tag)"
            #expect(try mail.dirctl("person", "add", login, "--name", "Người \(role)", "--role", role).status == 0)
            logins[role] = login
        }
        let cases: [(arguments: [String], allowed: Set<String>)] = [
            (["account", "create", mail.address("{role}"), "--name", "Tài khoản", "--password-stdin"], ["admin", "helpdesk"]),
            (["domain", "add", "{role}.\(mail.domain)"], ["admin"]),
            (["account", "list", "--domain", mail.domain], ["admin", "helpdesk", "auditor"]),
            (["account", "purge"], ["admin"]),
        ]
        for (arguments, allowed) in cases {
            for (role, login) in logins.sorted(by: { $0.key < $1.key }) {
                let concrete = arguments.map { $0.replacingOccurrences(of: "{role}", with: role) }
                let run = try mail.mailctl(concrete + ["--as", login], stdin: "Gi0-mua-thu-Ha-Noi\n")
                if allowed.contains(role) {
                    #expect(run.status == 0, "\(role) should run \(concrete.joined(separator: " ")): \(run.stderr)")
                } else {
                    #expect(run.status == 77, "\(role) should be refused \(concrete.joined(separator: " ")): \(run.status) \(run.stderr)")
                    #expect(try mail.scalar("SELECT count(*) FROM audit_event WHERE actor = '\(login)' AND outcome = 'denied' AND tool = 'mailctl'") != "0")
                }
            }
        }
    }
}
