import Foundation
import SwitchboardBase
import Testing

@Suite struct AtomicFileTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "atomic-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test func writesTheWholeFileOwnerOnlyAndLeavesNoTemporaryFile() throws {
        let path = folder + "/export.csv"
        try AtomicFile.write("login,name\nan,An\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "login,name\nan,An\n")
        #expect(try mode(path) == 0o600)
        #expect(try entries() == ["export.csv"])
    }

    @Test func nothingAppearsUntilCommitAndDiscardLeavesNothing() throws {
        let path = folder + "/partial.txt"
        let file = try AtomicFile(path: path)
        try file.write("half")
        #expect(!FileManager.default.fileExists(atPath: path))
        file.discard()
        #expect(try entries().isEmpty)
    }

    @Test func replacesAnExistingFileInOneStep() throws {
        let path = folder + "/key.pub"
        try AtomicFile.write("old\n", to: path, mode: 0o644)
        try AtomicFile.write("new\n", to: path, mode: 0o644)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        #expect(try mode(path) == 0o644)
    }

    @Test func refusesAnExistingFileWhenAskedForANewOne() throws {
        let path = folder + "/passwords.csv"
        try AtomicFile.write("keep\n", to: path)
        let error = try #require(throws: FileWriteError.self) { try AtomicFile.write("secret\n", to: path, existing: .refuse) }
        #expect(error.description.contains("exists already"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep\n")
        #expect(try entries() == ["passwords.csv"])
    }

    @Test func refusesToWriteThroughASymbolicLink() throws {
        let victim = folder + "/victim"
        try AtomicFile.write("precious\n", to: victim)
        let link = folder + "/planted"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        for existing in [AtomicFile.Existing.replace, .refuse] {
            let error = try #require(throws: FileWriteError.self) { try AtomicFile.write("owned\n", to: link, existing: existing) }
            #expect(error.description.contains("symbolic link") || error.description.contains("exists already"))
        }
        #expect(throws: FileWriteError.self) { try AtomicFile.createEmpty(link) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == victim)
    }

    @Test func aMissingFolderIsOneClearLine() throws {
        let path = folder + "/no/such/folder/file"
        let error = try #require(throws: FileWriteError.self) { try AtomicFile.write("x", to: path) }
        #expect(error.description.hasPrefix(path + ": cannot be created"))
        #expect(!error.description.contains("\n"))
    }
}
