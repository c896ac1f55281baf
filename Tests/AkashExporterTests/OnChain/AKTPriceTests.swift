@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Testing
import TestSupport

/// Which AKT price prices uakt leases (`--akash.akt-price-source`), on a clock the test sets.
@Suite("On chain: the AKT price for uakt leases")
struct AKTPriceTests {
    /// The oracle's aggregation time in these tests.
    static let aggregated = Date(timeIntervalSince1970: 1_790_596_805)

    static func oracle(healthy: Bool = true, median: Double = 0.6763) -> LastGood<OraclePrice> {
        // Served as long as any test reads it: these tests are about the aggregation's age, not the poll's.
        let box = LastGood<OraclePrice>(maxAge: 86_400)
        box.set(OraclePrice(twap: median, min: median, median: median, max: median, timestamp: aggregated, healthy: healthy,
                            totalSources: 1, healthySources: healthy ? 1 : 0, deviationRatio: 0),
                at: aggregated)
        return box
    }

    /// The shared price as the exporter feeds it: CoinMarketCap's quote, and the oracle (with the choice) when polled.
    static func price(_ choice: OnChainConfig.AKTPriceChoice, oracle: LastGood<OraclePrice>? = oracle(),
                      market: Double? = 0.70) -> AKTPrice {
        let price = AKTPrice()
        price.feedMarket { _ in market }
        if let oracle { price.feedOracle(choice: choice) { now in oracle.value(now: now) } }
        return price
    }

    static func at(_ seconds: Double) -> Date { aggregated.addingTimeInterval(seconds) }

    /// The feed and price picked at `now`, as `oracle 0.6763`; nil when none.
    func picked(_ price: AKTPrice, _ now: Date) -> String? {
        price.select(at: now).map { "\($0.feed.rawValue) \($0.usd)" }
    }

    @Test("auto: the oracle's median while healthy and at most 5 min old, else a fresh CoinMarketCap quote, else none")
    func auto() {
        #expect(picked(Self.price(.auto), Self.at(55)) == "oracle 0.6763")
        #expect(picked(Self.price(.auto), Self.at(300)) == "oracle 0.6763")
        // The age that counts is the aggregation's, not the poll's: polled 10 s ago, aggregated 301 s ago, too old.
        let polledLate = LastGood<OraclePrice>(pollInterval: 60)
        polledLate.set(Self.oracle().value(now: Self.at(0))!, at: Self.at(290))
        #expect(picked(Self.price(.auto, oracle: polledLate), Self.at(300))?.hasPrefix("oracle") == true)
        #expect(picked(Self.price(.auto, oracle: polledLate), Self.at(301)) == "cmc 0.7")
        #expect(picked(Self.price(.auto, oracle: Self.oracle(healthy: false)), Self.at(55)) == "cmc 0.7")
        #expect(picked(Self.price(.auto, oracle: nil), Self.at(55)) == "cmc 0.7")
        #expect(picked(Self.price(.auto, oracle: Self.oracle(healthy: false), market: nil), Self.at(55)) == nil)
    }

    @Test("a chain clock more than a minute ahead of ours is not trusted; a few seconds ahead is")
    func futureTimestamps() {
        #expect(picked(Self.price(.auto), Self.at(-60))?.hasPrefix("oracle") == true)
        #expect(picked(Self.price(.auto), Self.at(-61))?.hasPrefix("cmc") == true)
    }

    @Test("oracle: never CoinMarketCap, so an unusable oracle means no price")
    func oracleOnly() {
        #expect(picked(Self.price(.oracle), Self.at(55)) == "oracle 0.6763")
        #expect(picked(Self.price(.oracle), Self.at(301)) == nil)
        #expect(picked(Self.price(.oracle, oracle: Self.oracle(healthy: false)), Self.at(55)) == nil)
    }

    @Test("cmc: CoinMarketCap even while the oracle is fine (the exporter's behaviour before the oracle)")
    func cmcOnly() {
        #expect(picked(Self.price(.cmc), Self.at(55)) == "cmc 0.7")
        #expect(picked(Self.price(.cmc, market: nil), Self.at(55)) == nil)
    }

    @Test("the source series say which feed priced, and the ratio is there only while both feeds are fresh")
    func collector() {
        func families(_ price: AKTPrice, _ seconds: Double) -> [MetricFamily] {
            AKTPriceCollector(price: price).collect(now: Self.at(seconds))
        }
        let both = families(Self.price(.auto), 55)
        #expect(Samples.value(both, "akash_exporter_akt_price_source", ["source": "oracle"]) == 1)
        #expect(Samples.value(both, "akash_exporter_akt_price_source", ["source": "cmc"]) == 0)
        #expect(Samples.value(both, "akash_akt_oracle_vs_market_ratio") == 0.6763 / 0.70)
        // cmc chosen, oracle fresh: the ratio still compares them.
        #expect(Samples.value(families(Self.price(.cmc), 55), "akash_akt_oracle_vs_market_ratio") == 0.6763 / 0.70)
        let stale = families(Self.price(.auto), 301)
        #expect(Samples.value(stale, "akash_exporter_akt_price_source", ["source": "cmc"]) == 1)
        #expect(Samples.count(stale, "akash_akt_oracle_vs_market_ratio") == 0)
        let none = families(Self.price(.auto, market: nil), 301)
        #expect(none.isEmpty)
    }

    @Test("--akash.akt-price-source: auto by default; a feed that is switched off is refused at start", arguments: [
        (["--akash.akt-price-source=coingecko"], "invalid value \"coingecko\" for --akash.akt-price-source: expected auto, oracle or cmc"),
        (["--akash.akt-price-source=oracle", "--no-akash.onchain-enabled"], "--akash.akt-price-source=oracle needs the oracle"),
        (["--akash.akt-price-source=cmc", "--no-cmc.enabled"], "--akash.akt-price-source=cmc needs CoinMarketCap"),
    ])
    func flags(_ arguments: [String], _ message: String) throws {
        let defaults = try #require(try ExporterConfig(AreaTesting.flags([]), environment: [:]).areas[OnChainArea.self])
        #expect(defaults.aktPriceSource == .auto)
        #expect(defaults.enabled)
        #expect(defaults.interval == 60)
        #expect(throws: ConfigError.self) { try ExporterConfig(AreaTesting.flags(arguments), environment: [:]) }
        do {
            _ = try ExporterConfig(AreaTesting.flags(arguments), environment: [:])
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}

/// A uakt lease through the whole exporter (flags parsed, areas wired as in production, polled and rendered): priced
/// from the chain's oracle without CoinMarketCap, and from CoinMarketCap when the oracle is stale.
@Suite("On chain: uakt leases priced through the exporter", .serialized)
struct AKTLeasePricingTests {
    /// The e2e tenant's first lease page with every amount in uakt: lease 27790001 1/1 pays 2000 uakt a block,
    /// 1.2 AKT an hour at 600 blocks an hour.
    static func uaktLeases(on fake: FakeUpstream) throws {
        let page1 = try OnChainHarness.body("e2e/chain-leases.json", replacing: [("uact", "uakt")])
        let page2 = try Fixtures.data("e2e/chain-leases-page2.json")
        fake.route("/chain" + FakeChain.leasesPath) { request in
            (request.query ?? "").contains("pagination.key") ? .json(page2) : .json(page1)
        }
    }

    /// The healthy oracle body, aggregated at `timestamp`.
    static func oracle(on fake: FakeUpstream, aggregatedAt timestamp: String) throws {
        let body = try OnChainHarness.body("onchain/oracle-aggregated-price-akt.json",
                                           replacing: [("2026-09-28T12:00:05.482913377Z", timestamp)])
        fake.route("/chain" + OracleSource.path, .json(body))
    }

    static let lease = #"akash_lease_price_usd_per_hour{owner="akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c",dseq="27790001",gseq="1",oseq="1",provider="akash1dwulk2y0nh5q4425rlj9wf2d7j2fypsurcwfu4"}"#

    @Test("--no-cmc.enabled and no key at all: the lease is priced at the oracle's median, 1.2 AKT/h x 0.6763")
    func oracleWithoutCoinMarketCap() async throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        try Self.uaktLeases(on: fake)
        try Self.oracle(on: fake, aggregatedAt: "2026-05-26T12:04:30Z")
        let exporter = try ExporterUnderTest(arguments: ["--state.file=", "--no-cmc.enabled"] + AppFakes.upstreamFlags(fake),
                                             environment: [:], only: ["akash_leases", "akash_oracle"])
        #expect(await exporter.poll(at: ExporterUnderTest.start), "down: \(exporter.down)")
        let scrape = try exporter.scrape(at: ExporterUnderTest.start)
        #expect(scrape.value(Self.lease) == 0.81156)
        #expect(scrape.value(#"akash_exporter_akt_price_source{source="oracle"}"#) == 1)
        #expect(scrape.value("akash_akt_oracle_vs_market_ratio") == nil)
        #expect(!fake.requests.contains { $0.path.hasPrefix("/cmc") })
    }

    @Test("the oracle aggregated 10 min ago: the lease is priced from CoinMarketCap's fresh quote, 1.2 AKT/h x 0.87")
    func coinMarketCapWhenOracleIsStale() async throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        try Self.uaktLeases(on: fake)
        try Self.oracle(on: fake, aggregatedAt: "2026-05-26T11:55:00Z")
        let exporter = try ExporterUnderTest(fake, only: ["akash_leases", "akash_oracle", "cmc_quotes"])
        #expect(await exporter.poll(at: ExporterUnderTest.start), "down: \(exporter.down)")
        let scrape = try exporter.scrape(at: ExporterUnderTest.start)
        #expect(scrape.value(Self.lease) == 1.044)
        #expect(scrape.value(#"akash_exporter_akt_price_source{source="cmc"}"#) == 1)
        #expect(scrape.value(#"akash_exporter_akt_price_source{source="oracle"}"#) == 0)
        // The same lease a minute after a fresh aggregation: the oracle again, though CoinMarketCap is still fresh.
        try Self.oracle(on: fake, aggregatedAt: "2026-05-26T12:05:30Z")
        let later = ExporterUnderTest.start.addingTimeInterval(60)
        #expect(await exporter.poll(at: later), "down: \(exporter.down)")
        let fresh = try exporter.scrape(at: later)
        #expect(fresh.value(Self.lease) == 0.81156)
        #expect(fresh.value("akash_akt_oracle_vs_market_ratio") == 0.6763 / 0.87)
    }

    @Test("--akash.akt-price-source reaches the shared price the tenant view reads: cmc prices from CoinMarketCap though the oracle is fresh, oracle from the oracle though CoinMarketCap is fresh")
    func choiceThroughTheExporter() async throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        try Self.uaktLeases(on: fake)
        try Self.oracle(on: fake, aggregatedAt: "2026-05-26T12:04:30Z")
        for (choice, usd, feed) in [("cmc", 1.044, "cmc"), ("oracle", 0.81156, "oracle")] {
            let exporter = try ExporterUnderTest(fake, ["--akash.akt-price-source=\(choice)"],
                                                 only: ["akash_leases", "akash_oracle", "cmc_quotes"])
            #expect(await exporter.poll(at: ExporterUnderTest.start), "down: \(exporter.down)")
            let scrape = try exporter.scrape(at: ExporterUnderTest.start)
            #expect(scrape.value(Self.lease) == usd, "\(choice)")
            #expect(scrape.value(#"akash_exporter_akt_price_source{source="\#(feed)"}"#) == 1, "\(choice)")
            #expect(scrape.value("akash_akt_oracle_vs_market_ratio") == 0.6763 / 0.87, "\(choice): both feeds fresh")
        }
    }
}
