/// The one table of which role may run which action.
public enum AccessPolicy {
    private static let directoryReads: Set<Action> = [.unitRead, .personRead, .groupRead, .roomRead]
    private static let directoryWrites: Set<Action> = [
        .unitAdd, .unitRename, .unitMove, .unitRemove,
        .personAdd, .personUpdate, .personSuspend, .personRestore, .personDepart,
        .personImport, .personExport,
        .groupAdd, .groupRemove, .groupMemberAdd, .groupMemberRemove,
        .roomAdd, .roomUpdate,
    ]
    private static let mailReads: Set<Action> = [.mailDomainRead, .mailAccountRead, .mailQuotaReport, .outboxRead]
    private static let mailWrites: Set<Action> = [
        .mailAccountCreate, .mailAccountDisableLogin, .mailAccountSuspend, .mailAccountEnable, .mailAccountResetPassword,
        .mailAccountSetQuota, .mailAccountRename, .mailAccountDelete, .mailAccountImport, .mailAccountDoctor, .mailAccountUpdate,
        .mailAliasAdd, .mailAliasRemove, .mailGroupPublish, .mailGroupUnpublish, .mailNotify,
        .outboxSend,
    ]
    /// What everyone may do to what is their own (the action checks that it is).
    private static let selfService: Set<Action> = [.mailAccountPassword]
    /// Meetings: everyone books and acts on what they organize (Scheduling checks the owner),
    /// and records the replies in their own mailbox; the helpdesk and admins act on anyone's.
    private static let meetings: Set<Action> = [.meetBook, .meetUpdate, .meetCancel, .meetRead, .meetReply, .meetImport, .meetExport]
    /// Service health: everyone reads it (a status page hides nothing); the helpdesk and admins
    /// plan maintenance and acknowledge incidents.
    private static let healthReads: Set<Action> = [.healthRead]
    private static let healthWrites: Set<Action> = [.healthMaintenance, .healthAck]
    private static let auditReads: Set<Action> = [.auditRead, .auditVerify, .auditExport, .auditCheckpoint]

    /// The actions each role may run.
    public static let table: [Role: Set<Action>] = [
        .admin: Set(Action.allCases),
        .helpdesk: directoryReads.union(directoryWrites).union([.databaseDoctor]).union(mailReads).union(mailWrites).union(selfService)
            .union(meetings).union(healthReads).union(healthWrites),
        .staff: directoryReads.union(selfService).union(meetings).union(healthReads),
        .auditor: directoryReads.union(auditReads).union([.databaseDoctor]).union(mailReads).union(selfService).union(meetings)
            .union(healthReads),
    ]

    /// True when `role` may run `action`.
    public static func allows(_ role: Role, _ action: Action) -> Bool {
        table[role]?.contains(action) ?? false
    }
}
