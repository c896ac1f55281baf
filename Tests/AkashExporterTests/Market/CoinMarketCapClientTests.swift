import Foundation
import Synchronization
import Testing
@testable import AkashExporter
import ExporterKit
import TestSupport

/// The one place that turns CoinMarketCap answers into data or failures, checked answer by answer.
@Suite struct CoinMarketCapClientTests {
    private final class Credits: Sendable {
        let counted = Mutex<[Int]>([])
        func add(_ credits: Int, _: Date) { counted.withLock { $0.append(credits) } }
    }

    private func outcome(_ fixture: String?, status: Int, body: Data? = nil, headers: [String: String] = [:],
                         credits: Credits = Credits()) throws -> Result<CMCFearGreed, SourceFailure> {
        let data = try body ?? fixture.map { try Fixtures.data("cmc/\($0)") } ?? Data()
        let response = UpstreamResponse(status: status, headers: headers, body: data)
        return Result { () throws(SourceFailure) in
            try CoinMarketCapClient.decode(CMCFearGreed.self, from: response, what: "fear & greed", now: MarketTesting.now,
                                           countCredits: credits.add)
        }
    }

    private func failure(_ fixture: String?, status: Int, body: Data? = nil, headers: [String: String] = [:]) throws -> SourceFailure {
        guard case .failure(let failure) = try outcome(fixture, status: status, body: body, headers: headers) else {
            Issue.record("expected a failure")
            return SourceFailure(.http, "")
        }
        return failure
    }

    @Test func successCountsItsCredits() throws {
        let credits = Credits()
        let result = try outcome("fear-and-greed.json", status: 200, credits: credits)
        #expect(try result.get().value == 40)
        #expect(credits.counted.withLock { $0 } == [1])
    }

    @Test(arguments: ["error-1001.json", "error-1002.json", "error-1001-string-code.json"])
    func invalidOrMissingKeyIsAuth(fixture: String) throws {
        let failure = try failure(fixture, status: 401)
        #expect(failure.reason == .auth)
        #expect(failure.message.contains("invalid or missing"))
        #expect(failure.message.contains("CMC_API_KEY or --cmc.api-key-file"))
    }

    @Test(arguments: [("error-1003.json", 402), ("error-1004.json", 402), ("error-1005.json", 403),
                      ("error-1006.json", 403), ("error-1007.json", 403)])
    func planProblemsAreAuth(fixture: String, status: Int) throws {
        #expect(try failure(fixture, status: status).reason == .auth)
    }

    @Test func plain403IsAuthAnd404IsHTTP() throws {
        #expect(try failure(nil, status: 403, body: Data("Forbidden".utf8)).reason == .auth)
        #expect(try failure(nil, status: 404, body: Data("<html>".utf8)).reason == .http)
    }

    @Test func rateLimitsHonourRetryAfter() throws {
        let minute = try failure("error-1008.json", status: 429, headers: ["retry-after": "42"])
        #expect(minute.reason == .rateLimited && minute.retryAfter == 42)
        let ip = try failure("error-1011.json", status: 429)
        #expect(ip.reason == .rateLimited && ip.retryAfter == 60)  // the minute window, when no Retry-After
    }

    @Test func exhaustedCreditsWaitForTheReset() throws {
        let daily = try failure("error-1009.json", status: 429)
        #expect(daily.reason == .creditsExhausted && daily.retryAfter == 42_900)  // 12:05 → midnight UTC
        let monthly = try failure("error-1010.json", status: 429)
        #expect(monthly.reason == .creditsExhausted && monthly.retryAfter == 474_900)  // → June 1st UTC
    }

    @Test func serverErrorsAndBadRequestsAreHTTP() throws {
        let server = try failure(nil, status: 502, body: Data("bad gateway".utf8))
        #expect(server.reason == .http && server.message == "fear & greed: HTTP 502")
        let bad = try failure("error-400.json", status: 400)
        #expect(bad.reason == .http && bad.message.contains("400") && bad.message.contains("Invalid value"))
    }

    @Test func errorCodeInsideA200IsStillAnError() throws {
        #expect(try failure("error-1009.json", status: 200).reason == .creditsExhausted)
    }

    @Test func truncatedOrForeignBodiesAreDecodeFailures() throws {
        let body = try Fixtures.data("cmc/fear-and-greed.json")
        #expect(try failure(nil, status: 200, body: body.prefix(body.count / 2)).reason == .decode)
        #expect(try failure(nil, status: 200, body: Data("<html>maintenance</html>".utf8)).reason == .decode)
        // A well-formed answer of the wrong shape is charged all the same.
        let credits = Credits()
        _ = try outcome("altcoin-season.json", status: 200, credits: credits)
        #expect(credits.counted.withLock { $0 } == [1])
    }

    @Test func keyOnlyInItsHeaderAndKeylessUsesThePublicPaths() {
        let state = MarketState(store: StateStore(path: nil, logger: LogCapture().logger(level: .debug)))
        let base = URL(string: "http://127.0.0.1:9/cmc")!
        let keyed = CoinMarketCapClient(baseURL: base, apiKey: CMCAPIKey(MarketTesting.apiKey), timeout: 5, state: state,
                                        keyAlarm: KeyRejectionLog(logger: LogCapture().logger(level: .debug)))
        let request = keyed.request("/v3/cryptocurrency/quotes/latest", query: [("id", "7431,5690")])
        #expect(request.url.absoluteString == "http://127.0.0.1:9/cmc/v3/cryptocurrency/quotes/latest?id=7431,5690")
        #expect(request.headers == ["X-CMC_PRO_API_KEY": MarketTesting.apiKey, "Accept": "application/json"])
        let keyless = CoinMarketCapClient(baseURL: base, apiKey: nil, timeout: 5, state: state, keyAlarm: KeyRejectionLog(logger: LogCapture().logger(level: .debug)))
        let open = keyless.request("/v3/fear-and-greed/latest")
        #expect(open.url.absoluteString == "http://127.0.0.1:9/cmc/public-api/v3/fear-and-greed/latest")
        #expect(open.headers == ["Accept": "application/json"])
    }
}

@Suite struct SymbolResolverTests {
    @Test func aktIsTheAkashSlugNotTheBetterRankedDecoy() throws {
        let entries = try #require(try MarketTesting.decode(CMCEnvelope<[CMCMapEntry]>.self, fixture: "cmc/map-decoy-akt.json").data)
        let ids = SymbolResolver.pick(entries, for: ["AKT", "RENDER", "FIL", "HNT"])
        // RENDER: the inactive rank-3 entry and the rank-900 copy lose; FIL: an unranked copy loses; HNT: unknown.
        #expect(ids == ["AKT": 7431, "RENDER": 5690, "FIL": 2280])
    }

    @Test func noAkashSlugMeansNoAKT() {
        let decoyOnly = [CMCMapEntry(id: 31337, symbol: "AKT", slug: "bridged-akt", rank: 1, isActive: 1)]
        #expect(SymbolResolver.pick(decoyOnly, for: ["AKT"]).isEmpty)
    }

    @Test func pinnedIDsWinOverSavedOnes() {
        let store = StateStore(path: nil, logger: LogCapture().logger(level: .debug))
        store.set(MarketState.sectionKey, MarketStateSection(ids: ["AKT": 1, "FIL": 2280]))
        let state = MarketState(store: store)
        let client = CoinMarketCapClient(baseURL: URL(string: "http://127.0.0.1:9")!, apiKey: nil, timeout: 1, state: state,
                                         keyAlarm: KeyRejectionLog(logger: LogCapture().logger(level: .debug)))
        let resolver = SymbolResolver(sector: ["AKT", "RENDER", "FIL"], pinned: ["AKT": 7431], client: client, state: state,
                                      logger: LogCapture().logger(level: .debug))
        #expect(resolver.ids == ["AKT": 7431, "FIL": 2280])
        #expect(resolver.unresolved == ["RENDER"])
    }
}
