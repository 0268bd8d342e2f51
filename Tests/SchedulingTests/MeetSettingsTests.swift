import Foundation
import Scheduling
import SwitchboardCore
import Testing

@Suite struct MeetSettingsTests {
    private func load(_ yaml: String) throws -> MeetSettings {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meet-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("switchboard.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: file))
        return try MeetSettings(ConfigLoader.load(explicit: file, environment: [:]))
    }

    @Test func aMeetSectionIsReadAndPathsAreTheFilesFolders() throws {
        let settings = try load("meet:\n  join_base_url: https://vc.example.gov.vn/\n  templates_dir: tpl\n  slot_minutes: 15\n")
        #expect(settings.joinBaseURL == "https://vc.example.gov.vn")
        #expect(settings.templatesDir.hasSuffix("/tpl") && settings.templatesDir.hasPrefix("/"))
        #expect(settings.slotMinutes == 15)
    }

    @Test func aBadValueNamesTheKeyAndLine() throws {
        for (yaml, key) in [("meet:\n  join_base_url: ftp://x\n", "join_base_url"), ("meet:\n  slot_minutes: 7\n", "slot_minutes"),
                            ("meet:\n  colour: red\n", "colour")] {
            do {
                _ = try load(yaml)
                Issue.record("accepted \(yaml)")
            } catch {
                #expect("\(error)".contains(key) && "\(error)".contains(":2"), "\(error)")
            }
        }
    }
}
