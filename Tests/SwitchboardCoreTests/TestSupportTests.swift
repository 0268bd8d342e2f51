import Foundation
import SwitchboardTestSupport
import Testing

/// The shared test helpers fail loudly themselves: a hung program, bad SQL or a missing stack is an error, not a pass.
@Suite struct TestSupportTests {
    @Test func aProgramThatHangsIsKilledAndTheRunFails() throws {
        let start = ContinuousClock.now
        #expect(throws: TestSetupError.self) { _ = try ProcessRunner.run("/bin/sleep", ["30"], timeout: 1) }
        #expect(ContinuousClock.now - start < .seconds(10))
        let run = try ProcessRunner.run("/bin/sh", ["-c", "cat; echo oops >&2; exit 3"], stdin: "hello")
        #expect(run.status == 3 && run.stdout == "hello" && run.stderr == "oops\n")
    }

    @Test func sqlite3FailuresAreErrors() throws {
        let folder = try ScratchFolder.make("support-test")
        defer { #expect(ScratchFolder.remove(folder) == nil) }
        let database = folder + "/x.sqlite"
        try SQLite.run(database, "CREATE TABLE t (v TEXT); INSERT INTO t VALUES (\(SQLite.quote("it's")));")
        #expect(try SQLite.scalar(database, "SELECT v FROM t") == "it's")
        #expect(throws: TestSetupError.self) { try SQLite.run(database, "SELEKT * FROM t") }
        #expect(throws: TestSetupError.self) { try SQLite.run(database, "SELECT * FROM missing_table") }
    }

    @Test func theStackEnvFileIsReadWithItsShellEscapes() throws {
        let values = MailStackEnvironment.parse("IMAP_PORT=48143\nMAILSTACK_DIR=/var/tmp/a\\ b\nbroken line\n")
        #expect(values == ["IMAP_PORT": "48143", "MAILSTACK_DIR": "/var/tmp/a b"])
        #expect(throws: TestSetupError.self) { _ = try MailStackEnvironment(file: "/nonexistent/env") }
        let folder = try ScratchFolder.make("support-env")
        defer { #expect(ScratchFolder.remove(folder) == nil) }
        try "IMAP_PORT=x\n".write(toFile: folder + "/env", atomically: true, encoding: .utf8)
        let env = try MailStackEnvironment(file: folder + "/env")
        #expect(throws: TestSetupError.self) { _ = try env.port("IMAP_PORT") }
        #expect(throws: TestSetupError.self) { _ = try env.require("MAILSTACK_DB") }
    }

    @Test func helpIsReadForSubcommandsExamplesAndOptions() {
        let help = """
            OVERVIEW: Things.

            Examples:
              tool thing add x --name "A B"
              printf '%s\\n' "$P" | tool thing add y --password-stdin > out.txt

            USAGE: tool thing add [--name <name>] [--password-stdin]

            OPTIONS:
              --name <name>           The name.
              --password-stdin        Read it.
              -h, --help              Show help information.

            SUBCOMMANDS:
              add                     Add a thing; the
                                      abstract wraps.
              remove                  Remove one.

              See 'tool help <subcommand>' for detailed help.
            """
        #expect(CommandHelp.subcommands(in: help) == ["add", "remove"])
        #expect(CommandHelp.examples(in: help, tool: "tool") == [
            ["tool", "thing", "add", "x", "--name", "\"A", "B\""], ["tool", "thing", "add", "y", "--password-stdin"],
        ])
        #expect(CommandHelp.options(in: help) == ["--name", "--password-stdin", "--help"])
        #expect(Repository.path("Package.swift").hasSuffix("/Package.swift"))
        #expect(FileManager.default.fileExists(atPath: Repository.path("Package.swift")))
    }
}
