import Foundation
import SwitchboardTestSupport
import Testing

@Suite struct MeetctlHelpTests {
    @Test func theToolIntroducesItselfWithExamples() throws {
        let result = try ProcessRunner.run(ProcessRunner.product("meetctl"), ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:") && result.stdout.contains("meetctl book"), "\(result.stdout)")
    }
}
