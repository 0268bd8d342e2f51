import Foundation
import HTTPTypes
import HealthMonitor
import Hummingbird
import Logging
import SwitchboardBase

/// Routes healthd's requests: the endpoints, 404 for any other path, 405 (with `Allow`) for a
/// method an endpoint does not take, HEAD wherever GET is. Every refusal is a JSON
/// ``APIErrorDocument``.
struct HealthResponder: HTTPResponder {
    typealias Context = HealthRequestContext

    let source: any HealthStatusSource
    let token: BearerToken
    let logger: Logger
    let bodies = SnapshotCache<RenderedBody>()
    let uptime = SnapshotCache<[String: [DayUptime]]>()

    /// The endpoints.
    enum Route: Equatable {
        case livez, readyz, health, metrics, page, status, maintenance
        case service(String), history(String), sla(String)

        /// The route of a path, nil when there is none.
        init?(path: String) {
            switch path {
            case "/livez": self = .livez
            case "/readyz": self = .readyz
            case "/health": self = .health
            case "/metrics": self = .metrics
            case "/": self = .page
            case "/api/v1/status": self = .status
            case "/api/v1/maintenance": self = .maintenance
            default:
                let prefix = "/api/v1/services/"
                guard path.hasPrefix(prefix) else { return nil }
                let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
                guard let first = parts.first, !first.isEmpty else { return nil }
                let name = String(first)
                switch parts.count {
                case 1: self = .service(name)
                case 2 where parts[1] == "history": self = .history(name)
                case 2 where parts[1] == "sla": self = .sla(name)
                default: return nil
                }
            }
        }

        /// The methods it takes (HEAD too wherever GET is).
        var methods: [HTTPRequest.Method] {
            self == .maintenance ? [.post] : [.get, .head]
        }
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let route = Route(path: request.uri.path) else {
            return HTTPProblem(.notFound, "no such endpoint: \(request.uri.path.prefix(100)) (see /api/v1/status, /metrics, /health, /)").response()
        }
        guard route.methods.contains(request.method) else {
            let allow = route.methods.map(\.rawValue).joined(separator: ", ")
            return HTTPProblem(.methodNotAllowed, "\(request.uri.path) takes \(allow), not \(request.method.rawValue)", headers: [.allow: allow]).response()
        }
        do {
            let response = try await handle(route, request: request, context: context)
            return request.method == .head ? response.createHeadResponse() : response
        } catch let problem as HTTPProblem {
            return problem.response()
        }
    }

    private func handle(_ route: Route, request: Request, context: Context) async throws -> Response {
        switch route {
        case .livez:
            _ = try QueryParameters(request.uri.query, allowed: [])
            return Self.text("ok\n")
        case .readyz:
            return try await readiness(request)
        case .health:
            _ = try QueryParameters(request.uri.query, allowed: [])
            let snapshot = await source.snapshot()
            return await bodies.value("health", stamp: snapshot.generatedAt) { Self.renderHealth(snapshot) }.response()
        case .metrics:
            _ = try QueryParameters(request.uri.query, allowed: [])
            let snapshot = await source.snapshot()
            return await bodies.value("metrics", stamp: snapshot.generatedAt) {
                RenderedBody(MetricsRenderer.render(snapshot), contentType: MetricsRenderer.contentType)
            }.response()
        case .status:
            _ = try QueryParameters(request.uri.query, allowed: [])
            let snapshot = await source.snapshot()
            return await bodies.value("status", stamp: snapshot.generatedAt) { Self.renderJSON(StatusDocument(snapshot: snapshot)) }.response()
        case .page:
            return try await page(request)
        case .service(let name):
            _ = try QueryParameters(request.uri.query, allowed: [])
            let snapshot = await source.snapshot()
            let service = try Self.service(name, in: snapshot)
            return Self.renderJSON(ServiceDetailDocument(service: service, snapshot: snapshot)).response()
        case .history(let name):
            return try await history(name, request)
        case .sla(let name):
            return try await sla(name, request)
        case .maintenance:
            return try await planMaintenance(request, context: context)
        }
    }

    // MARK: - Endpoints

    private func readiness(_ request: Request) async throws -> Response {
        let query = try QueryParameters(request.uri.query, allowed: ["verbose"])
        let checks = await source.readiness()
        let ready = checks.allSatisfy(\.ok)
        var text = ""
        if query.has("verbose") {
            for check in checks { text += check.ok ? "[+]\(check.name) ok: \(check.detail)\n" : "[-]\(check.name) failed: \(check.detail)\n" }
            text += ready ? "readyz check passed\n" : "readyz check failed\n"
        } else {
            text = ready ? "ok\n" : "not ready: " + checks.filter { !$0.ok }.map { "\($0.name): \($0.detail)" }.joined(separator: "; ") + "\n"
        }
        return Self.text(text, status: ready ? .ok : .serviceUnavailable)
    }

    private func page(_ request: Request) async throws -> Response {
        let query = try QueryParameters(request.uri.query, allowed: ["lang", "refresh"])
        let snapshot = await source.snapshot()
        var language = StatusStrings(language: snapshot.language).language
        if let asked = query.string("lang") {
            guard asked == "vi" || asked == "en" else { throw HTTPProblem(.badRequest, "query parameter lang must be vi or en", parameter: "lang") }
            language = asked
        }
        var autoRefresh = true
        if let refresh = query.string("refresh") {
            guard refresh == "on" || refresh == "off" else { throw HTTPProblem(.badRequest, "query parameter refresh must be on or off", parameter: "refresh") }
            autoRefresh = refresh == "on"
        }
        // The uptime figures are per day: fetched again once a minute of snapshot time, not per snapshot.
        let minute = Date(timeIntervalSince1970: (snapshot.generatedAt.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let source = self.source, logger = self.logger
        let days = await uptime.value("uptime", stamp: minute) {
            do {
                return try await source.uptimeDays(StatusPage.uptimeDays)
            } catch {
                logger.warning("status page shows no uptime bars: the history could not be read", metadata: ["error": "\(error)"])
                return [:]
            }
        }
        let key = "page-\(language)-\(autoRefresh)-\(minute.timeIntervalSince1970)"
        let pageLanguage = language, refresh = autoRefresh
        return await bodies.value(key, stamp: snapshot.generatedAt) {
            RenderedBody(
                StatusPage.render(StatusDocument(snapshot: snapshot), uptime: days, language: pageLanguage, autoRefresh: refresh), contentType: StatusPage.contentType)
        }.response()
    }

    private func history(_ name: String, _ request: Request) async throws -> Response {
        let query = try QueryParameters(request.uri.query, allowed: ["from", "to", "limit"])
        let snapshot = await source.snapshot()
        _ = try Self.service(name, in: snapshot)
        let (from, to) = try Self.window(query, snapshot: snapshot)
        let limit = try query.integer("limit", in: 1...10_000, fallback: 1_000)
        do {
            let results = try await source.history(service: name, from: from, to: to, limit: limit)
            return Self.renderJSON(HistoryDocument(service: name, from: from, to: to, limit: limit, results: results.map(ResultEntry.init))).response()
        } catch {
            throw problem(error, doing: "reading the history of \(name)")
        }
    }

    private func sla(_ name: String, _ request: Request) async throws -> Response {
        let query = try QueryParameters(request.uri.query, allowed: ["from", "to"])
        let snapshot = await source.snapshot()
        _ = try Self.service(name, in: snapshot)
        let (from, to) = try Self.window(query, snapshot: snapshot)
        do {
            let figure = try await source.sla(service: name, from: from, to: to)
            return Self.renderJSON(SLADocument(figure)).response()
        } catch {
            throw problem(error, doing: "computing the availability of \(name)")
        }
    }

    private func planMaintenance(_ request: Request, context: Context) async throws -> Response {
        _ = try QueryParameters(request.uri.query, allowed: [])
        do {
            try token.authorize(request.headers)
        } catch {
            if error.status == .unauthorized { logger.notice("maintenance request refused: no valid bearer token", metadata: ["origin": "\(context.peer)"]) }
            throw error
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: context.maxUploadSize)
        } catch {
            throw HTTPProblem(.contentTooLarge, "the body is larger than \(context.maxUploadSize / 1024) KiB")
        }
        let maintenance: MaintenanceRequest
        do {
            maintenance = try HealthJSON.decoder().decode(MaintenanceRequest.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw Self.problem(decoding: error)
        }
        do {
            let entry = try await source.planMaintenance(maintenance, origin: context.peer)
            logger.info(
                "maintenance planned over the API",
                metadata: ["origin": "\(context.peer)", "services": "\(entry.services.joined(separator: ","))", "id": "\(entry.id.map(String.init) ?? "-")"])
            let now = Date()
            let document = StatusDocument.Maintenance(
                id: entry.id, services: entry.services, start: entry.start, end: entry.end, reason: entry.reason, active: entry.start <= now && now < entry.end,
                createdBy: entry.createdBy)
            var response = Self.renderJSON(document, status: .created).response()
            if let id = entry.id { response.headers[.location] = "/api/v1/maintenance/\(id)" }
            return response
        } catch {
            throw problem(error, doing: "planning the maintenance window")
        }
    }

    // MARK: - Helpers

    private static func service(_ name: String, in snapshot: MonitorSnapshot) throws(HTTPProblem) -> ServiceSnapshot {
        guard let service = snapshot.services.first(where: { $0.name == name }) else {
            throw HTTPProblem(.notFound, "no service named \(name.prefix(100)) is monitored (see /api/v1/status for the names)")
        }
        return service
    }

    /// `from` and `to`, required, `to` after `from`; days in the snapshot's zone, `to`'s day included.
    private static func window(_ query: QueryParameters, snapshot: MonitorSnapshot) throws(HTTPProblem) -> (Date, Date) {
        let zone = TimeZone(identifier: snapshot.timeZone) ?? TimeZone(secondsFromGMT: 0) ?? .current
        let from = try query.instant("from", zone: zone)
        let to = try query.instant("to", zone: zone, dayEnd: true)
        guard to > from else { throw HTTPProblem(.badRequest, "query parameter to must be after from", parameter: "to") }
        return (from, to)
    }

    /// The answer to an error from the monitor: its category decides the status.
    private func problem(_ error: any Error, doing what: String) -> HTTPProblem {
        if let problem = error as? HTTPProblem { return problem }
        guard let error = error as? any SwitchboardError else {
            logger.error("internal error \(what)", metadata: ["error": "\(error)"])
            return HTTPProblem(.internalServerError, "internal error \(what): the daemon's log has the detail")
        }
        let status: HTTPResponse.Status =
            switch error.category {
            case .badInput, .usage: .badRequest
            case .denied: .forbidden
            case .unavailable, .config: .serviceUnavailable
            case .failed: .conflict
            }
        if status == .serviceUnavailable { logger.warning("\(what) failed", metadata: ["error": "\(error.description)"]) }
        return HTTPProblem(status, error.description)
    }

    /// A 400 naming the body field a decoding error is about.
    static func problem(decoding error: DecodingError) -> HTTPProblem {
        func path(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        let expected = "a JSON object {\"services\": [...], \"start\": ISO 8601, \"end\": ISO 8601, \"reason\": \"...\"}"
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return HTTPProblem(.badRequest, "the body lacks the field \(field): expected \(expected)", parameter: field)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return HTTPProblem(.badRequest, "the body's field \(field) has the wrong type: expected \(expected)", parameter: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty { return HTTPProblem(.badRequest, "the body is not JSON: expected \(expected)") }
            return HTTPProblem(.badRequest, "the body's field \(field): \(context.debugDescription)", parameter: field)
        @unknown default:
            return HTTPProblem(.badRequest, "the body cannot be read: expected \(expected)")
        }
    }

    private static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        RenderedBody(text, contentType: "text/plain; charset=utf-8", status: status).response()
    }

    private static func renderJSON(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> RenderedBody {
        do {
            var data = try HealthJSON.encoder().encode(value)
            data.append(0x0A)
            return RenderedBody(data, contentType: "application/json; charset=utf-8", status: status)
        } catch {
            return RenderedBody("{\"status\":500,\"error\":\"the answer could not be encoded\"}\n", contentType: "application/json; charset=utf-8", status: .internalServerError)
        }
    }

    private static func renderHealth(_ snapshot: MonitorSnapshot) -> RenderedBody {
        let document = HealthCheckDocument(snapshot: snapshot)
        var body = renderJSON(document, status: document.status == .fail ? .serviceUnavailable : .ok)
        body.contentType = HealthCheckDocument.contentType
        return body
    }
}

/// A body rendered once and served many times: its bytes, type and status.
struct RenderedBody: Sendable {
    var bytes: ByteBuffer
    var contentType: String
    var status: HTTPResponse.Status

    init(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) {
        self.bytes = ByteBuffer(string: text)
        self.contentType = contentType
        self.status = status
    }

    init(_ data: Data, contentType: String, status: HTTPResponse.Status = .ok) {
        self.bytes = ByteBuffer(bytes: data)
        self.contentType = contentType
        self.status = status
    }

    /// A response sharing the bytes (no copy).
    func response() -> Response {
        Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: ResponseBody(byteBuffer: bytes))
    }
}
