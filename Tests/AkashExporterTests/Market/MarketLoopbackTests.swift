import Foundation
import Synchronization
import Testing
@testable import AkashExporter
import ExporterKit
import TestSupport

/// A fake CoinMarketCap on loopback, under a `/cmc` path prefix, driving the real market area through the real
/// HTTP client.
final class FakeCoinMarketCap {
    let upstream: FakeUpstream
    let logs = LogCapture()
    let store: StateStore
    let area: MadeSources
    let shared: SharedDependencies
    let client = CurlUpstream()
    let health = HealthRegistry(sources: [])
    let prefix: String

    static let fixtures: [(path: String, fixture: String)] = [
        ("/v1/cryptocurrency/map", "cmc/map.json"),
        ("/v3/cryptocurrency/quotes/latest", "cmc/quotes-v3.json"),
        ("/v3/fear-and-greed/latest", "cmc/fear-and-greed.json"),
        ("/v1/altcoin-season-index/latest", "cmc/altcoin-season.json"),
        ("/v3/cryptocurrency/listings/latest", "cmc/listings-v3.json"),
        ("/v1/key/info", "cmc/key-info.basic-with-daily.json"),
    ]

    /// Every endpoint answers its recorded body; `state` seeds the `cmc` section.
    init(key: String? = MarketTesting.apiKey, arguments: [String] = [], state: MarketStateSection? = nil, timeout: String = "5s") throws {
        upstream = try FakeUpstream()
        prefix = key == nil ? "/cmc/public-api" : "/cmc"
        for (path, fixture) in Self.fixtures { upstream.route(prefix + path, .fixture(fixture)) }
        store = StateStore(path: nil, logger: logs.logger(level: .debug))
        if let state { store.set(MarketState.sectionKey, state) }
        let config = try MarketTesting.config(["--cmc.base-url", upstream.baseURL.absoluteString + "/cmc", "--cmc.timeout", timeout] + arguments,
                                              environment: key.map { ["CMC_API_KEY": $0] } ?? [:])
        shared = SharedDependencies(state: store, logger: logs.logger(level: .debug), clock: { MarketTesting.now })
        area = MarketArea.make(config: config, shared: shared)
    }

    deinit { upstream.stop() }

    func route(_ path: String, _ reply: FakeReply) { upstream.route(prefix + path, reply) }

    /// The first request answers the recorded body, every later one `fault`.
    func faultAfterFirst(_ path: String, fixture: String, _ fault: FakeReply) {
        let served = Mutex(0)
        upstream.route(prefix + path) { _ in
            served.withLock { count in
                defer { count += 1 }
                return count == 0 ? .fixture(fixture) : fault
            }
        }
    }

    func poll(_ name: String, at now: Date = MarketTesting.now) async -> SourceFailure? {
        guard let source = MarketTesting.source(name, of: area) else {
            Issue.record("no source \(name)")
            return nil
        }
        return await AreaTesting.poll(source, via: client, at: now, health: health)
    }

    /// Everything a secret could leak into, apart from the one header it belongs in.
    func assertKeyOnlyInItsHeader(_ key: String = MarketTesting.apiKey, exposition: String, failures: [SourceFailure] = []) {
        #expect(!upstream.requests.isEmpty)
        for request in upstream.requests {
            #expect(!request.rawTarget.contains(key), "key in URL \(request.path)")
            for (name, value) in request.headers where value.contains(key) {
                #expect(name == "x-cmc_pro_api_key", "key in header \(name)")
            }
            #expect(request.header("X-CMC_PRO_API_KEY") == key)
        }
        #expect(!exposition.contains(key))
        #expect(!logs.lines.joined().contains(key))
        #expect(!String(describing: store.get(MarketState.sectionKey, as: MarketStateSection.self)).contains(key))
        for failure in failures { #expect(!failure.description.contains(key)) }
    }
}

/// Serialized: each case runs its own server, and a hanging one must not slow the others past their timeout.
@Suite(.serialized) struct MarketLoopbackTests {
    static let sourceOrder = ["cmc_quotes", "cmc_map", "cmc_fear_greed", "cmc_altcoin_season", "cmc_listings", "cmc_key_info"]

    /// The whole area against recorded bodies, rendered at a fixed instant, compared with the golden file.
    /// Quotes poll before the map source on purpose: they resolve the ids themselves.
    @Test func wholeAreaMatchesTheGoldenExposition() async throws {
        let previousAKT = AKTQuotePoint(price: 0.80, volume24hUSD: 20_000_000, lastUpdated: "2026-05-26T11:59:00.000Z")
        let fake = try FakeCoinMarketCap(state: MarketStateSection(aktLatest: previousAKT, credits: .init(month: "2026-05", used: 8_400)))
        #expect(fake.area.sources.map(\.name).sorted() == Self.sourceOrder.sorted())
        for name in Self.sourceOrder {
            let failure = await fake.poll(name)
            #expect(failure == nil, "\(name): \(String(describing: failure))")
        }
        // One look-up, by the quotes source; the map source then had nothing left to resolve.
        #expect(fake.upstream.requestCount(path: "/cmc/v1/cryptocurrency/map") == 1)
        #expect(fake.upstream.requests.first { $0.path.hasSuffix("/map") }?.query == "symbol=AKT,RENDER,FIL,HNT")
        #expect(fake.upstream.requests.first { $0.path.hasSuffix("/quotes/latest") }?.query == "id=2280,5665,5690,7431")
        let saved = try #require(fake.store.get(MarketState.sectionKey, as: MarketStateSection.self))
        #expect(saved.ids == ["AKT": 7431, "RENDER": 5690, "FIL": 2280, "HNT": 5665])
        #expect(saved.credits == .init(month: "2026-05", used: 8_404))  // + quotes, fear & greed, altcoin, listings
        #expect(saved.aktPrevious == previousAKT)
        #expect(fake.shared.aktPrice.usd(at: MarketTesting.now) == 0.87)

        let exposition = try MarketTesting.render(fake.area, at: MarketTesting.now.addingTimeInterval(1))
        try Golden.compare(exposition, "market.prom")
        fake.assertKeyOnlyInItsHeader(exposition: exposition)
    }

    enum Fault: String, CaseIterable, Sendable {
        case unauthorized, rateLimited, serverError, timeout, truncatedTransfer, cutJSON
    }

    /// A quote that worked once keeps being served through every kind of failure, until it is too old.
    @Test(arguments: Fault.allCases)
    func failuresKeepTheLastGoodQuote(fault: Fault) async throws {
        let fake = try FakeCoinMarketCap(arguments: ["--cmc.ids", "AKT=7431,RENDER=5690,FIL=2280,HNT=5665"],
                                         timeout: fault == .timeout ? "1s" : "5s")
        let quotes = try Fixtures.data("cmc/quotes-v3.json")
        let (reply, reason): (FakeReply, FailureReason) = switch fault {
        case .unauthorized: (.fixture("cmc/error-1001.json", status: 401), .auth)
        case .rateLimited: (.json(try Fixtures.data("cmc/error-1008.json"), status: 429, headers: ["Retry-After": "42"]), .rateLimited)
        case .serverError: (.status(500, body: Data("oops".utf8)), .http)
        case .timeout: (.hang, .timeout)
        case .truncatedTransfer: (.truncated(quotes), .connection)
        case .cutJSON: (.json(quotes.prefix(quotes.count / 2)), .decode)
        }
        fake.faultAfterFirst("/v3/cryptocurrency/quotes/latest", fixture: "cmc/quotes-v3.json", reply)
        let first = await fake.poll("cmc_quotes")
        #expect(first == nil, "\(String(describing: first))")
        let later = MarketTesting.now.addingTimeInterval(60)
        let failure = try #require(await fake.poll("cmc_quotes", at: later))
        #expect(failure.reason == reason)
        if fault == .rateLimited { #expect(failure.retryAfter == 42) }
        #expect(fake.shared.aktPrice.usd(at: later) == 0.87)
        let exposition = try MarketTesting.render(fake.area, at: later)
        #expect(exposition.contains("akash_market_price_usd{cmc_id=\"7431\",symbol=\"AKT\"} 0.87\n"))
        // Past three intervals the quote is dropped, never served forever.
        #expect(fake.shared.aktPrice.usd(at: MarketTesting.now.addingTimeInterval(86_400)) == nil)
        #expect(fake.upstream.requestCount(path: "/cmc/v1/cryptocurrency/map") == 0)
        fake.assertKeyOnlyInItsHeader(exposition: exposition, failures: [failure])
    }

    /// The age limit is three of the quotes' *current* intervals: when the credit plan slows quotes down, the
    /// last quote is not dropped between two polls of the new pace.
    @Test func ageLimitFollowsTheCreditPlan() async throws {
        // 8,400 of 10,000 credits spent with 5.5 days left: quotes every ~15 min, so a 50-min-old quote is stale.
        let fake = try FakeCoinMarketCap(state: MarketStateSection(credits: .init(month: "2026-05", used: 8_400)))
        #expect(await fake.poll("cmc_quotes") == nil)
        let later = MarketTesting.now.addingTimeInterval(3000)
        #expect(fake.shared.aktPrice.usd(at: later) == nil)
        // Another user of the key spent more: 100 usable credits left slow quotes to one every ~80 min.
        let keyInfo = #"{"status":{"error_code":0,"credit_count":0},"data":{"usage":{"current_month":{"credits_used":8900}}}}"#
        fake.route("/v1/key/info", .json(Data(keyInfo.utf8)))
        #expect(await fake.poll("cmc_key_info", at: later) == nil)
        #expect(fake.shared.aktPrice.usd(at: later) == 0.87)
    }

    /// A spent budget pauses quotes until the month turns, but never stretches the age limit past three times the
    /// slowest useful pace (30 min): a days-old AKT price must not price uakt leases.
    @Test func spentBudgetDoesNotKeepAStalePrice() async throws {
        let fake = try FakeCoinMarketCap(state: MarketStateSection(credits: .init(month: "2026-05", used: 9_990)))
        #expect(await fake.poll("cmc_quotes") == nil)
        #expect(fake.shared.aktPrice.usd(at: MarketTesting.now.addingTimeInterval(3 * 1800)) == 0.87)
        #expect(fake.shared.aktPrice.usd(at: MarketTesting.now.addingTimeInterval(3 * 1800 + 1)) == nil)
    }

    /// A rejected key fails every source with `auth` and is logged in one clear line, not once per source.
    @Test func rejectedKeyIsOneLogLine() async throws {
        let fake = try FakeCoinMarketCap(arguments: ["--cmc.ids", "AKT=7431"])
        for (path, _) in FakeCoinMarketCap.fixtures { fake.route(path, .fixture("cmc/error-1001.json", status: 401)) }
        var failures: [SourceFailure] = []
        for name in Self.sourceOrder where name != "cmc_map" {
            let failure = try #require(await fake.poll(name))
            #expect(failure.reason == .auth, "\(name)")
            failures.append(failure)
        }
        let alarms = fake.logs.lines.filter { $0.contains("rejected the API key") }
        #expect(alarms.count == 1)
        #expect(try MarketTesting.render(fake.area, at: MarketTesting.now).contains("akash_market_") == false)
        fake.assertKeyOnlyInItsHeader(exposition: "", failures: failures)
    }

    /// An error message that echoes the key (a proxy, an API change) reaches no failure, log line or page.
    @Test func echoedKeyInAnErrorMessageIsRedacted() async throws {
        let fake = try FakeCoinMarketCap(arguments: ["--cmc.ids", "AKT=7431"])
        let body = #"{"status":{"error_code":1001,"error_message":"API key \#(MarketTesting.apiKey) is invalid.","credit_count":0}}"#
        fake.route("/v3/cryptocurrency/quotes/latest", .json(Data(body.utf8), status: 401))
        let failure = try #require(await fake.poll("cmc_quotes"))
        #expect(failure.reason == .auth)
        #expect(failure.message.hasPrefix("quotes: CoinMarketCap error 1001: API key <redacted> is invalid."))
        #expect(fake.logs.lines.contains { $0.contains("<redacted>") })
        fake.assertKeyOnlyInItsHeader(exposition: "", failures: [failure])
    }

    /// Plans without the altcoin season endpoint: that source is down, the regime still follows fear & greed.
    @Test func altcoinSeasonForbiddenLeavesTheRestUp() async throws {
        let fake = try FakeCoinMarketCap()
        fake.route("/v1/altcoin-season-index/latest", .fixture("cmc/error-1006.json", status: 403))
        #expect(await fake.poll("cmc_quotes") == nil)
        #expect(await fake.poll("cmc_fear_greed") == nil)
        #expect(await fake.poll("cmc_altcoin_season")?.reason == .auth)
        let exposition = try MarketTesting.render(fake.area, at: MarketTesting.now)
        #expect(!exposition.contains("akash_macro_altcoin_season_index"))
        #expect(exposition.contains("akash_macro_fear_greed_index 40\n"))
        #expect(exposition.contains("akash_macro_regime_favorable 0\n"))
        #expect(exposition.contains("akash_akt_signal_score 21\n"))
    }

    /// Without a key: the public paths, no key header, no key info, no credit metrics, one log line saying so.
    @Test func keylessUsesThePublicAPI() async throws {
        let fake = try FakeCoinMarketCap(key: nil)
        #expect(MarketTesting.source("cmc_key_info", of: fake.area) == nil)
        for name in Self.sourceOrder where name != "cmc_key_info" {
            let failure = await fake.poll(name)
            #expect(failure == nil, "\(name): \(String(describing: failure))")
        }
        #expect(fake.upstream.requests.allSatisfy { $0.path.hasPrefix("/cmc/public-api/") && $0.header("X-CMC_PRO_API_KEY") == nil })
        #expect(fake.logs.lines.filter { $0.contains("keyless") }.count == 1)
        let exposition = try MarketTesting.render(fake.area, at: MarketTesting.now)
        #expect(exposition.contains("akash_market_price_usd{cmc_id=\"7431\",symbol=\"AKT\"} 0.87\n"))
        #expect(!exposition.contains("akash_exporter_cmc_credits"))
    }

    @Test func disabledAreaHasNothingToPoll() throws {
        let fake = try FakeCoinMarketCap(arguments: ["--cmc.enabled=false"])
        #expect(fake.area.sources.isEmpty && fake.area.collectors.isEmpty)
        #expect(fake.shared.aktPrice.usd(at: MarketTesting.now) == nil)
    }
}

@Suite(.serialized) struct QuotesIDResolutionTests {
    /// HNT is pinned, the rest must be looked up: a broken `/map` fails the quotes only while nothing is known.
    @Test func aFailedLookUpBlocksQuotesOnlyWhenNoIDIsKnown() async throws {
        let fake = try FakeCoinMarketCap()
        fake.route("/v1/cryptocurrency/map", .status(500))
        #expect(await fake.poll("cmc_quotes")?.reason == .http)
        #expect(fake.upstream.requestCount(path: "/cmc/v3/cryptocurrency/quotes/latest") == 0)

        let partly = try FakeCoinMarketCap(arguments: ["--cmc.ids", "AKT=7431"])
        partly.route("/v1/cryptocurrency/map", .status(500))
        #expect(await partly.poll("cmc_quotes") == nil)
        #expect(partly.upstream.requests.first { $0.path.hasSuffix("/map") }?.query == "symbol=RENDER,FIL,HNT")
        #expect(partly.upstream.requests.first { $0.path.hasSuffix("/quotes/latest") }?.query == "id=7431")
        #expect(partly.shared.aktPrice.usd(at: MarketTesting.now) == 0.87)
        // Within the hour the look-up is not repeated on every quotes poll.
        #expect(await partly.poll("cmc_quotes", at: MarketTesting.now.addingTimeInterval(600)) == nil)
        #expect(partly.upstream.requestCount(path: "/cmc/v1/cryptocurrency/map") == 1)
    }
}
