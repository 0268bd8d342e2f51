import SwitchboardTestSupport
import Testing

@Suite struct RepliesHelpTests {
    /// `replies sync` and `show` each show examples of themselves that use only their own options
    /// and fit 78 columns.
    @Test func repliesAndShowHaveWorkingExamples() throws {
        let (leaves, problems) = try CommandHelp.exampleProblems("meetctl")
        #expect(leaves.contains(["replies", "sync"]) && leaves.contains(["show"]), "\(leaves)")
        let ours = problems.filter { $0.hasPrefix("meetctl replies") || $0.hasPrefix("meetctl show") }
        #expect(ours.isEmpty, "\(ours.joined(separator: "\n"))")
    }
}
