import Foundation
import Synchronization
import HealthMonitor
import HealthServer
import SwitchboardBase
import Testing

/// `POST /api/v1/maintenance`: the bearer token guards it; refusals change nothing.
@Suite struct MaintenanceAPITests {
    static let body = #"{"services":["portal"],"start":"2026-12-06T22:00:00+07:00","end":"2026-12-06T23:30:00+07:00","reason":"Nâng cấp cổng"}"#

    /// A token file holding `token` (with a trailing newline, as editors write it).
    static func tokenFile(_ token: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("healthd-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("token").path
        try (token + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func withoutOrWithAWrongTokenIs401AndNothingChanges() async throws {
        let source = FixtureSource(Fixture.snapshot())
        let file = try Self.tokenFile("s3cret-token-value")
        try await TestServer.with(source, tokenFile: file) { server in
            for headers in [
                [], [("Authorization", "Bearer wrong-token-value!")], [("Authorization", "Bearer s3cret-token-valu")], [("Authorization", "Bearer s3cret-token-value2")],
                [("Authorization", "Basic czNjcmV0LXRva2VuLXZhbHVl")], [("Authorization", "Bearer")], [("Authorization", "s3cret-token-value")],
            ] {
                let response = try await server.request("POST", "/api/v1/maintenance", headers: [("Content-Type", "application/json")] + headers, body: Self.body)
                #expect(response.status == 401, "\(headers)")
                #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
                #expect(!response.text.contains("s3cret"), "the token never comes back")
            }
            #expect(source.state.withLock { $0.planned.isEmpty })
        }
    }

    @Test func theRightTokenPlansTheWindowWithThePeerAsOrigin() async throws {
        let source = FixtureSource(Fixture.snapshot())
        let file = try Self.tokenFile("s3cret-token-value")
        try await TestServer.with(source, tokenFile: file) { server in
            let response = try await server.request("POST", "/api/v1/maintenance", headers: [("Authorization", "bearer s3cret-token-value")], body: Self.body)
            #expect(response.status == 201, "\(response.text)")
            #expect(response.header("Location") == "/api/v1/maintenance/1")
            let entry = try HealthJSON.decoder().decode(StatusDocument.Maintenance.self, from: Data(response.body))
            #expect(entry.services == ["portal"])
            #expect(entry.start == (try Date("2026-12-06T15:00:00Z", strategy: .iso8601)))
            #expect(entry.createdBy == "healthd-api")
            let planned = try #require(source.state.withLock { $0.planned.first })
            #expect(planned.0 == MaintenanceRequest(
                services: ["portal"], start: try Date("2026-12-06T15:00:00Z", strategy: .iso8601), end: try Date("2026-12-06T16:30:00Z", strategy: .iso8601),
                reason: "Nâng cấp cổng"))
            #expect(planned.1 == "127.0.0.1")

            // a token file changed while running is read again
            try "rotated-token\n".write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try await server.request("POST", "/api/v1/maintenance", headers: [("Authorization", "Bearer s3cret-token-value")], body: Self.body).status == 401)
            #expect(try await server.request("POST", "/api/v1/maintenance", headers: [("Authorization", "Bearer rotated-token")], body: Self.body).status == 201)
        }
    }

    @Test func noTokenFileRefusesWith403() async throws {
        let source = FixtureSource(Fixture.snapshot())
        try await TestServer.with(source, tokenFile: nil) { server in
            let response = try await server.request("POST", "/api/v1/maintenance", headers: [("Authorization", "Bearer anything")], body: Self.body)
            #expect(response.status == 403)
            #expect(try response.error().error.contains("token_file"))
        }
        let emptyFile = try Self.tokenFile("  ")
        try await TestServer.with(source, tokenFile: emptyFile) { server in
            // an empty token file never lets an empty token through
            let response = try await server.request("POST", "/api/v1/maintenance", headers: [("Authorization", "Bearer ")], body: Self.body)
            #expect(response.status == 503)
            #expect(try response.error().error.contains("is empty"))
        }
        #expect(source.state.withLock { $0.planned.isEmpty })
    }

    @Test(arguments: [
        ("not json", nil as String?),
        (#"{"services":["portal"],"end":"2026-12-06T23:30:00Z","reason":"x"}"#, "start"),
        (#"{"services":"portal","start":"2026-12-06T22:00:00Z","end":"2026-12-06T23:30:00Z","reason":"x"}"#, "services"),
        (#"{"services":["portal"],"start":"tomorrow","end":"2026-12-06T23:30:00Z","reason":"x"}"#, "start"),
    ])
    func aBadBodyIs400NamingTheField(body: String, field: String?) async throws {
        let source = FixtureSource(Fixture.snapshot())
        let file = try Self.tokenFile("tok")
        try await TestServer.with(source, tokenFile: file) { server in
            let response = try await server.request("POST", "/api/v1/maintenance", headers: [("Authorization", "Bearer tok")], body: body)
            #expect(response.status == 400, "\(response.text)")
            #expect(try response.error().parameter == field)
        }
        #expect(source.state.withLock { $0.planned.isEmpty })
    }

    @Test(arguments: [(ErrorCategory.badInput, 400), (.denied, 403), (.unavailable, 503)])
    func theMonitorsRefusalMapsToAStatus(category: ErrorCategory, status: Int) async throws {
        let source = FixtureSource(Fixture.snapshot())
        source.state.withLock { $0.planError = FixtureError(category: category, description: "maintenance refused: the end 2026-12-01 is in the past") }
        let file = try Self.tokenFile("tok")
        try await TestServer.with(source, tokenFile: file) { server in
            let response = try await server.request("POST", "/api/v1/maintenance", headers: [("Authorization", "Bearer tok")], body: Self.body)
            #expect(response.status == status)
            #expect(try response.error().error == "maintenance refused: the end 2026-12-01 is in the past")
        }
    }
}
