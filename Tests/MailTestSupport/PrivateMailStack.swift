import Foundation
public import SwitchboardTestSupport
import Testing

/// A Dovecot and Postfix of one test's own (ops/mailstack/start) on a database of its own, for
/// tests that stop the servers or replace the database under them: doing that to the test run's
/// shared stack would pull it from under the tests running beside. Stopped and removed on deinit.
public final class PrivateMailStack {
    /// The folder holding everything (`/var/tmp/sb-TAG-XXXXXX`).
    public let root: String
    /// The stack's folder (config, logs, mail).
    public let stackDir: String
    /// The database the servers read (made by `dirctl init --admin root`).
    public let database: String
    /// IMAP, SMTP and submission ports.
    public let ports: [Int]

    /// Makes the database and starts the servers; root only, as `make test` runs.
    public init(tag: String) throws {
        guard getuid() == 0 else {
            throw TestSetupError("this test starts a private mail stack (ops/mailstack/start): run it as root, as `make test` does")
        }
        var template = Array("/var/tmp/sb-\(tag)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSetupError("mkdtemp under /var/tmp failed: errno \(errno)") }
        root = String(cString: made)
        stackDir = root + "/stack"
        database = root + "/db/switchboard.sqlite"
        var found: [Int] = []
        while found.count < 3 {
            let port = try LoopbackPort.free()
            if !found.contains(port) { found.append(port) }
        }
        ports = found
        guard chmod(root, 0o755) == 0 else { throw TestSetupError("chmod \(root) failed") }
        try FileManager.default.createDirectory(atPath: root + "/db", withIntermediateDirectories: false)
        try "database:\n  path: \(database)\n".write(toFile: root + "/init.yaml", atomically: true, encoding: .utf8)
        try ProcessRunner.runChecked(ProcessRunner.product("dirctl"), ["init", "--admin", "root", "--name", "Quản trị", "--config", root + "/init.yaml"])
        try start()
    }

    /// The env file's values, for ``MailWorkspace/init(stack:mailSettings:)``.
    public var environment: MailStackEnvironment {
        get throws { try MailStackEnvironment(file: stackDir + "/env") }
    }

    /// Starts (again) the servers on the same ports and database.
    public func start() throws {
        try ProcessRunner.runChecked(Repository.path("ops/mailstack/start"), [
            "--db", database, "--dir", stackDir,
            "--imap-port", String(ports[0]), "--smtp-port", String(ports[1]), "--submission-port", String(ports[2]),
        ])
    }

    /// Stops the servers (the mail server is down until ``start()``).
    public func stop() throws {
        try ProcessRunner.runChecked(Repository.path("ops/mailstack/stop"), ["--dir", stackDir])
    }

    deinit {
        if FileManager.default.fileExists(atPath: stackDir + "/dovecot.conf") {
            _ = try? ProcessRunner.run(Repository.path("ops/mailstack/stop"), ["--dir", stackDir])
        }
        if let problem = ScratchFolder.remove(root) { Issue.record(Comment(rawValue: problem)) }
    }
}
