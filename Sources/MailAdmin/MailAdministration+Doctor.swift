import Logging
public import SwitchboardBase
import SwitchboardCore

/// The outcome of one `mailctl doctor` run.
public struct DoctorReport: Sendable, Codable {
    /// The steps in order, each with its result and timing.
    public var steps: [DoctorStep]
    /// The whole run, in seconds.
    public var seconds: Double
    /// True when every step passed (a warning passes: the mailbox works).
    public var passed: Bool { steps.allSatisfy { $0.result == "ok" || $0.result == "warning" } }
}

extension MailAdministration {
    /// Proves a mailbox works end to end, and records the run with its outcome.
    ///
    /// The order is the policy: authorize first, only then ask for the password (`password` is
    /// called once, after the check), run every step with its timing from `clock`, and record
    /// the outcome after the network work (ok, or failed naming the step).
    public func doctor(
        address: String, timeZone: String, clock: any Clock<Duration> = ContinuousClock(),
        password: () throws -> Secret
    ) async throws -> DoctorReport {
        let target = "mailbox:\(address.lowercased())"
        try session.authorize(.mailAccountDoctor, target: target)
        let secret = try password()
        let doctor = MailDoctor(database: database, settings: settings, timeZone: timeZone, clock: clock, wallClock: self.clock,
                                transport: transport)
        var steps: [DoctorStep] = []
        let seconds = try await clock.seconds { steps = try await doctor.run(address: address, password: secret) }
        let report = DoctorReport(steps: steps, seconds: seconds)
        for step in steps {
            session.logger.debug("doctor \(address): \(step.name) \(step.result) in \(Int(step.seconds * 1000)) ms: \(step.detail)")
        }
        var details = AuditDetails()
        details["failed_step"] = steps.first { $0.result == "failed" }?.name ?? ""
        try session.record(.mailAccountDoctor, target: target, outcome: report.passed ? .ok : .failed, details: details)
        return report
    }
}

extension Clock where Duration == Swift.Duration {
    /// Runs `work` and returns how long it took by this clock, in seconds.
    func seconds(_ work: () throws -> Void) rethrows -> Double {
        let start = now
        try work()
        return start.duration(to: now).inSeconds
    }

    /// Runs `work` and returns how long it took by this clock, in seconds.
    func seconds(_ work: () async throws -> Void) async rethrows -> Double {
        let start = now
        try await work()
        return start.duration(to: now).inSeconds
    }
}

