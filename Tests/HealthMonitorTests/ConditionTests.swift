import Foundation
import HealthMonitor
import Testing

/// What a probe saw, judged against each kind of condition.
@Suite struct ConditionTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30 00:53:20 UTC

    static func http(_ conditions: [ProbeCondition]) -> ServiceDefinition {
        ServiceDefinition(name: "portal", kind: .http, target: "https://portal.example/health", conditions: conditions)
    }

    static func seen(status: Int? = 200, body: String = "", seconds: Double = 0.1, expiry: Date? = nil) -> ProbeObservation {
        ProbeObservation(durationSeconds: seconds, phases: ["total": seconds], httpStatus: status, body: Array(body.utf8),
                         certificateExpiry: expiry, summary: status.map { "HTTP \($0)" } ?? "")
    }

    static func judge(_ conditions: [ProbeCondition], _ observation: ProbeObservation) -> (ProbeOutcome, String) {
        let result = ConditionEvaluator.evaluate(observation, for: http(conditions), at: now)
        return (result.outcome, result.detail)
    }

    @Test func noAnswerIsDownWithTheFailureLine() {
        let result = ConditionEvaluator.evaluate(ProbeObservation(failure: "connection refused by 127.0.0.1:9", durationSeconds: 0.002),
                                                 for: Self.http([]), at: Self.now)
        #expect(result.outcome == .down && result.detail == "connection refused by 127.0.0.1:9")
        #expect(result.service == "portal" && result.at == Self.now && result.durationSeconds == 0.002)
    }

    @Test func statusCodesAndTheImplied2xx() {
        #expect(Self.judge([], Self.seen(status: 204)) == (.up, "HTTP 204"))
        #expect(Self.judge([], Self.seen(status: 503)) == (.down, "HTTP 503, expected 2xx"))
        #expect(Self.judge([ProbeCondition(.statusIn([200]))], Self.seen(status: 503)) == (.down, "HTTP 503, expected 200"))
        #expect(Self.judge([ProbeCondition(.statusIn([200, 401]))], Self.seen(status: 401)) == (.up, "HTTP 401"))
        #expect(Self.judge([ProbeCondition(.statusIn([200, 204]))], Self.seen(status: 500)) == (.down, "HTTP 500, expected 200 or 204"))
    }

    @Test func bodyTextAndPattern() {
        #expect(Self.judge([ProbeCondition(.bodyContains("ok"))], Self.seen(body: "status: ok")).0 == .up)
        #expect(Self.judge([ProbeCondition(.bodyContains("ok"))], Self.seen(body: "maintenance")) == (.down, "body does not contain \"ok\""))
        #expect(Self.judge([ProbeCondition(.bodyMatches("^v[0-9]+\\.[0-9]+$"))], Self.seen(body: "v2.14")).0 == .up)
        #expect(Self.judge([ProbeCondition(.bodyMatches("^v[0-9]+$"))], Self.seen(body: "beta")) == (.down, "body does not match \"^v[0-9]+$\""))
    }

    @Test func jsonFieldsComparedByTheirJSONText() {
        let body = #"{"data": {"status": "ok", "load": 1.50, "ready": true, "items": [{"name": "db"}], "note": null}}"#
        for (path, value) in [("data.status", "ok"), ("data.load", "1.5"), ("data.ready", "true"), ("data.items.0.name", "db"), ("data.note", "null")] {
            #expect(Self.judge([ProbeCondition(.jsonEquals(path: path, value: value))], Self.seen(body: body)).0 == .up, "\(path)")
        }
        #expect(Self.judge([ProbeCondition(.jsonEquals(path: "data.status", value: "up"))], Self.seen(body: body))
            == (.down, "JSON data.status is \"ok\", expected \"up\""))
        #expect(Self.judge([ProbeCondition(.jsonEquals(path: "data.ready", value: "1"))], Self.seen(body: body))
            == (.down, "JSON data.ready is true, expected \"1\""))
        #expect(Self.judge([ProbeCondition(.jsonEquals(path: "data.items.3.name", value: "db"))], Self.seen(body: body))
            == (.down, "JSON data.items.3.name is missing, expected \"db\""))
        #expect(Self.judge([ProbeCondition(.jsonEquals(path: "status", value: "ok"))], Self.seen(body: "<html>"))
            == (.down, "body is not JSON, expected status = \"ok\""))
    }

    @Test func aSlowAnswerIsDegradedUnlessTheConditionIsCritical() {
        #expect(Self.judge([ProbeCondition(.responseTimeBelow(.milliseconds(800)))], Self.seen(seconds: 0.5)).0 == .up)
        #expect(Self.judge([ProbeCondition(.responseTimeBelow(.milliseconds(800)))], Self.seen(seconds: 1.234))
            == (.degraded, "response took 1234 ms, expected below 800ms"))
        #expect(Self.judge([ProbeCondition(.responseTimeBelow(.milliseconds(800)), severity: .critical)], Self.seen(seconds: 1.234)).0 == .down)
    }

    @Test func certificateExpiryNamesTheDaysAndTheDate() {
        let fiveDays = Self.now.addingTimeInterval(5 * 86_400 + 3600)
        #expect(Self.judge([ProbeCondition(.certificateValidDays(14))], Self.seen(expiry: fiveDays))
            == (.degraded, "certificate expires in 5 days (2026-12-05), expected more than 14"))
        #expect(Self.judge([ProbeCondition(.certificateValidDays(14))], Self.seen(expiry: Self.now.addingTimeInterval(30 * 86_400))).0 == .up)
        #expect(Self.judge([ProbeCondition(.certificateValidDays(14))], Self.seen(expiry: Self.now.addingTimeInterval(-86_400)))
            == (.degraded, "certificate expired on 2026-11-29, expected it valid for more than 14 days"))
        #expect(Self.judge([ProbeCondition(.certificateValidDays(14))], Self.seen()) == (.degraded, "no certificate seen, expected one valid for more than 14 days"))
    }

    @Test func theFirstFailedCriticalConditionWinsOverWarnings() {
        let conditions = [
            ProbeCondition(.responseTimeBelow(.milliseconds(100))),
            ProbeCondition(.certificateValidDays(14)),
            ProbeCondition(.bodyContains("ok")),
            ProbeCondition(.bodyContains("ready")),
        ]
        let observation = Self.seen(body: "fail", seconds: 2, expiry: Self.now.addingTimeInterval(86_400 * 2))
        #expect(Self.judge(conditions, observation) == (.down, "body does not contain \"ok\""))
        let warningsOnly = Self.seen(body: "ok ready", seconds: 2, expiry: Self.now.addingTimeInterval(86_400 * 2))
        #expect(Self.judge(conditions, warningsOnly) == (.degraded, "response took 2000 ms, expected below 100ms"))
    }

    @Test func otherKindsJudgeOnlyTheirConditions() {
        let tls = ServiceDefinition(name: "ldaps", kind: .tls, target: "ldap.example:636", conditions: [ProbeCondition(.certificateValidDays(14))])
        let result = ConditionEvaluator.evaluate(ProbeObservation(durationSeconds: 0.05, certificateExpiry: Self.now.addingTimeInterval(90 * 86_400),
                                                                  summary: "TLS 1.3"), for: tls, at: Self.now)
        #expect(result.outcome == .up && result.detail == "TLS 1.3")
        let tcp = ServiceDefinition(name: "db", kind: .tcp, target: "db.example:5432")
        #expect(ConditionEvaluator.evaluate(ProbeObservation(durationSeconds: 0.01), for: tcp, at: Self.now).detail == "ok")
    }
}
