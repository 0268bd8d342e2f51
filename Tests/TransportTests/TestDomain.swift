import SwitchboardCore
import SwitchboardBase
import Transport

/// A test's own domain in the stack's database; every mailbox in it has `password`.
struct TestDomain {
    let name: String
    let password: String
    let stack: MailStack

    func address(_ local: String) -> String { "\(local)@\(name)" }

    func credentials(_ local: String) -> MailCredentials {
        MailCredentials(username: address(local), password: Secret(password))
    }

    func imapSession(_ local: String) throws -> IMAPSession {
        try IMAPSession(server: stack.imap, credentials: credentials(local))
    }

    func submissionSession(_ local: String) throws -> SMTPSession {
        try SMTPSession(server: stack.submission, credentials: credentials(local), heloName: "tests.switchboard.test")
    }
}
