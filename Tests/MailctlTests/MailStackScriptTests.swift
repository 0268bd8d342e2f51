import Foundation
import SwitchboardTestSupport
import Testing

/// The root scripts (ops/mailstack/start and stop, ops/demo/run, ops/bench/run) against what an
/// unprivileged user could plant for them (issue 7, point 4): a link at a path they write, a
/// folder someone else made, a pid file naming another process. Real scripts, real Dovecot and
/// Postfix where a stack must run, each test in a folder of its own under /var/tmp on free ports.
@Suite struct MailStackScriptTests {
    /// A file the planted links point at: root's, mode 0600, with content that must survive.
    static let precious = "precious: must stay root:root 0600 and unchanged\n"

    @Test func startAndStopRefuseAStackFolderThatIsALink() throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        let real = sandbox.root + "/real-stack"
        try sandbox.mkdir(real)
        try FileManager.default.createSymbolicLink(atPath: sandbox.stack, withDestinationPath: real)

        let start = try sandbox.start()
        #expect(start.status == 64, "start on a linked stack folder: \(start.stderr)")
        #expect(start.stderr.contains("refusing \(sandbox.stack): it is a symbolic link"), "\(start.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).isEmpty, "start wrote through the link")
        let stop = try sandbox.stop()
        #expect(stop.status == 64, "stop on a linked stack folder: \(stop.stderr)")
        #expect(stop.stderr.contains("symbolic link"), "\(stop.stderr)")

        // Written with a trailing slash, which would make a test of the path follow the link.
        let slashed = try ProcessRunner.run(ScriptSandbox.startScript, sandbox.startArguments(dir: sandbox.stack + "/"))
        #expect(slashed.status == 64, "\(slashed.stderr)")
        #expect(slashed.stderr.contains("it is a symbolic link"), "\(slashed.stderr)")

        // Another user's link on the way to a folder that does not exist yet (in /var/tmp, say).
        let theirs = sandbox.root + "/their-link"
        try FileManager.default.createSymbolicLink(atPath: theirs, withDestinationPath: real)
        try sandbox.chown(theirs, user: "nobody")
        let through = try ProcessRunner.run(ScriptSandbox.startScript, sandbox.startArguments(dir: theirs + "/stack"))
        #expect(through.status == 64, "\(through.stderr)")
        #expect(through.stderr.contains("\(theirs) on its way is a symbolic link of nobody"), "\(through.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).isEmpty, "start made a folder through nobody's link")
    }

    @Test func startRefusesAStackFolderSomeoneElseMade() throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        // Made by another user (nobody) before the script ran.
        try sandbox.mkdir(sandbox.stack)
        try sandbox.chown(sandbox.stack, user: "nobody")
        let start = try sandbox.start()
        #expect(start.status == 64, "\(start.stderr)")
        #expect(start.stderr.contains("refusing \(sandbox.stack): it belongs to nobody"), "\(start.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.stack).isEmpty, "start wrote into nobody's folder")
        #expect(try Self.owner(sandbox.stack).uid != 0, "start took over nobody's folder")

        // A folder inside one that user owns: they could swap it after the check.
        let inside = sandbox.stack + "/inner"
        let nested = try ProcessRunner.run(ScriptSandbox.startScript, sandbox.startArguments(dir: inside))
        #expect(nested.status == 64, "\(nested.stderr)")
        #expect(nested.stderr.contains("the folder \(sandbox.stack) above it belongs to nobody"), "\(nested.stderr)")
        #expect(!FileManager.default.fileExists(atPath: inside))

        // Root's own, but writable by others.
        let open = sandbox.root + "/open-stack"
        try sandbox.mkdir(open, mode: 0o777)
        let writable = try ProcessRunner.run(ScriptSandbox.startScript, sandbox.startArguments(dir: open))
        #expect(writable.status == 64, "\(writable.stderr)")
        #expect(writable.stderr.contains("refusing \(open): it is writable by others"), "\(writable.stderr)")
    }

    @Test func startRefusesADatabaseFolderSomeoneElseMadeOrALinkedDatabase() throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        try sandbox.chown(sandbox.databaseFolder, user: "nobody")
        let foreign = try sandbox.start()
        #expect(foreign.status == 64, "\(foreign.stderr)")
        #expect(foreign.stderr.contains("refusing \(sandbox.databaseFolder): it belongs to nobody"), "\(foreign.stderr)")
        try sandbox.chown(sandbox.databaseFolder, user: "root")

        let target = try sandbox.makePrecious()
        let linked = sandbox.databaseFolder + "/linked.sqlite"
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: target)
        let run = try ProcessRunner.run(ScriptSandbox.startScript, sandbox.startArguments(database: linked))
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("refusing \(linked): it is a symbolic link"), "\(run.stderr)")
        try Self.expectUntouched(target)
    }

    /// The review's finding: a planted `-journal` link made a root 0600 file root:postfix 0660.
    @Test(arguments: ["-wal", "-shm", "-journal"])
    func startRefusesALinkAtADatabaseSideFileAndLeavesItsTargetAlone(suffix: String) throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        let target = try sandbox.makePrecious()
        let link = sandbox.database + suffix
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        let start = try sandbox.start()
        #expect(start.status == 64, "start with a planted \(suffix) link: \(start.stderr)")
        #expect(start.stderr.contains("refusing \(link): it is a symbolic link (to \(target))"), "\(start.stderr)")
        try Self.expectUntouched(target)
        // Refused before anything changed: the database folder is not yet group postfix.
        let folder = try Self.owner(sandbox.databaseFolder)
        #expect(folder.gid == 0 && folder.mode == 0o755, "the database folder changed before the refusal: \(folder)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.stack + "/env"))
    }

    /// A link planted at a path the stack writes (its env file, logs, configs, folders).
    @Test(arguments: ["env", "log", "log/dovecot.log", "log/postfix.log", "log/tls.log", "dovecot.conf",
                      "dovecot-sql.conf.ext", "postfix", "run", "state", "mail", "postfix-queue", "tls",
                      "opendkim", "opendkim/opendkim.conf", "opendkim/signing.lua", "log/opendkim.log",
                      "run/opendkim", "run/opendkim.pid"])
    func startRefusesALinkPlantedInTheStackFolder(path: String) throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        try sandbox.mkdir(sandbox.stack)
        if let slash = path.lastIndex(of: "/") { try sandbox.mkdir(sandbox.stack + "/" + path[..<slash]) }
        let target = try sandbox.makePrecious()
        let link = sandbox.stack + "/" + path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        let start = try sandbox.start(tls: true)
        #expect(start.status == 64, "start with a link at \(path): \(start.stderr)")
        #expect(start.stderr.contains("refusing \(link): it is a symbolic link"), "\(start.stderr)")
        try Self.expectUntouched(target)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target, "the planted link was replaced, not refused")
    }

    /// `stop` signals only its own daemons: a pid file naming another process is refused with
    /// one line, that process lives on, and the stack's Dovecot, Postfix and OpenDKIM still stop.
    @Test func stopLeavesAProcessNamedInAForgedPidFileAloneAndStillStopsItsDaemons() throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        // A -journal left by a writer that ran before the database was 0660: a regular file of
        // root's, which start gives the database's group and mode (on a descriptor, no link followed).
        let journal = sandbox.database + "-journal"
        #expect(FileManager.default.createFile(atPath: journal, contents: Data(), attributes: [.posixPermissions: 0o644]))

        let start = try sandbox.start()
        try #require(start.status == 0, "the stack did not start: \(start.stderr)")
        let postfixGroup = try #require(getgrnam("postfix")).pointee.gr_gid
        let fixed = try Self.owner(journal)
        #expect(fixed.uid == 0 && fixed.gid == postfixGroup && fixed.mode == 0o660, "the -journal file: \(fixed)")
        for port in sandbox.ports { #expect(Self.listening(port), "port \(port) of the started stack is closed") }

        let victims = try (0..<3).map { _ in try ProcessRunner.start("/usr/bin/sleep", ["600"]) }
        defer { for victim in victims { victim.kill(); _ = try? victim.finish(timeout: 10) } }
        let pidFiles = [sandbox.stack + "/run/dovecot/master.pid", sandbox.stack + "/postfix-queue/pid/master.pid",
                        sandbox.stack + "/run/opendkim.pid"]
        for (file, victim) in zip(pidFiles, victims) {
            try "\(victim.processIdentifier)\n".write(toFile: file, atomically: false, encoding: .utf8)
        }

        let stop = try sandbox.stop()
        #expect(stop.status == 1, "stop with forged pid files should stop the stack and exit 1: \(stop.stderr)")
        for (file, victim) in zip(pidFiles, victims) {
            #expect(stop.stderr.contains("refusing pid \(victim.processIdentifier) named in \(file): it is not this stack's"),
                    "\(stop.stderr)")
            #expect(stop.stderr.contains("it runs /usr/bin/sleep"), "\(stop.stderr)")
            #expect(Self.alive(victim.processIdentifier), "stop killed pid \(victim.processIdentifier), named in \(file)")
        }
        for port in sandbox.ports { #expect(!Self.listening(port), "port \(port) still open: the stack's own daemons were not stopped") }
        let status = try ProcessRunner.run(Repository.path("ops/mailstack/status"), ["--dir", sandbox.stack])
        #expect(status.status == 3 && status.stdout.contains("dovecot stopped") && status.stdout.contains("postfix stopped")
                && status.stdout.contains("opendkim stopped"),
                "\(status.stdout)\(status.stderr)")
    }

    /// Pid files are read only from a folder of root's own.
    @Test func stopReadsNoPidFileFromAFolderSomeoneElseOwns() throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        try sandbox.mkdir(sandbox.stack)
        try sandbox.mkdir(sandbox.stack + "/run")
        try sandbox.mkdir(sandbox.stack + "/run/dovecot")
        let victim = try ProcessRunner.start("/usr/bin/sleep", ["600"])
        defer { victim.kill(); _ = try? victim.finish(timeout: 10) }
        try "\(victim.processIdentifier)\n".write(toFile: sandbox.stack + "/run/dovecot/master.pid", atomically: false, encoding: .utf8)
        try sandbox.chown(sandbox.stack, user: "nobody")

        let stop = try sandbox.stop()
        #expect(stop.status == 64, "\(stop.stderr)")
        #expect(stop.stderr.contains("refusing \(sandbox.stack): it belongs to nobody"), "\(stop.stderr)")
        #expect(Self.alive(victim.processIdentifier), "stop killed the process named in nobody's pid file")
    }

    /// The demo's fixed mail-stack folder, made beforehand by another user, is refused before
    /// the demo removes or writes anything.
    @Test func demoRefusesAStackFolderSomeoneElseMade() throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        try sandbox.mkdir(sandbox.stack)
        try sandbox.chown(sandbox.stack, user: "nobody")
        let run = try ProcessRunner.run(
            Repository.path("ops/demo/run"), [],
            environment: ["DEMO_MAILSTACK": sandbox.stack, "DEMO_PORTS": sandbox.ports.map(String.init).joined(separator: " "),
                          "DIRCTL": ProcessRunner.product("dirctl"), "MAILCTL": ProcessRunner.product("mailctl")])
        #expect(run.status == 64, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("refusing \(sandbox.stack): it belongs to nobody"), "\(run.stderr)")
        #expect(!run.stdout.contains("Fresh demo database"), "the demo went on: \(run.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.stack).isEmpty)
    }

    /// The benchmark's kept tree of an earlier commit (BENCH_BEFORE_DIR) is refused when it is a
    /// link or someone else's folder.
    @Test func benchRefusesABeforeTreeThatIsALinkOrSomeoneElses() throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        let foreign = sandbox.root + "/before-foreign"
        try sandbox.mkdir(foreign)
        try sandbox.chown(foreign, user: "nobody")
        let linked = sandbox.root + "/before-link"
        let real = sandbox.root + "/before-real"
        try sandbox.mkdir(real)
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: real)
        for (folder, why) in [(foreign, "it belongs to nobody"), (linked, "it is a symbolic link")] {
            let run = try ProcessRunner.run(Repository.path("ops/bench/run"), ["--no-build", "--before", "HEAD"],
                                            environment: ["BENCH_BEFORE_DIR": folder])
            #expect(run.status == 64, "\(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("refusing \(folder): \(why)"), "\(run.stderr)")
            #expect(!run.stdout.contains("== "), "the benchmark went on: \(run.stdout)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: foreign).isEmpty)
    }

    // MARK: - The signer (issue 11): OpenDKIM as Postfix's milter

    /// The stack signs mail from a domain with an active key (d= the domain, s= its selector),
    /// delivers unsigned, never refuses, the mail of a domain whose key file is missing or
    /// unusable, signs with an Ed25519 key too (its own OpenDKIM process: one algorithm each), and
    /// still delivers with OpenDKIM stopped. Async, its scripts and polling on a thread of their
    /// own: the test run's two cooperative threads are needed by the async tests beside it.
    @Test func opendkimSignsWithTheDomainsKeyAndNeverHoldsMailBack() async throws {
        let sandbox = try await Self.offThePool { try ScriptSandbox() }
        defer { sandbox.remove() }
        let keys = try DKIMKeyFolder()
        defer { keys.remove() }
        let signed = "signed.stack.test", missing = "missing.stack.test", broken = "broken.stack.test", plain = "plain.stack.test"
        let rsa = try await Self.offThePool { try keys.makeKey(domain: signed, selector: "sel2026", algorithm: "RSA") }
        let ed25519 = try await Self.offThePool { try keys.makeKey(domain: signed, selector: "ed2026", algorithm: "ED25519") }
        let brokenKey = try keys.makeKey(domain: broken, selector: "sel1", contents: "not a private key\n")
        let t = "2026-12-05T08:00:00Z"
        func key(_ domainID: Int, _ selector: String, _ algorithm: String, _ path: String) -> String {
            "INSERT INTO mail_dkim_key(domain_id, selector, algorithm, public_key, key_path, state, created_at, activated_at) "
                + "VALUES (\(domainID), '\(selector)', '\(algorithm)', 'AAAA', \(SQLite.quote(path)), 'active', '\(t)', '\(t)');"
        }
        try SQLite.run(sandbox.database, """
            INSERT INTO person(id) VALUES (1);
            INSERT INTO mail_domain(id, name, status, created_at) VALUES
                (1, '\(signed)', 'active', '\(t)'), (2, '\(missing)', 'active', '\(t)'),
                (3, '\(broken)', 'active', '\(t)'), (4, '\(plain)', 'active', '\(t)');
            INSERT INTO mailbox(address, domain_id, person_id, display_name, password_hash, status, status_changed_at, created_at)
                VALUES ('inbox@\(plain)', 4, 1, 'Inbox', '{SHA512-CRYPT}x', 'active', '\(t)', '\(t)');
            \(key(1, "sel2026", "rsa-sha256", rsa))
            \(key(1, "ed2026", "ed25519-sha256", ed25519))
            \(key(2, "sel1", "rsa-sha256", keys.path + "/\(missing)/sel1.private"))
            \(key(3, "sel1", "rsa-sha256", brokenKey))
            """)

        let start = try await Self.offThePool { try sandbox.start() }
        try #require(start.status == 0, "the stack did not start: \(start.stderr)")
        let environment = try MailStackEnvironment(file: sandbox.stack + "/env")
        let socket = try environment.require("OPENDKIM_SOCKET")
        #expect(socket == sandbox.stack + "/run/opendkim/opendkim.sock")
        var info = stat()
        let inspected = lstat(socket, &info) == 0
        #expect(inspected && (info.st_mode & S_IFMT) == S_IFSOCK, "no socket at \(socket)")
        let status = try await Self.offThePool { try ProcessRunner.run(Repository.path("ops/mailstack/status"), ["--dir", sandbox.stack]) }
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("opendkim running pid=") && status.stdout.contains("socket=\(socket) answers=yes"),
                "status does not show OpenDKIM answering on its socket: \(status.stdout)")

        // Signed with both keys: one signature each, d= and s= of the active keys, each by the
        // process of its algorithm.
        let good = try await Self.offThePool { try sandbox.deliver(from: "someone@\(signed)", to: "inbox@\(plain)") }
        let signatures = Self.dkimSignatures(good)
        try #require(signatures.count == 2, "expected two DKIM-Signatures (RSA and Ed25519), got \(signatures.count): \(good.prefix(1500))")
        let byAlgorithm = Dictionary(signatures.map { ($0["a"] ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byAlgorithm["rsa-sha256"]?["d"] == signed && byAlgorithm["rsa-sha256"]?["s"] == "sel2026", "\(signatures)")
        #expect(byAlgorithm["ed25519-sha256"]?["d"] == signed && byAlgorithm["ed25519-sha256"]?["s"] == "ed2026", "\(signatures)")
        #expect(signatures.allSatisfy { $0["h"]?.lowercased().contains("from") == true }, "From: is not signed: \(signatures)")

        // A key file missing, or one that is no key: delivered, unsigned (not 451).
        for domain in [missing, broken] {
            let message = try await Self.offThePool { try sandbox.deliver(from: "someone@\(domain)", to: "inbox@\(plain)") }
            #expect(Self.dkimSignatures(message).isEmpty, "mail from \(domain) (key file unusable) was signed: \(message.prefix(1500))")
        }
        // A domain without keys: unsigned.
        let none = try await Self.offThePool { try sandbox.deliver(from: "someone@\(plain)", to: "inbox@\(plain)") }
        #expect(Self.dkimSignatures(none).isEmpty, "mail from \(plain) (no key) was signed: \(none.prefix(1500))")

        // OpenDKIM stopped: Postfix goes on without it (milter_default_action = accept).
        for signer in ["opendkim", "opendkim-ed25519"] {
            let stop = try await Self.offThePool {
                try ProcessRunner.run(Repository.path("ops/mailstack/stop"), ["--dir", sandbox.stack, "--only", signer])
            }
            #expect(stop.status == 0, "\(stop.stderr)")
        }
        let partly = try await Self.offThePool { try ProcessRunner.run(Repository.path("ops/mailstack/status"), ["--dir", sandbox.stack]) }
        #expect(partly.status == 1 && partly.stdout.contains("opendkim stopped") && partly.stdout.contains("opendkim-ed25519 stopped")
                    && partly.stdout.contains("postfix running"),
                "\(partly.stdout)")
        let unsigned = try await Self.offThePool { try sandbox.deliver(from: "someone@\(signed)", to: "inbox@\(plain)") }
        #expect(Self.dkimSignatures(unsigned).isEmpty, "signed with OpenDKIM stopped? \(unsigned.prefix(1500))")
    }

    /// A database the signer cannot use is refused with one line before anything starts: one
    /// without the key view (an older schema), one whose file name OpenDKIM's DSN cannot hold.
    @Test func startRefusesADatabaseWithoutTheKeyViewOrWithANameTheDSNCannotHold() throws {
        let sandbox = try ScriptSandbox()
        defer { sandbox.remove() }
        let odd = sandbox.databaseFolder + "/switch+board.sqlite"
        try FileManager.default.copyItem(atPath: sandbox.database, toPath: odd)
        try SQLite.run(sandbox.database, "DROP VIEW mail_dkim_signing_view;")
        let old = try sandbox.start()
        #expect(old.status == 66, "\(old.stderr)")
        #expect(old.stderr.contains("has no mail_dkim_signing_view") && old.stderr.contains("schema-v6-dkim.sql"), "\(old.stderr)")
        #expect(old.stderr.split(separator: "\n").count == 1, "more than one line: \(old.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.stack + "/env"))

        let named = try ProcessRunner.run(ScriptSandbox.startScript, sandbox.startArguments(database: odd))
        #expect(named.status == 64, "\(named.stderr)")
        #expect(named.stderr.contains("the database file name switch+board.sqlite cannot be named in OpenDKIM's DSN"), "\(named.stderr)")
        #expect(named.stderr.split(separator: "\n").count == 1, "more than one line: \(named.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.stack + "/env"))
    }

    /// Runs blocking work (a script, a polling loop) on a thread of its own and returns its result.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// The DKIM-Signature fields of a message, as tag dictionaries (folding and spaces removed).
    static func dkimSignatures(_ message: String) -> [[String: String]] {
        let normalized = message.replacingOccurrences(of: "\r\n", with: "\n")
        let head = normalized.components(separatedBy: "\n\n").first ?? ""
        var fields: [String] = []
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1] += String(line)
            } else {
                fields.append(String(line))
            }
        }
        return fields.filter { $0.lowercased().hasPrefix("dkim-signature:") }.map { field in
            var tags: [String: String] = [:]
            for part in field.dropFirst("dkim-signature:".count).split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let strip = { (text: Substring) in text.filter { !$0.isWhitespace } }
                tags[strip(pair[0])] = strip(pair[1])
            }
            return tags
        }
    }

    // MARK: - Helpers

    struct Owner: CustomStringConvertible {
        let uid: uid_t
        let gid: gid_t
        let mode: mode_t
        var description: String { "uid \(uid), gid \(gid), mode \(String(mode, radix: 8))" }
    }

    /// Owner, group and permission bits of a path, without following a link.
    static func owner(_ path: String) throws -> Owner {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw TestSetupError("cannot lstat \(path): errno \(errno)") }
        return Owner(uid: info.st_uid, gid: info.st_gid, mode: info.st_mode & 0o7777)
    }

    /// The link target still belongs to root:root with mode 0600 and its content.
    static func expectUntouched(_ target: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let now = try owner(target)
        #expect(now.uid == 0 && now.gid == 0 && now.mode == 0o600, "the link's target changed: \(now)", sourceLocation: sourceLocation)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == precious, "the link's target was written", sourceLocation: sourceLocation)
    }

    /// Is a process alive (and not a zombie)?
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.range(of: ") ", options: .backwards) else { return false }
        return !stat[close.upperBound...].hasPrefix("Z")
    }

    /// Does something accept connections on 127.0.0.1:port?
    static func listening(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// A folder of one test's own under /var/tmp (which the mail servers' users can reach), with a
/// database holding the mail schema, a stack folder name (not made) and three free ports.
struct ScriptSandbox {
    static let startScript = Repository.path("ops/mailstack/start")

    let root: String
    let databaseFolder: String
    let database: String
    let stack: String
    let ports: [Int]

    init() throws {
        guard getuid() == 0 else {
            throw TestSetupError("the root-script tests run as root (as `make test` does in CI): ops/mailstack/start starts Dovecot and Postfix")
        }
        var template = Array("/var/tmp/sb-scripttest-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSetupError("mkdtemp under /var/tmp failed: errno \(errno)") }
        root = String(cString: made)
        guard chmod(root, 0o755) == 0 else { throw TestSetupError("chmod \(root) failed") }
        databaseFolder = root + "/db"
        database = databaseFolder + "/switchboard.sqlite"
        stack = root + "/stack"
        ports = try Self.freePorts(3)
        try mkdir(databaseFolder)
        let schema = try String(contentsOfFile: Repository.path("ops/mail/schema.sql"), encoding: .utf8)
            + String(contentsOfFile: Repository.path("ops/mail/schema-v3-live-mail.sql"), encoding: .utf8)
            + String(contentsOfFile: Repository.path("ops/mail/schema-v6-dkim.sql"), encoding: .utf8)
        // The directory tables the mail views join (the real ones have more columns).
        let directory = """
            CREATE TABLE person(id INTEGER PRIMARY KEY, login TEXT, status TEXT NOT NULL DEFAULT 'active', manager_id INTEGER);
            CREATE TABLE directory_group(id INTEGER PRIMARY KEY);
            CREATE TABLE group_member(group_id INTEGER, person_id INTEGER, member_group_id INTEGER);

            """
        let created = try ProcessRunner.run(SQLite.binary, ["-batch", "-bail", database],
                                          stdin: "PRAGMA journal_mode=WAL;\n" + directory + schema)
        guard created.status == 0 else { throw TestSetupError("creating \(database) failed: \(created.stderr)") }
    }

    func startArguments(dir: String? = nil, database: String? = nil, tls: Bool = false) -> [String] {
        ["--db", database ?? self.database, "--dir", dir ?? stack,
         "--imap-port", String(ports[0]), "--smtp-port", String(ports[1]), "--submission-port", String(ports[2])]
            + (tls ? ["--tls", "--imaps-port", String(ports[0] + 1), "--submissions-port", String(ports[2] + 1)] : [])
    }

    func start(tls: Bool = false) throws -> CommandRun {
        try ProcessRunner.run(Self.startScript, startArguments(tls: tls))
    }

    func stop() throws -> CommandRun {
        try ProcessRunner.run(Repository.path("ops/mailstack/stop"), ["--dir", stack])
    }

    func mkdir(_ path: String, mode: mode_t = 0o755) throws {
        guard Glibc.mkdir(path, mode) == 0, chmod(path, mode) == 0 else { throw TestSetupError("mkdir \(path) failed: errno \(errno)") }
    }

    func chown(_ path: String, user: String) throws {
        guard let entry = getpwnam(user) else { throw TestSetupError("no user \(user) on this host") }
        guard lchown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else { throw TestSetupError("chown \(path) failed: errno \(errno)") }
    }

    /// Sends a message through the stack's SMTP port (a loopback client, as the tools' notices
    /// come) and returns it as delivered to `to`'s INBOX (read with doveadm), within 20 s.
    func deliver(from: String, to: String) throws -> String {
        let id = "\(UUID().uuidString.lowercased())@stack.test"
        let message = "From: Sender <\(from)>\r\nTo: <\(to)>\r\nSubject: DKIM check\r\nMessage-ID: <\(id)>\r\n"
            + "Date: Sat, 05 Dec 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + "Hello from the stack's signer test.\r\n"
        let file = root + "/message-\(id).eml"
        try message.write(toFile: file, atomically: true, encoding: .utf8)
        let sent = try ProcessRunner.run("/usr/bin/curl", ["-sS", "--max-time", "20", "smtp://127.0.0.1:\(ports[1])/stack.test",
                                                             "--mail-from", from, "--mail-rcpt", to, "-T", file])
        guard sent.status == 0 else {
            throw TestSetupError("SMTP from \(from) to \(to) failed (curl exit \(sent.status)): \(sent.stderr) (log: \(stack)/log/postfix.log)")
        }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let fetched = try ProcessRunner.run("/usr/bin/doveadm", ["-c", stack + "/dovecot.conf", "fetch", "-u", to, "text",
                                                                   "mailbox", "INBOX", "header", "Message-ID", "<\(id)>"])
            if fetched.status == 0, fetched.stdout.hasPrefix("text:\n") { return String(fetched.stdout.dropFirst("text:\n".count)) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestSetupError("the message from \(from) was not delivered to \(to) within 20 s (log: \(stack)/log/postfix.log)")
    }

    /// A root-owned 0600 file outside the paths the scripts use, for links to point at.
    func makePrecious() throws -> String {
        let path = root + "/precious"
        guard FileManager.default.createFile(atPath: path, contents: Data(MailStackScriptTests.precious.utf8), attributes: [.posixPermissions: 0o600])
        else { throw TestSetupError("cannot create \(path)") }
        return path
    }

    /// Stops whatever stack runs in the sandbox and removes it (the stack's folders belong to root,
    /// mail and postfix; root removes them all).
    func remove() {
        if FileManager.default.fileExists(atPath: stack + "/dovecot.conf") {
            _ = try? ProcessRunner.run(Repository.path("ops/mailstack/stop"), ["--dir", stack])
        }
        if let problem = ScratchFolder.remove(root) { Issue.record(Comment(rawValue: problem)) }
    }

    /// Free loopback ports, bound at once and released (each with a free neighbour above it, for
    /// the TLS ports of `--tls`).
    static func freePorts(_ count: Int) throws -> [Int] {
        var found: [Int] = []
        while found.count < count {
            let port = try LoopbackPort.free()
            if port < 65535, !found.contains(where: { abs($0 - port) <= 1 }), !MailStackScriptTests.listening(port + 1) {
                found.append(port)
            }
        }
        return found
    }
}

/// A DKIM key folder of one test's own under /var/lib/switchboard-test (OpenDKIM's
/// RequireSafeKeys refuses a key under /var/tmp, writable by everyone): KEYDIR root 0755,
/// KEYDIR/DOMAIN root, group postfix (the group the stack's OpenDKIM runs with), 0710, key files
/// owned by opendkim, 0400.
struct DKIMKeyFolder {
    static let parent = "/var/lib/switchboard-test"
    let path: String

    init() throws {
        if !FileManager.default.fileExists(atPath: Self.parent) {
            guard mkdir(Self.parent, 0o755) == 0 || errno == EEXIST else { throw TestSetupError("mkdir \(Self.parent) failed: errno \(errno)") }
        }
        var template = Array((Self.parent + "/stack-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSetupError("mkdtemp under \(Self.parent) failed: errno \(errno)") }
        path = String(cString: made)
        guard chmod(path, 0o755) == 0 else { throw TestSetupError("chmod \(path) failed") }
    }

    /// Makes KEYDIR/DOMAIN/SELECTOR.private: a new key made by openssl (`algorithm` RSA or
    /// ED25519) or the given contents; returns its path.
    func makeKey(domain: String, selector: String, algorithm: String = "RSA", contents: String? = nil) throws -> String {
        let folder = path + "/" + domain
        if !FileManager.default.fileExists(atPath: folder) {
            guard let postfix = getgrnam("postfix"), mkdir(folder, 0o710) == 0, chmod(folder, 0o710) == 0,
                  chown(folder, 0, postfix.pointee.gr_gid) == 0
            else { throw TestSetupError("cannot make \(folder) root:postfix 0710: errno \(errno)") }
        }
        let file = folder + "/" + selector + ".private"
        if let contents {
            try contents.write(toFile: file, atomically: false, encoding: .utf8)
        } else {
            try ProcessRunner.runChecked("/usr/bin/openssl", ["genpkey", "-algorithm", algorithm, "-out", file]
                                         + (algorithm == "RSA" ? ["-pkeyopt", "rsa_keygen_bits:2048"] : []))
        }
        guard let signer = getpwnam("opendkim") else { throw TestSetupError("no user opendkim: install opendkim (`make test` does, through ops/mailstack/start)") }
        guard chown(file, signer.pointee.pw_uid, 0) == 0, chmod(file, 0o400) == 0 else { throw TestSetupError("cannot chown/chmod \(file): errno \(errno)") }
        return file
    }

    func remove() {
        if let problem = ScratchFolder.remove(path) { Issue.record(Comment(rawValue: problem)) }
    }
}
