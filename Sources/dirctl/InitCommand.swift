import ArgumentParser
import Foundation
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the database and its first admin.",
        discussion: """
            Creates the database file named by database.path (running every migration) and adds the
            first person, with the admin role. Refused when the directory already has people.

            Examples:
              dirctl init --admin lan.tran --name "Trần Thị Lan" --email lan@bo.gov.vn
              dirctl init --admin root --name "Quản trị hệ thống" --config trial.yaml
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Login of the first admin (the operating-system login that will run the tools).") var admin: String
    @Option(help: "The admin's full name.") var name: String
    @Option(help: "The admin's e-mail address.") var email: String?

    func run() async throws {
        try await ExitStatus.run(tool: "dirctl") {
            let loaded = try CommandContext.loadConfig(global)
            // Set-gid, the tool may write the database for anyone: making the first admin is root's.
            if CallerIdentity.isPrivileged, !OperatingSystem.isRoot {
                throw InitRefused(login: OperatingSystem.login())
            }
            let fields = PersonFields(displayName: name, email: email)
            try DirectoryService.checkFirstAdmin(admin, fields: fields)
            let database = try SwitchboardDatabase(path: loaded.config.database.path,
                                                   busyTimeoutMilliseconds: loaded.config.database.busyTimeoutMilliseconds, create: true)
            let audit = CommandContext.auditLog(loaded.config)
            let session = Session.bootstrap(database: database, osUser: OperatingSystem.login(), tool: "dirctl", host: OperatingSystem.hostName(), audit: audit)
            let person = try DirectoryService(database: database, session: session, settings: loaded.config.directory, defaultLanguage: loaded.config.locale.language)
                .initialize(admin: admin, fields: fields)
            if global.json {
                try Console.json(person)
            } else {
                Console.out("Initialized \(database.path) (schema \(try database.schemaVersion())); first admin: \(person.login) (\(person.displayName))")
            }
        }
    }
}

/// `dirctl init` run set-gid by someone other than root (exit 77; nothing is opened or written).
struct InitRefused: SwitchboardError {
    let login: String

    var description: String {
        "permission denied: \(login) may not run init: only root initializes the directory of an installed (set-gid) Switchboard"
    }

    var category: ErrorCategory { .denied }
}
