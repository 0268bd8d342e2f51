public import Foundation
import SwitchboardBase
import SwitchboardCore

/// Judges what a probe saw against the service's conditions.
public enum ConditionEvaluator {
    /// The result of one probe of `service` that started at `at`.
    ///
    /// No answer (`failure` set) is down, with the failure line. Otherwise each condition is
    /// checked: the first failed critical one makes it down, else the first failed warning one
    /// makes it degraded; the detail names the condition and what was seen (`HTTP 503, expected
    /// 200`). An http service without a `status` condition expects a 2xx status (as
    /// blackbox_exporter does). When everything holds, the detail is what was seen.
    public static func evaluate(_ observation: ProbeObservation, for service: ServiceDefinition, at: Date) -> ProbeResult {
        var result = ProbeResult(service: service.name, at: at, outcome: .up, durationSeconds: observation.durationSeconds,
                                 detail: observation.summary.isEmpty ? "ok" : observation.summary, httpStatus: observation.httpStatus,
                                 certificateExpiry: observation.certificateExpiry, phases: observation.phases)
        if let failure = observation.failure {
            result.outcome = .down
            result.detail = failure
            return result
        }
        var conditions = service.conditions
        if service.kind == .http, !conditions.contains(where: { if case .statusIn = $0.check { true } else { false } }) {
            conditions.insert(ProbeCondition(.statusIn(Array(200...299))), at: 0)
        }
        var firstWarning: String?
        for condition in conditions {
            guard let problem = failure(of: condition.check, in: observation, at: at) else { continue }
            if condition.severity == .critical {
                result.outcome = .down
                result.detail = problem
                return result
            }
            if firstWarning == nil { firstWarning = problem }
        }
        if let firstWarning {
            result.outcome = .degraded
            result.detail = firstWarning
        }
        return result
    }

    /// What failed, or nil when `check` holds.
    static func failure(of check: ProbeCondition.Check, in observation: ProbeObservation, at: Date) -> String? {
        switch check {
        case .statusIn(let codes):
            let expected = codes == Array(200...299) ? "2xx" : codes.map(String.init).joined(separator: " or ")
            guard let status = observation.httpStatus else { return "no HTTP status, expected \(expected)" }
            return codes.contains(status) ? nil : "HTTP \(status), expected \(expected)"
        case .bodyContains(let text):
            return body(observation).contains(text) ? nil : "body does not contain \(quoted(text))"
        case .bodyMatches(let pattern):
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return "body_matches \(quoted(pattern)) is not a valid regular expression" }
            let text = body(observation)
            let found = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            return found ? nil : "body does not match \(quoted(pattern))"
        case .jsonEquals(let path, let expected):
            return jsonFailure(observation, path: path, expected: expected)
        case .responseTimeBelow(let limit):
            let seconds = observation.durationSeconds
            return seconds < limit.inSeconds ? nil : "response took \(milliseconds(seconds)), expected below \(HealthDuration.format(limit))"
        case .certificateValidDays(let days):
            guard let expiry = observation.certificateExpiry else { return "no certificate seen, expected one valid for more than \(days) days" }
            let left = Int((expiry.timeIntervalSince(at) / 86_400).rounded(.down))
            let day = dayFormatter.string(from: expiry)
            if expiry <= at { return "certificate expired on \(day), expected it valid for more than \(days) days" }
            return left > days ? nil : "certificate expires in \(left) day\(left == 1 ? "" : "s") (\(day)), expected more than \(days)"
        }
    }

    private static func body(_ observation: ProbeObservation) -> String {
        String(decoding: observation.body ?? [], as: UTF8.self)
    }

    private static func quoted(_ text: String) -> String {
        let flat = text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : String($0) }.joined()
        return "\"" + (flat.count > 60 ? String(flat.prefix(60)) + "…" : flat) + "\""
    }

    private static func milliseconds(_ seconds: Double) -> String {
        seconds < 10 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%.1f s", seconds)
    }

    private static let dayFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }()

    /// Walks `path` (`data.items.0.name`) in the JSON body and compares the value's JSON text
    /// with `expected` (numbers compared as numbers, so `1.50` equals `1.5`).
    private static func jsonFailure(_ observation: ProbeObservation, path: String, expected: String) -> String? {
        guard let data = observation.body.map({ Data($0) }), let root = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return "body is not JSON, expected \(path) = \(quoted(expected))"
        }
        var value = root
        for key in path.split(separator: ".") {
            switch value {
            case .object(let members):
                guard let next = members[String(key)] else { return "JSON \(path) is missing, expected \(quoted(expected))" }
                value = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return "JSON \(path) is missing, expected \(quoted(expected))" }
                value = items[index]
            default:
                return "JSON \(path) is missing, expected \(quoted(expected))"
            }
        }
        let equal: Bool
        switch value {
        case .string(let text): equal = text == expected
        case .number(let number): equal = Double(expected) == number
        case .bool(let flag): equal = expected == (flag ? "true" : "false")
        case .null: equal = expected == "null"
        case .object, .array: equal = false
        }
        return equal ? nil : "JSON \(path) is \(value.shown), expected \(quoted(expected))"
    }
}

/// A JSON value, decoded without Foundation's bridging (which blurs booleans and numbers).
private enum JSONValue: Decodable {
    case string(String), number(Double), bool(Bool), null, array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    var shown: String {
        switch self {
        case .string(let text): "\"\(text.count > 60 ? String(text.prefix(60)) + "…" : text)\""
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
