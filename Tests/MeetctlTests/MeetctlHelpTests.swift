import Foundation
import SwitchboardTestSupport
import Testing

/// `meetctl --help` at every level shows working examples that fit 78 columns.
@Suite struct MeetctlHelpTests {
    @Test func everyCommandHasExamplesThatNameRealCommandsAndOptions() throws {
        let (leaves, problems) = try CommandHelp.exampleProblems("meetctl")
        let names = Set(leaves.map { $0.joined(separator: " ") })
        for command in ["book", "reschedule", "cancel", "attendee add", "attendee remove", "outbox list", "outbox send"] {
            #expect(names.contains(command), "\(names.sorted())")
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        let top = try CommandHelp.help("meetctl", [])
        let examples = CommandHelp.examples(in: top, tool: "meetctl")
        #expect(examples.count >= 3)
        for example in examples {
            #expect(leaves.contains { Array(example.dropFirst().prefix($0.count)) == $0 }, "meetctl --help: \(example.joined(separator: " "))")
        }
    }
}
