import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardCore
import SwitchboardBase

@Suite struct ConfigTests {
    @Test func theShippedConfigParsesToTheDesignDefaults() throws {
        let text = try String(contentsOfFile: Repository.path("Config/switchboard.yaml"), encoding: .utf8)
        let config = try ConfigLoader.parse(text, file: Repository.path("Config/switchboard.yaml"))
        #expect(config.locale.timeZone == "Asia/Ho_Chi_Minh")
        #expect(config.locale.language == "vi")
        #expect(config.locale.workdayStart == "07:30" && config.locale.workdayEnd == "17:00")
        #expect(config.locale.workdays == ["mon", "tue", "wed", "thu", "fri"])
        // Relative paths are the config file's folder's, never the working folder's.
        #expect(config.database.path == Repository.path("var/db/switchboard.sqlite"))
        #expect(config.audit.signingKeyFile == Repository.path("var/keys/audit-signing.key"))
        #expect(config.audit.checkpointDir == Repository.path("var/checkpoints"))
    }

    @Test func relativePathsAreTakenFromTheConfigFilesFolder() throws {
        let yaml = "database:\n  path: db/x.sqlite\naudit:\n  public_key_file: ../keys/a.pub\n  checkpoint_dir: /abs/cp\n"
        let config = try ConfigLoader.parse(yaml, file: "/etc/sb/switchboard.yaml")
        #expect(config.database.path == "/etc/sb/db/x.sqlite")
        #expect(config.audit.publicKeyFile == "/etc/keys/a.pub")
        #expect(config.audit.checkpointDir == "/abs/cp")
    }

    @Test func theBuiltInDefaultsAreTheInstalledLayout() {
        let defaults = SwitchboardConfig()
        #expect(defaults.database.path == "/var/lib/switchboard/switchboard.sqlite")
        #expect(defaults.audit.signingKeyFile == "/etc/switchboard/private/audit-signing.key")
        #expect(defaults.audit.publicKeyID == nil)
    }

    @Test func aPinnedKeyIdIsSixteenHexDigits() throws {
        #expect(try ConfigLoader.parse("audit:\n  public_key_id: 0123456789abcdef\n", file: "x.yaml").audit.publicKeyID == "0123456789abcdef")
        for bad in ["0123", "0123456789ABCDEF", "0123456789abcdeg", "\"0123456789abcdef \""] {
            #expect(throws: ConfigError.self) { try ConfigLoader.parse("audit:\n  public_key_id: \(bad)\n", file: "x.yaml") }
        }
    }

    @Test func aSetGidCallerOtherThanRootCannotChooseTheConfig() {
        let caller = ConfigCaller(isRoot: false, isPrivileged: true)
        #expect(throws: ConfigRefusal.self) { try ConfigLoader.locate(explicit: "/tmp/x.yaml", environment: [:], caller: caller) }
        #expect(throws: ConfigRefusal.self) { try ConfigLoader.locate(explicit: nil, environment: ["SWITCHBOARD_CONFIG": "/tmp/x.yaml"], caller: caller) }
        // Root may, set-gid or not.
        #expect(throws: ConfigError.self) { try ConfigLoader.locate(explicit: "/nonexistent/x.yaml", environment: [:], caller: ConfigCaller(isRoot: true, isPrivileged: true)) }
    }

    @Test func anEmptyFileGivesTheDefaults() throws {
        #expect(try ConfigLoader.parse("", file: "x.yaml") == SwitchboardConfig())
    }

    @Test(arguments: [
        ("locale:\n  workday_start: \"7h30\"\n", "x.yaml:2: locale.workday_start: expected a time of day as HH:MM"),
        ("locale:\n  workdays: [mon, funday]\n", "x.yaml:2: locale.workdays[1]: expected one of"),
        ("directory:\n  departed_retention_days: -1\n", "x.yaml:2: directory.departed_retention_days: expected a number from 0"),
        ("audit: 5\n", "x.yaml:1: audit: expected a mapping"),
        ("extra: 1\n", "x.yaml:1: extra: unknown key"),
    ])
    func errorsNameTheFileLineAndKey(yaml: String, message: String) {
        do {
            _ = try ConfigLoader.parse(yaml, file: "x.yaml")
            Issue.record("accepted a bad config")
        } catch {
            #expect("\(error)".hasPrefix("config " + message), "\(error)")
        }
    }

    @Test func anExplicitPathThatDoesNotExistIsAnError() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(explicit: "/nonexistent/s.yaml", environment: [:]) }
        #expect(throws: ConfigError.self) { try ConfigLoader.load(explicit: nil, environment: ["SWITCHBOARD_CONFIG": "/nonexistent/s.yaml"]) }
    }
}

@Suite struct AccessPolicyTests {
    @Test func adminsMayDoEverything() {
        #expect(Action.allCases.allSatisfy { AccessPolicy.allows(.admin, $0) })
    }

    @Test func staffOnlyReadChangeTheirOwnPasswordAndBookMeetings() {
        let allowed = Action.allCases.filter { AccessPolicy.allows(.staff, $0) }
        // Their own mailbox's password (`mailctl password` checks it is theirs), the meetings
        // they organize (Scheduling checks whose a meeting is) and the replies in their own
        // mailbox (`meetctl replies sync --mailbox` checks it is theirs).
        #expect(allowed.filter(\.isMutation) == [.mailAccountPassword, .meetBook, .meetUpdate, .meetCancel, .meetReply, .meetImport])
        #expect(allowed.contains(.personRead))
    }

    @Test func onlyAdminsGiveRolesPurgeKeysAndBackups() {
        for action in [Action.personSetRole, .personPurge, .auditKeygen, .databaseBackup] {
            #expect(Role.allCases.filter { AccessPolicy.allows($0, action) } == [.admin])
        }
    }

    @Test func auditorsReadTheLogButChangeNoDirectoryData() {
        #expect(AccessPolicy.allows(.auditor, .auditExport))
        #expect(!AccessPolicy.allows(.helpdesk, .auditRead))
        #expect(Action.allCases.filter { AccessPolicy.allows(.auditor, $0) && $0.isMutation } == [.auditCheckpoint, .mailAccountPassword, .meetBook, .meetUpdate, .meetCancel, .meetReply, .meetImport])
    }
}
