import Foundation
import MailTestSupport
import SwitchboardTestSupport
import Testing

/// `dirctl restore` under running mail servers: a private Dovecot and Postfix of this test's own
/// (restoring the shared stack's database would pull rows from under the tests running beside it),
/// reading the database file that the restore writes in place. Logins follow the restored rows at
/// the next attempt, with no reload.
@Suite(.serialized) struct RestoreMailTests {
    @Test func loginsFollowARestoredBackupAtOnceWithNoReload() throws {
        let stack = try PrivateMailStack(tag: "restoretest")
        let database = stack.database
        let mail = try MailWorkspace(stack: try stack.environment)
        #expect(mail.database == database)

        let password = "Gi0-mua-thu-Ha-Noi"
        let kept = try mail.mailbox("giu.nguyen")
        let deletedLater = try mail.mailbox("xoa.tran")
        try mail.dirctlOK("person", "add", "cu.le", "--name", "Lê Văn Cũ")
        let backup = mail.folder + "/backup.sqlite"
        try mail.dirctlOK("backup", backup)
        let backupSeq = try SQLite.scalar(backup, "SELECT max(seq) FROM audit_event")

        // After the backup: a mailbox created, one deleted, a person added and one departed.
        let createdLater = try mail.mailbox("moi.pham")
        try mail.expectOK("account", "delete", deletedLater)
        try mail.dirctlOK("person", "add", "moi.den", "--name", "Người Mới Đến")
        try mail.dirctlOK("person", "depart", "cu.le")
        #expect(mail.imapLogin(createdLater, password) == nil, "the new mailbox does not log in before the restore")
        #expect(mail.imapLogin(deletedLater, password) != nil, "the deleted mailbox still logs in before the restore")
        let liveSeq = try mail.scalar("SELECT max(seq) FROM audit_event")
        var before = stat()
        stat(database, &before)

        let run = try mail.dirctlOK("restore", backup)
        #expect(run.stdout.contains("Restored"), "\(run.stdout)")
        var after = stat()
        stat(database, &after)
        #expect(after.st_ino == before.st_ino, "the database file the servers read was replaced")

        // At once, with no reload: the servers read the restored rows.
        #expect(mail.imapLogin(createdLater, password) != nil, "a mailbox created after the backup still logs in")
        #expect(mail.imapLogin(deletedLater, password) == nil, "a mailbox deleted after the backup does not log in again")
        #expect(mail.imapLogin(kept, password) == nil, "a mailbox the backup and the live database shared stopped logging in")
        #expect(try mail.scalar("SELECT group_concat(login || ':' || status, ' ') FROM person WHERE login IN ('cu.le', 'moi.den')") == "cu.le:active")
        // And the audit log says so, continuing the backup's chain.
        let event = try mail.scalar("SELECT seq || ' ' || action || ' ' || outcome FROM audit_event ORDER BY seq DESC LIMIT 1")
        #expect(event == "\((Int(backupSeq) ?? 0) + 1) database.restore ok")
        let details = try mail.scalar("SELECT details FROM audit_event ORDER BY seq DESC LIMIT 1")
        #expect(details.contains("\"backup_last_seq\":\(backupSeq)") && details.contains("\"live_last_seq\":\(liveSeq)"), "\(details)")
        #expect(try mail.dirctlOK("audit", "verify").status == 0)
    }
}
