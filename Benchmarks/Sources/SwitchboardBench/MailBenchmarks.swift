import Foundation
import MailAdmin
import SwitchboardCore

/// Mail benchmarks: bulk import against the pure hashing cost, notifications with and without connection reuse.
enum MailBenchmarks {
    static func importAccounts(count: Int) throws {
        let session = try SwitchboardBench.adminSession()
        let mail = MailAdministration(database: session.database, session: session, settings: .init())
        try mail.addDomain("bench.gov.vn")
        var csv = "address,display_name,quota_mb\n"
        for index in 0..<count { csv += "nv\(index)@bench.gov.vn,Nhân viên \(index),1024\n" }

        let cores = ProcessInfo.processInfo.activeProcessorCount
        let sample = 200
        let hasher = CryptPasswordHasher()
        let hashSeconds = try SwitchboardBench.time {
            for _ in 0..<sample { _ = try hasher.hash(PasswordGenerator.generate()) }
        }
        let perHash = hashSeconds / Double(sample)
        let ideal = perHash * Double(count) / Double(cores)
        SwitchboardBench.report("yescrypt hash, one core", perHash * 1000, "ms each")
        SwitchboardBench.report("ideal: \(count) hashes / \(cores) cores", ideal, "s")
        var report: MailImportReport?
        let seconds = try SwitchboardBench.time {
            report = try mail.importAccounts(csv: Data(csv.utf8), fileName: "bench.csv", dryRun: false)
        }
        SwitchboardBench.report("mailbox import of \(count)", seconds, "s", goal: "within 1.2x of ideal")
        SwitchboardBench.report("  ratio to ideal", seconds / ideal, "x")
        if report?.created != count { print("ERROR: created \(report?.created ?? 0) of \(count): \(report?.problems.prefix(3) ?? [])") }
    }

    /// 1,000 notifications through the local Postfix, timed against Python's smtplib sending the
    /// same rendered messages over one connection (ops/bench/smtp-send.py), in alternating rounds
    /// that each start with an empty Postfix queue. Only the sending is timed on both sides.
    ///
    /// The env file is the stack's (ops/mailstack/start) plus TEMPLATES, BENCH_RECIPIENT, WORK (a
    /// folder for the messages file) and optionally SINK_PORT (a Postfix smtp-sink, which accepts
    /// and discards: the client's own cost without Postfix's queue).
    static func notifications(count: Int, envFile: String, rounds: Int = 3) async throws {
        guard let text = try? String(contentsOfFile: envFile, encoding: .utf8) else {
            print("ERROR: no mail stack env at \(envFile)")
            return
        }
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { env[parts[0]] = parts[1] }
        }
        guard let port = env["SMTP_PORT"].flatMap(Int.init), let templates = env["TEMPLATES"], let work = env["WORK"],
              let postfix = env["POSTFIX_CONFIG_DIR"], let script = env["SMTP_SEND_SCRIPT"] else {
            print("ERROR: the env file lacks SMTP_PORT, TEMPLATES, WORK, POSTFIX_CONFIG_DIR or SMTP_SEND_SCRIPT")
            return
        }
        var settings = MailSettings()
        settings.relay = .init(host: "127.0.0.1", port: port, security: .plain)
        settings.templatesDir = templates
        settings.notificationFrom = "helpdesk@bench.test"
        let notifier = try MailNotifier(settings: settings, timeZone: "Asia/Ho_Chi_Minh")
        // Recipients that do not exist would bounce at RCPT: send to the sink mailbox of the bench domain.
        let recipient = env["BENCH_RECIPIENT"] ?? "sink@bench.test"
        let account = NotificationRecipient(address: recipient, displayName: "Hộp thư kiểm thử", language: "vi")
        let mails = try (0..<count).map { _ in try notifier.render(.quotaWarning, to: account, values: ["used_mb": "900", "quota_mb": "1024", "percent": "88"]) }
        let file = work + "/messages.json"
        let documents = mails.map { ["from": $0.from, "to": $0.to, "message": $0.message] }
        try JSONSerialization.data(withJSONObject: documents).write(to: URL(fileURLWithPath: file))
        let bytes = mails.reduce(0) { $0 + $1.message.utf8.count }
        SwitchboardBench.report("rendered notifications (\(bytes / count) bytes each)", Double(count), "messages")

        var swift: [Double] = []
        var swiftParallel: [Double] = []
        var python: [Double] = []
        for _ in 0..<rounds {
            try waitForEmptyQueue(postfix)
            swift.append(try await notifier.send(mails, reuseConnection: true))
            try waitForEmptyQueue(postfix)
            swiftParallel.append(try await notifier.send(mails, reuseConnection: true, connections: 4))
            try waitForEmptyQueue(postfix)
            python.append(try pythonSend(script: script, file: file, port: port, mode: "smtplib"))
        }
        let swiftMedian = median(swift), parallelMedian = median(swiftParallel), pythonMedian = median(python)
        SwitchboardBench.report("\(count) notifications, one connection", swiftMedian, "s",
                                note: "median of \(rounds): \(swift.map { String(format: "%.2f", $0) }.joined(separator: " "))")
        SwitchboardBench.report("\(count) notifications, 4 connections at once", parallelMedian, "s",
                                note: "median of \(rounds): \(swiftParallel.map { String(format: "%.2f", $0) }.joined(separator: " "))")
        SwitchboardBench.report("\(count) same messages, python smtplib", pythonMedian, "s",
                                note: "median of \(rounds): \(python.map { String(format: "%.2f", $0) }.joined(separator: " "))")
        SwitchboardBench.report("  one connection over smtplib", pythonMedian / swiftMedian, "x")
        SwitchboardBench.report("  mailctl's batch send (4 connections) over smtplib", pythonMedian / parallelMedian, "x", goal: "1.5x or more")

        // Where the time goes: the same client against a server that keeps nothing (smtp-sink),
        // and what pipelining or parallel connections would give against the real Postfix.
        if let sink = env["SINK_PORT"].flatMap(Int.init) {
            var sinkSettings = settings
            sinkSettings.relay = .init(host: "127.0.0.1", port: sink, security: .plain)
            let sinkNotifier = try MailNotifier(settings: sinkSettings, timeZone: "Asia/Ho_Chi_Minh")
            let swiftSink = try await sinkNotifier.send(mails, reuseConnection: true)
            let pythonSink = try pythonSend(script: script, file: file, port: sink, mode: "smtplib")
            SwitchboardBench.report("  to smtp-sink (no queue): mailctl", swiftSink, "s")
            SwitchboardBench.report("  to smtp-sink (no queue): python smtplib", pythonSink, "s")
        }
        try waitForEmptyQueue(postfix)
        let pipelined = try pythonSend(script: script, file: file, port: port, mode: "pipelined")
        SwitchboardBench.report("  python, PIPELINING (RFC 2920), one connection", pipelined, "s")
        try waitForEmptyQueue(postfix)
        let parallel = try pythonSend(script: script, file: file, port: port, mode: "parallel4")
        SwitchboardBench.report("  python smtplib, 4 connections in parallel", parallel, "s")

        try waitForEmptyQueue(postfix)
        let fresh = try await notifier.send(mails, reuseConnection: false)
        SwitchboardBench.report("\(count) notifications, a connection each", fresh, "s")
        SwitchboardBench.report("  speed-up from reuse", fresh / swiftMedian, "x", goal: "3x")
        try waitForEmptyQueue(postfix)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Runs ops/bench/smtp-send.py and returns the seconds it reports for its sending alone.
    static func pythonSend(script: String, file: String, port: Int, mode: String) throws -> Double {
        let output = try run("/usr/bin/python3", [script, "--port", String(port), "--messages", file, "--mode", mode])
        guard let seconds = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("smtp-send.py printed \"\(output)\" instead of the seconds")
        }
        return seconds
    }

    /// Waits (up to 2 minutes) until Postfix has delivered everything queued, so each round starts alike.
    static func waitForEmptyQueue(_ configDir: String) throws {
        for _ in 0..<1200 {
            if try run("/usr/sbin/postqueue", ["-c", configDir, "-p"]).contains("Mail queue is empty") { return }
            usleep(100_000)
        }
        throw BenchError("the Postfix queue of \(configDir) did not drain in 2 minutes")
    }

    /// Runs a program; its standard output, or an error naming its exit status and standard error.
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("\(program) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: problems, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A benchmark that could not run as set up.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
