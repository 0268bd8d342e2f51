import Foundation
@testable import MailAdmin
import Testing

/// Purge removes `BASE/mb-NUMBER` and nothing else. The schema's CHECK keeps such keys out of the
/// table, but someone with write access to the file can rebuild it without the CHECK: the path
/// itself is checked again before anything is removed.
@Suite struct MailFolderTests {
    @Test func onlyAnMbNumberFolderDirectlyUnderTheBaseIsEverRemoved() throws {
        let root = NSTemporaryDirectory() + "mail-folder-" + UUID().uuidString
        let base = root + "/mail"
        try FileManager.default.createDirectory(atPath: base + "/mb-000123", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/victim", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: base + "/mb-000124", withDestinationPath: root + "/victim")
        defer { try? FileManager.default.removeItem(atPath: root) }

        #expect(MailAdministration.mailFolder("mb-000123", under: base) == URL(fileURLWithPath: base + "/mb-000123").resolvingSymlinksInPath().path)
        for key in ["mb-1/../../victim", "mb-000123/..", "../victim", "mb-", "mb-12a", "new-000125", "mb-000123/x", "mb-1\0"] {
            #expect(MailAdministration.mailFolder(key, under: base) == nil, "\(key.debugDescription) was accepted")
        }
        // A planted link named like a mail folder resolves outside the base: refused.
        #expect(MailAdministration.mailFolder("mb-000124", under: base) == nil)
    }
}
