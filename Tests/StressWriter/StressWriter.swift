import Foundation
import SwitchboardCore
import SwitchboardBase

/// Test helper: `StressWriter DB NAME COUNT` adds COUNT rooms named NAME-i, one write transaction (and audit event) each,
/// acting as root. Used by the multi-process concurrency test; prints one line per failure on standard error.
@main
struct StressWriter {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count == 4, let count = Int(arguments[3]) else {
            FileHandle.standardError.write(Data("usage: StressWriter DB NAME COUNT\n".utf8))
            exit(64)
        }
        do {
            let database = try SwitchboardDatabase(path: arguments[1], busyTimeoutMilliseconds: 30_000)
            let session = try Session.resolve(database: database, osUser: "root", isRoot: true, asLogin: nil, tool: "stress",
                                              host: "test", audit: AuditLog())
            let directory = DirectoryService(database: database, session: session, settings: .init())
            for index in 0..<count {
                try directory.addRoom(name: "\(arguments[2])-\(index)", fields: RoomFields(kind: "virtual", capacity: index))
            }
        } catch {
            FileHandle.standardError.write(Data("StressWriter \(arguments[2]): \(error)\n".utf8))
            exit(1)
        }
    }
}
