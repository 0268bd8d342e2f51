import Foundation
import SwitchboardCore
public import SwitchboardBase

/// Reads a password without it ever touching argv: from standard input, or a prompt with echo off.
public enum PasswordInput {
    /// The first line of standard input (`--password-stdin`), without its line ending.
    public static func fromStandardInput() throws -> Secret {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw UsageError("--password-stdin: standard input held no password (give it as the first line)")
        }
        return Secret(line)
    }

    /// Prompts twice on the terminal with echo off; nil when standard input is not a terminal
    /// and holds nothing (`</dev/null`, a closed pipe).
    ///
    /// Standard input that is not a terminal but holds data is a password piped without
    /// `--password-stdin`: refused, rather than ignored while another password is generated.
    public static func prompt(_ label: String) throws -> Secret? {
        guard isatty(STDIN_FILENO) == 1 else {
            try refusePipedPassword()
            return nil
        }
        let first = try readHidden("\(label): ")
        let second = try readHidden("Again: ")
        guard first == second else { throw UsageError("the two passwords differ; nothing was changed") }
        return first.isEmpty ? nil : Secret(first)
    }

    /// Prompts once on the terminal with echo off (a current password); nil when standard input
    /// is not a terminal.
    public static func promptOnce(_ label: String) throws -> Secret? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        let answer = try readHidden("\(label): ")
        return answer.isEmpty ? nil : Secret(answer)
    }

    /// Throws when standard input holds at least one byte (it waits for the writer to write or close).
    private static func refusePipedPassword() throws {
        var byte: UInt8 = 0
        guard read(STDIN_FILENO, &byte, 1) > 0 else { return }
        throw UsageError("standard input is not a terminal and holds data: to use it as the password, add --password-stdin (nothing was changed)")
    }

    private static func readHidden(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var hidden = saved
        hidden.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &hidden)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}
