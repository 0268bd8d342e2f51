import Foundation
import SwitchboardCore
import SwitchboardBase

/// One mailbox's storage use.
public struct QuotaLine: Sendable, Codable, Equatable {
    /// The mailbox.
    public var address: String
    /// KiB used.
    public var usedKiB: Int
    /// KiB allowed, nil for none.
    public var limitKiB: Int?
    /// Use as a percentage of the limit.
    public var percent: Int?
    /// True at or over the warning threshold.
    public var flagged: Bool

    enum CodingKeys: String, CodingKey { case address, usedKiB = "used_kib", limitKiB = "limit_kib", percent, flagged }
}

/// Reads every mailbox's usage from Dovecot (`doveadm quota get -A`), the one place that knows it.
public struct QuotaReporter: Sendable {
    /// The Dovecot configuration `doveadm` reads (empty: its default).
    public var doveadmConfig: String
    /// Percentage from which a mailbox is flagged.
    public var threshold: Int

    /// A reporter.
    public init(doveadmConfig: String, threshold: Int = 80) {
        self.doveadmConfig = doveadmConfig
        self.threshold = threshold
    }

    /// Only the mailboxes of `domain` when given (an IDN name may be given in Unicode).
    public func report(domain: String?) throws -> [QuotaLine] {
        guard let domain else { return try report() }
        let suffix = "@" + (Punycode.toASCII(domain: domain) ?? domain.lowercased())
        return try report().filter { $0.address.hasSuffix(suffix) }
    }

    /// Runs doveadm and parses its table, sorted by use, highest first.
    public func report() throws -> [QuotaLine] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/doveadm")
        process.arguments = (doveadmConfig.isEmpty ? [] : ["-c", doveadmConfig]) + ["-f", "tab", "quota", "get", "-A"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // Started with the caller's group: doveadm gets no more than its caller has.
        do { try CallerIdentity.perform { try process.run() } } catch {
            throw MailError(step: "quota report", problem: "cannot run /usr/bin/doveadm (\(error.localizedDescription)); run the report on the mail server")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let first = errors.split(separator: "\n").first.map(String.init) ?? "exit \(process.terminationStatus)"
            throw MailError(step: "quota report", problem: "doveadm failed: \(first)")
        }
        return Self.parse(String(decoding: data, as: UTF8.self), threshold: threshold)
    }

    /// Parses `doveadm -f tab quota get -A`: username, quota name, type, value, limit, percent.
    static func parse(_ text: String, threshold: Int) -> [QuotaLine] {
        var lines: [QuotaLine] = []
        for row in text.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 6, fields[2] == "STORAGE", let used = Int(fields[3]) else { continue }
            let limit = Int(fields[4])
            let percent = limit.flatMap { $0 > 0 ? used * 100 / $0 : nil }
            lines.append(QuotaLine(address: fields[0], usedKiB: used, limitKiB: limit, percent: percent, flagged: (percent ?? 0) >= threshold))
        }
        return lines.sorted { ($0.percent ?? -1, $0.usedKiB) > ($1.percent ?? -1, $1.usedKiB) }
    }
}
