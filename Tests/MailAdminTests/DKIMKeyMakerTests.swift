import Foundation
@testable import MailAdmin
import SwitchboardBase
import SwitchboardTestSupport
import Testing

/// Keys as OpenSSL (which OpenDKIM signs with) and DNS verifiers read them.
@Suite struct DKIMKeyMakerTests {
    /// A key's PEM, read by `openssl pkey`, gives the public key mailctl publishes.
    func opensslPublicKey(_ pem: String) throws -> [UInt8] {
        let folder = try ScratchFolder.make("dkim-key")
        defer { _ = ScratchFolder.remove(folder) }
        try pem.write(toFile: folder + "/k.pem", atomically: true, encoding: .utf8)
        let out = try ProcessRunner.runChecked("/usr/bin/openssl", ["pkey", "-in", folder + "/k.pem", "-pubout", "-outform", "PEM"])
        return [UInt8](try #require(Data(base64Encoded: out.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined())))
    }

    @Test func anRSAKeyPublishesItsSubjectPublicKeyInfoAsOpenSSLReadsIt() throws {
        let key = try DKIMKeyMaker.make(.rsaSHA256, rsaBits: 2048)
        #expect(key.privatePEM.exposedValue.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let published = [UInt8](try #require(Data(base64Encoded: key.publicKey)))
        // SubjectPublicKeyInfo with rsaEncryption, 2048-bit modulus: what opendkim-genkey publishes.
        #expect(published.starts(with: [0x30, 0x82, 0x01, 0x22, 0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]))
        #expect(try opensslPublicKey(key.privatePEM.exposedValue) == published)
        #expect(DKIMKeyMaker.publicKey(ofPEM: key.privatePEM.exposedValue, algorithm: .rsaSHA256) == key.publicKey)
        #expect(DKIMKeyMaker.publicKey(ofPEM: key.privatePEM.exposedValue, algorithm: .ed25519SHA256) == nil)
        // Two keys are never the same.
        #expect(try DKIMKeyMaker.make(.rsaSHA256, rsaBits: 2048).publicKey != key.publicKey)
    }

    @Test func anEd25519KeyPublishesItsRaw32BytesAndOpenSSLReadsItsPKCS8() throws {
        let key = try DKIMKeyMaker.make(.ed25519SHA256, rsaBits: 2048)
        let published = [UInt8](try #require(Data(base64Encoded: key.publicKey)))
        #expect(published.count == 32)
        // OpenSSL's SubjectPublicKeyInfo of it ends with the same 32 bytes (RFC 8410).
        let spki = try opensslPublicKey(key.privatePEM.exposedValue)
        #expect(Array(spki.suffix(32)) == published)
        #expect(DKIMKeyMaker.publicKey(ofPEM: key.privatePEM.exposedValue, algorithm: .ed25519SHA256) == key.publicKey)
        #expect(DKIMKeyMaker.publicKey(ofPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", algorithm: .ed25519SHA256) == nil)
    }

    @Test func theRecordTextNamesTheKeyType() {
        let key = DKIMPublicKey(selector: "sb-20261205", algorithm: .ed25519SHA256, publicKey: "AAAA", state: .active)
        #expect(key.recordText == "v=DKIM1; k=ed25519; p=AAAA")
        #expect(DKIMKeyState.retired.isPublished == false && DKIMKeyState.retiring.isPublished)
    }

    @Test func aKeyFolderBelowAWorldWritableFolderIsRefusedBeforeAnythingIsWritten() throws {
        var settings = MailDKIMSettings()
        settings.keyDirectory = "/var/tmp/switchboard-dkim-\(UUID().uuidString.prefix(8))"
        let store = DKIMKeyStore(settings: settings)
        let key = try DKIMKeyMaker.make(.ed25519SHA256, rsaBits: 2048)
        defer { try? FileManager.default.removeItem(atPath: settings.keyDirectory) }
        let error = try #require(throws: MailError.self) { _ = try store.write(key, domain: "bo.test", selector: "sb-1") }
        #expect(error.description.contains("/var/tmp, which other users can write"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: settings.keyDirectory + "/bo.test/sb-1.private"))
    }

    @Test func aKeyFileIsTheSignersAloneAndItsProblemsAreNamed() throws {
        var settings = MailDKIMSettings()
        settings.keyDirectory = "/var/lib/switchboard-test/unit-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: "/var/lib/switchboard-test", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: settings.keyDirectory) }
        let store = DKIMKeyStore(settings: settings)
        let key = try DKIMKeyMaker.make(.rsaSHA256, rsaBits: 2048)
        let path = try store.write(key, domain: "bo.test", selector: "sb-1")
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o400)
        #expect(info.st_uid == DKIMKeyStore.account(named: "opendkim")?.uid)
        #expect(store.inspect(path: path, publicKey: key.publicKey, algorithm: .rsaSHA256) == .usable)
        // Never written over.
        #expect(throws: (any Error).self) { _ = try store.write(key, domain: "bo.test", selector: "sb-1") }
        #expect(store.existingSelectors(domain: "bo.test") == ["sb-1"])

        let other = try DKIMKeyMaker.make(.rsaSHA256, rsaBits: 2048)
        guard case .broken(let mismatch) = store.inspect(path: path, publicKey: other.publicKey, algorithm: .rsaSHA256) else {
            Issue.record("a key file that does not match was accepted"); return
        }
        #expect(mismatch.contains("another key"))
        chmod(path, 0o440)
        guard case .broken(let open) = store.inspect(path: path, publicKey: key.publicKey, algorithm: .rsaSHA256) else {
            Issue.record("a key readable by the group was accepted"); return
        }
        #expect(open.contains("can be read by other users"))
        chmod(path, 0o000)
        guard case .broken(let unreadable) = store.inspect(path: path, publicKey: key.publicKey, algorithm: .rsaSHA256) else {
            Issue.record("an unreadable key was accepted"); return
        }
        #expect(unreadable.contains("unreadable"))
        // A recorded path that is not where mailctl keeps the key (a row written by hand, a
        // "../" path) deletes nothing.
        let decoy = settings.keyDirectory + "/decoy.txt"
        try "keep me".write(toFile: decoy, atomically: true, encoding: .utf8)
        for recorded in [decoy, settings.keyDirectory + "/bo.test/../decoy.txt", "/etc/passwd"] {
            #expect(store.remove(domain: "bo.test", selector: "sb-1", recorded: recorded) != nil, "\(recorded)")
        }
        #expect(store.remove(domain: "..", selector: "decoy", recorded: settings.keyDirectory + "/../decoy.private") != nil)
        #expect(FileManager.default.fileExists(atPath: decoy) && FileManager.default.fileExists(atPath: path))
        #expect(store.remove(domain: "bo.test", selector: "sb-1", recorded: path) == nil)
        #expect(store.inspect(path: path, publicKey: key.publicKey, algorithm: .rsaSHA256) == .broken("key file \(path) is missing"))
    }
}
