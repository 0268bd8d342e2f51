import Foundation
import MailAdmin
import SwitchboardCore

/// Mail benchmarks: bulk import against the pure hashing cost, notifications with and without connection reuse.
enum MailBenchmarks {
    static func importAccounts(count: Int) throws {
        let database = try SwitchboardBench.freshDatabase()
        let audit = AuditLog()
        let bootstrap = Session.bootstrap(osUser: "root", tool: "bench", host: "bench", audit: audit)
        _ = try DirectoryService(database: database, session: bootstrap, settings: .init())
            .initialize(admin: "root", fields: PersonFields(displayName: "Quản trị"))
        let session = try Session.resolve(database: database, osUser: "root", asLogin: nil, tool: "bench", host: "bench", audit: audit)
        let mail = MailAdministration(database: database, session: session, settings: .init())
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

    static func notifications(count: Int, envFile: String) throws {
        guard let text = try? String(contentsOfFile: envFile, encoding: .utf8) else {
            print("ERROR: no mail stack env at \(envFile)")
            return
        }
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { env[parts[0]] = parts[1] }
        }
        guard let port = env["SMTP_PORT"].flatMap(Int.init), let templates = env["TEMPLATES"] else {
            print("ERROR: the env file lacks SMTP_PORT or TEMPLATES")
            return
        }
        var settings = MailSettings()
        settings.relay = .init(host: "127.0.0.1", port: port, security: .plain)
        settings.templatesDir = templates
        settings.notificationFrom = "helpdesk@bench.test"
        let notifier = try MailNotifier(settings: settings, timeZone: "Asia/Ho_Chi_Minh")
        // Recipients that do not exist would bounce at RCPT: send to the postmaster-less sink of the test domain.
        let recipient = env["BENCH_RECIPIENT"] ?? "sink@bench.test"
        let account = NotificationRecipient(address: recipient, displayName: "Hộp thư kiểm thử", language: "vi")
        let mails = try (0..<count).map { _ in try notifier.render(.quotaWarning, to: account, values: ["used_mb": "900", "quota_mb": "1024", "percent": "88"]) }
        let reused = try notifier.send(mails, reuseConnection: true)
        SwitchboardBench.report("\(count) notifications, one connection", reused, "s")
        let fresh = try notifier.send(mails, reuseConnection: false)
        SwitchboardBench.report("\(count) notifications, a connection each", fresh, "s")
        SwitchboardBench.report("  speed-up from reuse", fresh / reused, "x", goal: "3x")
    }

}
