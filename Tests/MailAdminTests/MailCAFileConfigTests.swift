import Foundation
import MailAdmin
import SwitchboardCore
import Testing

/// `mail.ca_file`: the CA that signed the mail servers' certificates, checked when the config loads.
@Suite struct MailCAFileConfigTests {
    @Test func aReadableCAFileIsTaken() throws {
        let folder = NSTemporaryDirectory() + "switchboard-ca-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/ca.pem"
        try "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".write(toFile: file, atomically: true, encoding: .utf8)
        let settings = try MailSettings(ConfigLoader.document("mail:\n  ca_file: \(file)\n", file: "x.yaml"))
        #expect(settings.caFile == file)
        #expect(try MailSettings(ConfigLoader.document("mail:\n  verify_tls: true\n", file: "x.yaml")).caFile == nil)
    }

    @Test func aMissingCAFileOrAFolderIsRefusedNamingFileLineAndKey() throws {
        let missing = try #require(throws: ConfigError.self) {
            try MailSettings(ConfigLoader.document("mail:\n  verify_tls: true\n  ca_file: /nonexistent/ca.pem\n", file: "x.yaml"))
        }
        #expect(missing.description == "config x.yaml:3: mail.ca_file: no such file /nonexistent/ca.pem: expected the PEM file of the CA that signed the mail servers' certificates")
        let folder = try #require(throws: ConfigError.self) { try MailSettings(ConfigLoader.document("mail:\n  ca_file: /tmp\n", file: "x.yaml")) }
        #expect(folder.description.hasPrefix("config x.yaml:2: mail.ca_file: /tmp is a folder"))
    }
}
