import MailAdmin
import SwitchboardCore
import Testing

/// `mail.dkim` and `mail.dns`: typed, with defaults that publish strict policies, and errors that
/// name file:line: key.
@Suite struct MailDKIMSettingsTests {
    func settings(_ yaml: String) throws -> MailSettings {
        try MailSettings(ConfigLoader.document(yaml, file: "x.yaml"))
    }

    @Test func theDefaultsSignAndPublishStrictPolicies() throws {
        let defaults = try settings("mail:\n  helpdesk_phone: \"1\"\n")
        #expect(defaults.dkim.enabled)
        #expect(defaults.dkim.rsaBits == 2048)
        #expect(!defaults.dkim.ed25519)
        #expect(defaults.dkim.rotationGrace == .seconds(7 * 86_400))
        #expect(defaults.dkim.signerUser == "opendkim")
        #expect(defaults.dns.spfAll == "-all")
        #expect(defaults.dns.dmarcPolicy == "quarantine")
        #expect(defaults.dns.mailHost(for: "bo.gov.vn") == "mail.bo.gov.vn")
        #expect(defaults.dns.mtaSTSHost(for: "bo.gov.vn") == "mail.bo.gov.vn")
    }

    @Test func valuesAreReadAndTyped() throws {
        let read = try settings("""
            mail:
              dkim: {key_dir: /var/lib/k, rotation_grace: 12h, ed25519: true, rsa_bits: 3072}
              dns: {mail_host: mx.bo.gov.vn., spf_mechanisms: [mx, "ip4:192.0.2.0/24"], spf_all: ~all, dmarc_policy: reject, report_local_part: DMARC}
            """)
        #expect(read.dkim.keyDirectory == "/var/lib/k")
        #expect(read.dkim.rotationGrace == .seconds(12 * 3600))
        #expect(read.dkim.ed25519 && read.dkim.rsaBits == 3072)
        #expect(read.dns.mailHost(for: "x.vn") == "mx.bo.gov.vn")
        #expect(read.dns.spfMechanisms == ["mx", "ip4:192.0.2.0/24"])
        #expect(read.dns.spfAll == "~all" && read.dns.dmarcPolicy == "reject" && read.dns.reportLocalPart == "dmarc")
    }

    @Test(arguments: [
        ("mail:\n  dkim: {rsa_bits: 1024}\n", "x.yaml:2: mail.dkim.rsa_bits"),
        ("mail:\n  dkim: {rsa_bits: 2500}\n", "expected 2048, 3072 or 4096"),
        ("mail:\n  dkim: {rotation_grace: soon}\n", "mail.dkim.rotation_grace: expected a duration"),
        ("mail:\n  dkim: {colour: blue}\n", "colour"),
        ("mail:\n  dns: {spf_all: +all}\n", "mail.dns.spf_all: expected one of -all, ~all"),
        ("mail:\n  dns: {spf_mechanisms: [\"mx -all\"]}\n", "mail.dns.spf_mechanisms"),
        ("mail:\n  dns: {dmarc_policy: maybe}\n", "mail.dns.dmarc_policy: expected one of none, quarantine, reject"),
        ("mail:\n  dns: {mail_host: \"not a host\"}\n", "mail.dns.mail_host: expected a host name"),
        ("mail:\n  dns: {report_local_part: \"a@b\"}\n", "mail.dns.report_local_part"),
    ])
    func badValuesAreNamed(_ yaml: String, _ expected: String) throws {
        let error = try #require(throws: ConfigError.self) { _ = try settings(yaml) }
        #expect(error.description.contains(expected), "\(error)")
    }
}
