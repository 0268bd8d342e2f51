import Foundation
import HealthMonitor
import SwitchboardBase
import SwitchboardCore
import SwitchboardTestSupport
import Testing

/// A folder for a test's configuration file and, when asked for, a directory on a real SQLite
/// file beside it: units TT (with HT under it), people, nested groups.
final class HealthDirectory {
    let folder: String
    private var made: SwitchboardDatabase?

    init() throws {
        folder = try ScratchFolder.make("health-config")
    }

    /// The directory database, made and filled on first use.
    func database() throws -> SwitchboardDatabase {
        if let made { return made }
        let database = try SwitchboardDatabase(path: folder + "/switchboard.sqlite", create: true)
        let root = Session.bootstrap(database: database, osUser: "root", tool: "test", host: "h", audit: AuditLog())
        let directory = DirectoryService(database: database, session: root, settings: .init(), clock: FixedWallClock(Date(timeIntervalSince1970: 1_796_000_000)))
        _ = try directory.addUnit(code: "TT", name: "Trung tâm CNTT", parent: nil)
        _ = try directory.addUnit(code: "HT", name: "Phòng Hạ tầng", parent: "TT")
        _ = try directory.addPerson(login: "lan", fields: PersonFields(displayName: "Phạm Lan", email: "Lan@bo.gov.vn", unit: "TT", language: "en"), role: .helpdesk)
        _ = try directory.addPerson(login: "an", fields: PersonFields(displayName: "Nguyễn An", email: "an@bo.gov.vn", unit: "HT"))
        _ = try directory.addPerson(login: "binh", fields: PersonFields(displayName: "Trần Bình", email: "binh@bo.gov.vn", unit: "HT"))
        _ = try directory.addPerson(login: "chi", fields: PersonFields(displayName: "Lê Chi", email: "chi@bo.gov.vn", unit: "HT"))
        _ = try directory.addPerson(login: "dung", fields: PersonFields(displayName: "Võ Dũng", unit: "HT"))
        try directory.suspend(login: "chi", reason: "on leave")
        _ = try directory.addGroup(name: "web")
        _ = try directory.addGroup(name: "ops")
        _ = try directory.addMembers([.person("an"), .person("chi")], to: "web")
        _ = try directory.addMembers([.person("lan"), .group("web")], to: "ops")
        made = database
        return database
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// `yaml` written to a config file in the folder, loaded as the tools load it.
    func settings(_ yaml: String) throws -> HealthSettings {
        let file = folder + "/switchboard.yaml"
        try Data(("database:\n  path: switchboard.sqlite\n" + yaml).utf8).write(to: URL(fileURLWithPath: file))
        return try HealthSettings(ConfigLoader.load(explicit: file, environment: [:]))
    }
}

@Suite struct ConfigTests {
    static let full = """
        locale:
          time_zone: Asia/Ho_Chi_Minh
          language: vi
        health:
          listen: "[::1]:9471"
          token_file: secrets/token
          api_actor: lan
          retention: {raw_days: 5, hourly_days: 40, daily_days: 500}
          reminder_interval: 2h
          alerts: {from: giamsat@bo.gov.vn, templates_dir: tpl, status_url: "https://status.bo.gov.vn/"}
          defaults: {interval: 30s, timeout: 5s, failure_threshold: 3}
          maintenance:
            - services: ["*"]
              once: {from: "2026-12-20 22:00", to: "2026-12-21 02:00"}
              reason: "Nâng cấp lõi mạng"
          services:
            - name: gateway
              title: "Cổng kết nối"
              group: "Hạ tầng"
              kind: tcp
              target: 10.0.0.1:443
            - name: portal
              title: "Cổng thông tin"
              kind: http
              target: https://portal.bo.gov.vn/health
              interval: 1m
              timeout: 1500ms
              conditions:
                - status: [200, 204]
                - body_matches: "ok|fine"
                - json: {path: data.0.status, equals: up}
                - response_time_below: 800ms
                - certificate_days_above: 14
                  severity: critical
              depends_on: [gateway]
              owners: [group:ops, an]
              alert: unit:HT
              maintenance:
                - weekly: {days: [sat, sun], from: "23:00", to: "01:00"}
                  reason: "Sao lưu"
              success_threshold: 3
            - name: mail-rt
              kind: mail-roundtrip
              target: smtp://mail.bo.gov.vn:587
              imap_target: imaps://mail.bo.gov.vn:993
              interval: 5m
              timeout: 60s
              account: {login: probe@bo.gov.vn, password_file: probe.password}
            - name: resolver
              kind: dns
              target: portal.bo.gov.vn
              expect_addresses: [10.0.0.5, "2001:db8::5"]
        """

    @Test func aFullSectionDecodesWithDefaultsAndPathsFromTheFilesFolder() throws {
        let directory = try HealthDirectory()
        let settings = try directory.settings(Self.full)
        #expect(settings.listenHost == "::1" && settings.listenPort == 9471 && settings.listen == "[::1]:9471")
        #expect(settings.tokenFile == directory.folder + "/secrets/token")
        #expect(settings.historyFile == directory.folder + "/health.sqlite")
        #expect(settings.retention.rawDays == 5 && settings.retention.hourlyDays == 40 && settings.retention.dailyDays == 500)
        #expect(settings.reminderInterval == .seconds(7200))
        #expect(settings.alerts.templatesDir == directory.folder + "/tpl" && settings.alerts.from == "giamsat@bo.gov.vn")
        #expect(settings.title == "Tình trạng dịch vụ" && settings.language == "vi" && settings.timeZone == "Asia/Ho_Chi_Minh")
        #expect(settings.services.map(\.name) == ["gateway", "portal", "mail-rt", "resolver"])
        let gateway = settings.services[0]
        #expect(gateway.interval == .seconds(30) && gateway.timeout == .seconds(5) && gateway.failureThreshold == 3 && gateway.successThreshold == 2)
        let portal = settings.services[1]
        #expect(portal.timeout == .milliseconds(1500) && portal.interval == .seconds(60) && portal.successThreshold == 3)
        #expect(portal.conditions == [
            ProbeCondition(.statusIn([200, 204])), ProbeCondition(.bodyMatches("ok|fine")), ProbeCondition(.jsonEquals(path: "data.0.status", value: "up")),
            ProbeCondition(.responseTimeBelow(.milliseconds(800)), severity: .warning), ProbeCondition(.certificateValidDays(14), severity: .critical),
        ])
        #expect(portal.dependsOn == ["gateway"] && portal.owners == [.group("ops"), .person("an")] && portal.alertTo == [.unit("HT")])
        #expect(portal.maintenance == [MaintenanceWindow(services: ["portal"], schedule: .weekly(days: [.saturday, .sunday], startMinute: 23 * 60, endMinute: 60,
                                                                                                     timeZone: "Asia/Ho_Chi_Minh"), reason: "Sao lưu")])
        #expect(settings.services[2].account == ProbeAccount(login: "probe@bo.gov.vn", passwordFile: directory.folder + "/probe.password"))
        #expect(settings.services[3].expectedAddresses == ["10.0.0.5", "2001:db8::5"])
        // 22:00 in Ho Chi Minh City is 15:00 UTC.
        #expect(settings.maintenance.first?.schedule == .once(start: Date(timeIntervalSince1970: 1_797_778_800), end: Date(timeIntervalSince1970: 1_797_793_200)))
        #expect(settings.allMaintenanceWindows.count == 2)
        try settings.validateRecipients(in: directory.database())
    }

    @Test func noSectionMeansNoServicesAndTheDefaults() throws {
        let directory = try HealthDirectory()
        let settings = try directory.settings("locale:\n  language: en\n")
        #expect(settings.services.isEmpty)
        #expect(settings.listen == "127.0.0.1:9470" && settings.alerts.statusURL == "http://127.0.0.1:9470/")
        #expect(settings.title == "Service status" && settings.reminderInterval == .seconds(4 * 3600))
        #expect(settings.retention == HealthSettings.RetentionDays())
        #expect(settings.historyFile == directory.folder + "/health.sqlite")
    }

    @Test func theRepositorysConfigAndItsCommentedExamplesDecode() throws {
        let text = try String(contentsOfFile: Repository.path("Config/switchboard.yaml"), encoding: .utf8)
        let settings = try HealthSettings(ConfigLoader.document(text, file: Repository.path("Config/switchboard.yaml")))
        #expect(settings.alerts.templatesDir == Repository.path("Templates/health"))
        // The examples under `maintenance:` and `services:`, uncommented.
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "health:") else { Issue.record("no health section"); return }
        var section: [String] = []
        var uncommenting = false
        for line in lines[start...] {
            if uncommenting, line.hasPrefix("  #  ") {
                section.append("  " + line.dropFirst(5))
                continue
            }
            uncommenting = line == "  maintenance: []" || line == "  services: []"
            section.append(uncommenting ? String(line.dropLast(3)) : line)
        }
        let examples = try HealthSettings(ConfigLoader.document(section.joined(separator: "\n"), file: Repository.path("Config/switchboard.yaml")))
        #expect(examples.services.map(\.name) == ["portal", "gateway", "mail-roundtrip"])
        #expect(examples.maintenance.count == 1)
    }

    /// Each bad section and what its error must say (`file:LINE: key: ...`).
    static let refused: [(yaml: String, where: String, says: String)] = [
        ("health:\n  services:\n    - name: a\n      kind: ftp\n      target: x\n", "switchboard.yaml:6: health.services[0].kind", "unknown kind \"ftp\""),
        ("health:\n  services:\n    - {name: a, kind: tcp, target: \"h:1\"}\n    - {name: a, kind: tcp, target: \"h:2\"}\n",
         "switchboard.yaml:6: health.services[1].name", "duplicate service name \"a\" (first defined on line 5)"),
        ("health:\n  services:\n    - {name: a, kind: tcp, target: \"h:1\", depends_on: [c]}\n    - {name: b, kind: tcp, target: \"h:1\", depends_on: [a]}\n    - {name: c, kind: tcp, target: \"h:1\", depends_on: b}\n",
         "switchboard.yaml:6: health.services[1].depends_on[0]", "dependency cycle: a -> c -> b -> a"),
        ("health:\n  services:\n    - {name: a, kind: tcp, target: \"h:1\", depends_on: [a]}\n", "health.services[0].depends_on[0]", "dependency cycle: a -> a"),
        ("health:\n  services:\n    - {name: a, kind: tcp, target: \"h:1\", depends_on: [nope]}\n", "switchboard.yaml:5: health.services[0].depends_on[0]",
         "depends on \"nope\", which is not a configured service"),
        ("health:\n  services:\n    - name: a\n      kind: tcp\n      target: \"h:1\"\n      interval: 5 minutes\n",
         "switchboard.yaml:8: health.services[0].interval", "expected a duration such as 500ms, 30s, 5m, 4h or 1d, got \"5 minutes\""),
        ("health:\n  reminder_interval: 4x\n", "switchboard.yaml:4: health.reminder_interval", "expected a duration"),
        ("health:\n  services:\n    - {name: a, kind: tcp, target: \"h:1\", interval: 10s, timeout: 10s}\n", "switchboard.yaml:5: health.services[0].timeout",
         "must be shorter than the interval"),
        ("health:\n  services:\n    - name: a\n      kind: tcp\n      target: \"h:1\"\n      conditions:\n        - status: [200]\n",
         "switchboard.yaml:9: health.services[0].conditions[0].status", "does not fit a tcp probe"),
        ("health:\n  services:\n    - name: a\n      kind: http\n      target: http://h/\n      conditions:\n        - certificate_days_above: 14\n",
         "health.services[0].conditions[0].certificate_days_above", "no TLS certificate is seen there"),
        ("health:\n  services:\n    - name: a\n      kind: http\n      target: http://h/\n      conditions:\n        - body_matches: \"([a-z\"\n",
         "switchboard.yaml:9: health.services[0].conditions[0].body_matches", "not a valid regular expression"),
        ("health:\n  services:\n    - name: a\n      kind: http\n      target: http://h/\n      conditions:\n        - {status: 200, body_contains: ok}\n",
         "health.services[0].conditions[0]", "exactly one check"),
        ("health:\n  services:\n    - {name: a, kind: http, target: \"https://probe:secret@h/\"}\n", "switchboard.yaml:5: health.services[0].target",
         "carries a user or password"),
        ("health:\n  services:\n    - {name: a, kind: smtp, target: \"https://h/\"}\n", "health.services[0].target", "expected a smtp/smtps URL"),
        ("health:\n  services:\n    - {name: a, kind: tcp, target: \"h\"}\n", "health.services[0].target", "expected HOST:PORT"),
        ("health:\n  services:\n    - {name: Portal, kind: tcp, target: \"h:1\"}\n", "health.services[0].name", "lower-case"),
        ("health:\n  services:\n    - {name: a, kind: tcp, target: \"h:1\", colour: red}\n", "switchboard.yaml:5: health.services[0].colour", "unknown key"),
        ("health:\n  services:\n    - {name: a, kind: mail-roundtrip, target: \"smtp://h:587\", imap_target: \"imaps://h\"}\n", "health.services[0]", "needs an account"),
        ("health:\n  services:\n    - {name: a, kind: tcp, target: \"h:1\"}\n  maintenance:\n    - services: [b]\n      weekly: {days: [mon], from: \"22:00\", to: \"23:00\"}\n      reason: x\n",
         "switchboard.yaml:7: health.maintenance[0].services[0]", "no service named \"b\""),
        ("health:\n  maintenance:\n    - services: [\"*\"]\n      weekly: {days: [someday], from: \"22:00\", to: \"23:00\"}\n      reason: x\n",
         "health.maintenance[0].weekly.days[0]", "expected one of mon"),
        ("health:\n  maintenance:\n    - services: [\"*\"]\n      once: {from: \"2026-12-20 22:00\", to: \"2026-12-20 21:00\"}\n      reason: x\n",
         "health.maintenance[0].once.to", "the end must be after the start"),
        ("health:\n  title: \"two\\nlines\"\n", "health.title", "one line of text"),
        ("health:\n  retention: {daily_days: 30}\n", "health.retention.daily_days", "expected a number from 400"),
        ("health:\n  listen: localhost\n", "health.listen", "expected HOST:PORT"),
    ]

    @Test(arguments: 0..<refused.count)
    func aBadSectionIsRefusedNamingFileLineAndKey(index: Int) throws {
        let directory = try HealthDirectory()
        let (yaml, place, says) = Self.refused[index]
        do {
            let settings = try directory.settings(yaml)
            Issue.record("accepted: \(yaml) -> \(settings.services.map(\.name))")
        } catch let error as ConfigError {
            let text = "\(error)"
            #expect(text.contains(place), "\(text)")
            #expect(text.contains(says), "\(text)")
            #expect(text.hasPrefix("config \(directory.folder)/switchboard.yaml:"), "\(text)")
        }
    }

    @Test func recipientsUnknownInTheDirectoryAreRefusedWithTheirLine() throws {
        let directory = try HealthDirectory()
        let database = try directory.database()
        let cases: [(String, String)] = [
            ("owners: [an, nobody]", "switchboard.yaml:8: health.services[0].owners[1]: no person with login \"nobody\" in the directory"),
            ("alert: group:nogroup", "switchboard.yaml:8: health.services[0].alert: no group named \"nogroup\""),
            ("alert: [unit:XX]", "switchboard.yaml:8: health.services[0].alert[0]: no unit with code \"XX\""),
        ]
        for (line, expected) in cases {
            let settings = try directory.settings("health:\n  services:\n    - name: a\n      kind: tcp\n      target: \"h:1\"\n      \(line)\n")
            #expect(throws: ConfigError.self) { try settings.validateRecipients(in: database) }
            do {
                try settings.validateRecipients(in: database)
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
        let actor = try directory.settings("health:\n  api_actor: ghost\n")
        #expect(throws: ConfigError.self) { try actor.validateRecipients(in: database) }
        let known = try directory.settings("health:\n  api_actor: lan\n  services:\n    - {name: a, kind: tcp, target: \"h:1\", owners: [lan, group:ops, unit:TT, chi]}\n")
        try known.validateRecipients(in: database)
    }

    @Test func recipientsResolveNestedGroupsAndSubUnitsToActivePeopleWithAnAddressOnce() throws {
        let directory = try HealthDirectory()
        let resolver = RecipientResolver(database: try directory.database())
        // ops = lan + web (an, chi suspended); unit TT = lan + HT (an, binh, chi suspended, dung without address).
        let people = try resolver.resolve([.group("ops"), .unit("TT"), .person("an"), .person("chi")])
        #expect(people == [
            AlertRecipient(address: "an@bo.gov.vn", name: "Nguyễn An", language: "vi"),
            AlertRecipient(address: "lan@bo.gov.vn", name: "Phạm Lan", language: "en"),
            AlertRecipient(address: "binh@bo.gov.vn", name: "Trần Bình", language: "vi"),
        ])
        #expect(try resolver.resolve([.unit("HT")]).map(\.address) == ["an@bo.gov.vn", "binh@bo.gov.vn"])
        #expect(try resolver.resolve([.person("ghost")]).isEmpty)
        let unresolved = try resolver.unresolved([.person("ghost"), .person("dung"), .group("web")])
        #expect(unresolved.map { $0.reference } == [.person("ghost"), .person("dung")])
    }

    @Test func durationsReadAndWrite() {
        #expect(HealthDuration.parse("500ms") == .milliseconds(500))
        #expect(HealthDuration.parse("30s") == .seconds(30))
        #expect(HealthDuration.parse("5m") == .seconds(300))
        #expect(HealthDuration.parse("4h") == .seconds(14_400))
        #expect(HealthDuration.parse("1d") == .seconds(86_400))
        for bad in ["", "5", "m", "-5s", "1.5s", "5 min", "0s", "s5"] { #expect(HealthDuration.parse(bad) == nil, "\(bad)") }
        #expect(HealthDuration.format(.seconds(7200)) == "2h")
        #expect(HealthDuration.format(.milliseconds(1500)) == "1500ms")
    }
}
