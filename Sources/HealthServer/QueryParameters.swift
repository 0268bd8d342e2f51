import Foundation
import HTTPTypes

/// A request's query string, read strictly: each parameter once, only the ones an endpoint
/// knows, percent-escapes decoded (and `+` kept as `+`, so `2026-12-05T08:00:00+07:00` needs no
/// escaping). Anything else is a 400 that names the parameter.
struct QueryParameters {
    private var values: [String: String] = [:]

    /// Parses `query` (without the `?`), allowing only `allowed`.
    init(_ query: String?, allowed: Set<String>) throws(HTTPProblem) {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = String(parts[0]).removingPercentEncoding, !name.isEmpty else {
                throw HTTPProblem(.badRequest, "the query string has a parameter without a name or with a broken %-escape: \(pair.prefix(60))")
            }
            guard allowed.contains(name) else {
                let known = allowed.isEmpty ? "this endpoint takes no parameter" : "known: \(allowed.sorted().joined(separator: ", "))"
                throw HTTPProblem(.badRequest, "unknown query parameter \(name.prefix(60)) (\(known))", parameter: String(name.prefix(60)))
            }
            guard values[name] == nil else { throw HTTPProblem(.badRequest, "query parameter \(name) is given more than once", parameter: name) }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            guard let value = raw.removingPercentEncoding else {
                throw HTTPProblem(.badRequest, "query parameter \(name) has a broken %-escape", parameter: name)
            }
            values[name] = value
        }
    }

    /// Whether the parameter is there (with or without a value).
    func has(_ name: String) -> Bool { values[name] != nil }

    /// The parameter's value, nil when absent.
    func string(_ name: String) -> String? { values[name] }

    /// An instant: ISO 8601 with a zone, or a local day `YYYY-MM-DD` in `zone` (its start, or
    /// with `dayEnd` the start of the next day). Required.
    func instant(_ name: String, zone: TimeZone, dayEnd: Bool = false) throws(HTTPProblem) -> Date {
        guard let text = values[name], !text.isEmpty else {
            throw HTTPProblem(.badRequest, "query parameter \(name) is required: an ISO 8601 instant (2026-11-01T00:00:00Z) or a day (2026-11-01)", parameter: name)
        }
        if let date = InstantParser.instant(text) { return date }
        if let date = dayEnd ? InstantParser.dayEnd(text, zone: zone) : InstantParser.dayStart(text, zone: zone) { return date }
        throw HTTPProblem(
            .badRequest, "query parameter \(name)=\(text.prefix(60)) is neither an ISO 8601 instant with a zone (2026-11-01T00:00:00Z, 2026-11-01T07:00:00+07:00) nor a day (2026-11-01)",
            parameter: name)
    }

    /// A whole number in `range`, `fallback` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, fallback: Int) throws(HTTPProblem) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw HTTPProblem(.badRequest, "query parameter \(name)=\(text.prefix(30)) must be a whole number from \(range.lowerBound) to \(range.upperBound)", parameter: name)
        }
        return value
    }
}
