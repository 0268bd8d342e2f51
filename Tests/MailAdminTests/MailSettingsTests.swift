import MailAdmin
import SwitchboardCore
import Testing
import Transport

/// The `mail:` section is MailAdmin's own: decoded into typed values, errors naming file:line: key.
@Suite struct MailSettingsTests {
    func settings(_ yaml: String) throws -> MailSettings {
        try MailSettings(ConfigLoader.document(yaml, file: "x.yaml"))
    }

    @Test func plainTransportIsRefusedForAnythingButLoopback() throws {
        let error = try #require(throws: ConfigError.self) {
            _ = try settings("mail:\n  relay: {host: mail.bo.gov.vn, port: 25, security: plain}\n")
        }
        #expect("\(error)".contains("x.yaml:2: mail.relay"))
        #expect("\(error)".contains("only for a loopback host"))
        // A host name that merely starts with "127." is not loopback.
        #expect(throws: ConfigError.self) {
            _ = try settings("mail:\n  imap: {host: 127.mail.example.vn, port: 143, security: plain}\n")
        }
        let local = try settings("mail:\n  relay: {host: 127.0.0.1, port: 25, security: plain}\n")
        #expect(local.relay.port == 25)
        #expect(local.relay.security == .plain)
        let tls = try settings("mail:\n  submission: {host: mail.bo.gov.vn, port: 587, security: starttls}\n")
        #expect(tls.submission.security == .startTLS)
        #expect(tls.server(tls.submission).security == .startTLS)
    }

    @Test func valuesAreTypedAndErrorsNameTheKey() throws {
        let typed = try settings("mail:\n  password_scheme: sha512-crypt\n  relay: {host: relay.bo.gov.vn, port: 465, security: tls}\n")
        #expect(typed.passwordScheme == .sha512crypt)
        #expect(typed.relay.security == .implicitTLS)

        let scheme = try #require(throws: ConfigError.self) { _ = try settings("mail:\n  password_scheme: md5\n") }
        #expect(scheme.description == "config x.yaml:2: mail.password_scheme: expected one of yescrypt, sha512-crypt, got \"md5\"")
        let security = try #require(throws: ConfigError.self) {
            _ = try settings("mail:\n  imap:\n    host: mail.bo.gov.vn\n    security: ssl\n")
        }
        #expect(security.description.hasPrefix("config x.yaml:4: mail.imap.security: expected one of plain, starttls, tls"))
        let unknown = try #require(throws: ConfigError.self) { _ = try settings("mail:\n  relay_host: x\n") }
        #expect(unknown.description.hasPrefix("config x.yaml:2: mail.relay_host: unknown key"))
    }

    @Test func theCoreRefusesAnUnknownSectionButLeavesMailToMailAdmin() throws {
        // The core decodes its own sections and keeps mail: for MailAdmin; a typo at the top is still refused.
        #expect(throws: ConfigError.self) { _ = try ConfigLoader.parse("mial:\n  relay: {}\n", file: "x.yaml") }
        let loaded = try ConfigLoader.document("database:\n  path: /tmp/x.sqlite\nmail:\n  default_quota_mb: 10\n", file: "x.yaml")
        #expect(loaded.config.database.path == "/tmp/x.sqlite")
        #expect(try MailSettings(loaded).defaultQuotaMB == 10)
        #expect(try MailSettings(ConfigLoader.document("database:\n  path: /tmp/x.sqlite\n", file: "x.yaml")) == MailSettings())
    }
}
