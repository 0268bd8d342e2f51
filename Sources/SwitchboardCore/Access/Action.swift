/// Every action the access policy decides on. The raw value is what the audit log records.
public enum Action: String, Sendable, CaseIterable {
    case unitAdd = "unit.add", unitRename = "unit.rename", unitMove = "unit.move", unitRemove = "unit.remove", unitRead = "unit.read"
    case personAdd = "person.add", personUpdate = "person.update", personSuspend = "person.suspend"
    case personRestore = "person.restore", personDepart = "person.depart", personPurge = "person.purge"
    case personSetRole = "person.set-role", personRead = "person.read"
    case personImport = "person.import", personExport = "person.export"
    case groupAdd = "group.add", groupRemove = "group.remove", groupMemberAdd = "group.member-add"
    case groupMemberRemove = "group.member-remove", groupRead = "group.read"
    case roomAdd = "room.add", roomUpdate = "room.update", roomRead = "room.read"
    case auditRead = "audit.read", auditVerify = "audit.verify", auditExport = "audit.export"
    case auditCheckpoint = "audit.checkpoint", auditKeygen = "audit.keygen"
    case databaseBackup = "database.backup", databaseRestore = "database.restore", databaseDoctor = "database.doctor"
    case mailDomainAdd = "mail.domain.add", mailDomainDisable = "mail.domain.disable", mailDomainEnable = "mail.domain.enable"
    case mailDomainRead = "mail.domain.read"
    /// DKIM keys (`mailctl domain dkim`): a new key published for a rotation, a published key
    /// made the signing one once its record is in DNS, an old one retired after its grace period,
    /// a rotation given up before its key signed.
    case mailDKIMRotate = "mail.dkim.rotate", mailDKIMActivate = "mail.dkim.activate", mailDKIMRetire = "mail.dkim.retire"
    case mailDKIMCancel = "mail.dkim.cancel"
    case mailAccountCreate = "mail.account.create", mailAccountRead = "mail.account.read"
    case mailAccountDisableLogin = "mail.account.disable-login", mailAccountSuspend = "mail.account.suspend"
    case mailAccountEnable = "mail.account.enable", mailAccountResetPassword = "mail.account.reset-password"
    case mailAccountSetQuota = "mail.account.set-quota", mailAccountRename = "mail.account.rename"
    case mailAccountDelete = "mail.account.delete", mailAccountPurge = "mail.account.purge"
    case mailAccountImport = "mail.account.import", mailAccountDoctor = "mail.account.doctor"
    /// A mailbox's display name or quota changed by an import rerun (`mailctl account import`).
    case mailAccountUpdate = "mail.account.update"
    /// A person changing the password of their own mailbox (`mailctl password`): every role.
    case mailAccountPassword = "mail.account.password"
    case mailAliasAdd = "mail.alias.add", mailAliasRemove = "mail.alias.remove"
    case mailGroupPublish = "mail.group.publish", mailGroupUnpublish = "mail.group.unpublish"
    case mailQuotaReport = "mail.quota-report", mailNotify = "mail.notify"
    /// The outbox of notifications: what waits (read), sending what waits, and putting back a
    /// notice whose sender stopped mid-send (send). Each delivery attempt is a `mail.notify` event.
    case outboxRead = "outbox.read", outboxSend = "outbox.send"
    /// Meetings (`meetctl`). Everyone may book, and change or cancel what they organize; the
    /// helpdesk acts on anyone's (the Scheduling library checks whose a meeting is). `meet.read`
    /// covers agendas, free/busy and find-time; `meet.reply` records the answers read back from
    /// a mailbox (`meetctl replies sync`).
    case meetBook = "meet.book", meetUpdate = "meet.update", meetCancel = "meet.cancel", meetRead = "meet.read"
    case meetReply = "meet.reply", meetImport = "meet.import", meetExport = "meet.export"
    /// Service health (`healthd`): reading status, incidents and reports (`health.read`);
    /// planning, changing or ending maintenance windows (`health.maintenance`); acknowledging an
    /// incident so reminders stop (`health.ack`). The daemon's own incident bookkeeping is not an
    /// operator action and is not audited; everything an operator does is.
    case healthRead = "health.read", healthMaintenance = "health.maintenance", healthAck = "health.ack"
    /// The gate itself: root acting for someone (`--as`), and resolving the OS user to a person.
    /// Only their refusals are recorded; `Session.resolve` decides them (root's uid, an active
    /// person), never the role table.
    case sessionAs = "session.as", sessionResolve = "session.resolve"
    /// `dirctl init`: the database and its first admin.
    case directoryInit = "directory.init"

    /// True for actions that change something (and so are audited when they succeed).
    public var isMutation: Bool {
        switch self {
        case .unitRead, .personRead, .personExport, .groupRead, .roomRead, .auditRead, .auditVerify, .auditExport, .databaseDoctor,
             .mailDomainRead, .mailAccountRead, .mailQuotaReport, .mailAccountDoctor, .outboxRead,
             .meetRead, .meetExport, .healthRead:
            false
        default:
            true
        }
    }
}
