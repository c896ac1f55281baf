import Foundation
import Testing
@testable import AkashExporter
import ExporterKit
import TestSupport

/// The CoinMarketCap key is a secret: with a recognisable key, every CoinMarketCap error path is run against the
/// exporter, and the key must show up only in the `X-CMC_PRO_API_KEY` header of its requests: in no request
/// target, no other header, no log line, no `/metrics` body, no landing page and no state file.
@Suite("The API key stays secret on every error path")
struct SecretsTests {
    static let key = "KEY-canary-9f8e7d"

    /// Every way a CoinMarketCap call can fail, and the reason it is counted under.
    enum ErrorPath: String, Sendable, CaseIterable, CustomStringConvertible {
        case keyInvalid = "401 error 1001"
        case keyMissing = "401 error 1002"
        case paymentRequired = "402 error 1003"
        case planForbids = "403 error 1006"
        case minuteLimit = "429 error 1008 with Retry-After"
        case ipLimit = "429 error 1011"
        case dailyCredits = "429 error 1009"
        case monthlyCredits = "429 error 1010"
        case serverError = "500"
        case noAnswer = "timeout"
        case cutOff = "truncated body"
        case notJSON = "bad JSON"
        /// A hostile or careless upstream quoting the key back in its error message.
        case keyEchoed = "401 whose error message quotes the key"

        var description: String { rawValue }

        func reply(_ source: SourceUnderTest) -> FakeReply {
            switch self {
            case .keyInvalid: .cmcError(1001, status: 401)
            case .keyMissing: .cmcError(1002, status: 401)
            case .paymentRequired: .cmcError(1003, status: 402)
            case .planForbids: .cmcError(1006, status: 403)
            case .minuteLimit: .cmcError(1008, status: 429, headers: ["Retry-After": "60"])
            case .ipLimit: .cmcError(1011, status: 429)
            case .dailyCredits: .cmcError(1009, status: 429)
            case .monthlyCredits: .cmcError(1010, status: 429)
            case .serverError: .json(Data(#"{"status":{"error_code":500,"error_message":"unexpected server error"}}"#.utf8), status: 500)
            case .noAnswer: .hang
            case .cutOff: .truncated(try! Fixtures.data(source.fixture))
            case .notJSON: .json(Data(#"{"status": {"error_code": 0, "data": [tru"#.utf8))
            case .keyEchoed:
                .json(Data(#"{"status":{"error_code":1001,"error_message":"This API Key is invalid: \#(key) (key \#(key))"}}"#.utf8),
                      status: 401)
            }
        }

        var reason: FailureReason {
            switch self {
            case .keyInvalid, .keyMissing, .paymentRequired, .planForbids, .keyEchoed: .auth
            case .minuteLimit, .ipLimit: .rateLimited
            case .dailyCredits, .monthlyCredits: .creditsExhausted
            case .serverError: .http
            case .noAnswer: .timeout
            case .cutOff: .connection
            case .notJSON: .decode
            }
        }
    }

    @Test("the key is only ever in its header", arguments: ErrorPath.allCases)
    func keyStaysSecret(_ path: ErrorPath) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let statePath = directory.appendingPathComponent("state.json").path
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let exporter = try ExporterUnderTest(fake, ["--state.file=\(statePath)", "--cmc.timeout=3s"], apiKey: Self.key)
        let market = SourceUnderTest.all.filter { $0.api == .coinMarketCap }

        // A healthy round first, so that the state file holds the market's ids and credits.
        #expect(await exporter.poll(at: UpstreamFaultTests.healthyAt), "down: \(exporter.down)")
        for source in market { fake.route(source.path, path.reply(source)) }
        #expect(await exporter.poll(at: UpstreamFaultTests.brokenAt) == false)
        exporter.state.saveIfChanged()

        // The error path was taken: every CoinMarketCap source failed for the expected reason.
        let scrape = try exporter.scrape(at: UpstreamFaultTests.brokenAt)
        for source in market {
            #expect(scrape.failures(source.name, path.reason) == 1, "\(source.name): \(exporter.down)")
        }

        // Requests: the key in its header, and only there.
        let cmcRequests = fake.requests.filter { $0.path.hasPrefix("/cmc/") }
        #expect(cmcRequests.count >= 2 * market.count)
        for request in cmcRequests {
            #expect(request.header("X-CMC_PRO_API_KEY") == Self.key)
        }
        for request in fake.requests {
            #expect(!request.rawTarget.contains(Self.key), "key in the URL \(request.rawTarget)")
            for (name, value) in request.headers where name != "x-cmc_pro_api_key" {
                #expect(!value.contains(Self.key), "key in header \(name)")
            }
        }

        // What the exporter writes and serves.
        let logs = exporter.logs.lines.joined()
        #expect(logs.contains("msg=\"poll failed\" source=cmc_quotes reason=\(path.reason.rawValue)"))
        #expect(!logs.contains(Self.key), "key in a log line")
        #expect(scrape.text.contains("akash_exporter_source_up{source=\"cmc_quotes\"} 0"))
        #expect(!scrape.text.contains(Self.key), "key in /metrics")
        let landing = LandingPage(telemetryPath: "/metrics", description: ExporterConfig.summary)
            .render(health: exporter.health.snapshot, now: UpstreamFaultTests.brokenAt)
        #expect(landing.contains("<td>cmc_quotes</td><td>down</td>"))
        #expect(!landing.contains(Self.key), "key on the landing page")
        let state = try String(contentsOfFile: statePath, encoding: .utf8)
        #expect(state.contains("7431"), "the state file holds the resolved ids")
        #expect(!state.contains(Self.key), "key in the state file")
    }
}
