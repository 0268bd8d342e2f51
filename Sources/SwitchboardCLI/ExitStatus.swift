public import ArgumentParser
import Foundation
import GRDB
import SwitchboardCore

/// The exit statuses of every tool (DESIGN.md): 0, 1 failed, 64 usage, 65 bad data, 69 unavailable, 77 denied, 78 config.
public enum ExitStatus {
    /// The operation ran and failed.
    public static let failed = ExitCode(1)
    /// Bad usage.
    public static let usage = ExitCode(64)
    /// Bad input data.
    public static let dataError = ExitCode(65)
    /// A needed service (the database, a mail server) is unavailable.
    public static let unavailable = ExitCode(69)
    /// Permission denied.
    public static let denied = ExitCode(77)
    /// The configuration is unusable.
    public static let config = ExitCode(78)

    /// Prints one line for `error` on standard error and returns the exit code it maps to.
    public static func report(_ error: any Error, tool: String) -> ExitCode {
        let code: ExitCode
        switch error {
        case let error as DirectoryError:
            code = error.code == .refused ? failed : dataError
        case is AccessDenied:
            code = denied
        case is ConfigError:
            code = config
        case is DatabaseOpenError:
            code = unavailable
        case is CSVError, is EmailAddressError, is InputFileError, is CommandLineFileError:
            code = dataError
        case let error as any ExitStatusProviding:
            code = ExitCode(error.exitStatus)
        case let error as DatabaseError:
            // Say what happened without the SQL statement GRDB appends.
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                Console.error("\(tool): the database is busy: another process held the write lock longer than database.busy_timeout_ms; try again")
                return unavailable
            case .SQLITE_CONSTRAINT:
                Console.error("\(tool): refused by the database: \(error.message ?? "a constraint failed")")
                return dataError
            default:
                Console.error("\(tool): database error: \(error.message ?? "\(error.resultCode)")")
                return failed
            }
        case is AuditKeyError:
            code = dataError
        case is UsageError:
            code = usage
        default:
            code = failed
        }
        Console.error("\(tool): \(oneLine(error))")
        return code
    }

    /// Runs `body`, turning library errors into one line and an exit status.
    public static func run(tool: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            throw report(error, tool: tool)
        }
    }

    static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
