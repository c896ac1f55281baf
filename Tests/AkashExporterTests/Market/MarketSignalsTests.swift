import Foundation
import Testing
@testable import AkashExporter

@Suite struct AKTScoreTests {
    /// Score of a quote with only one known value, in a favorable regime (no penalty).
    private func points(_ inputs: AKTScore.Inputs) -> Double {
        AKTScore.score(inputs, regimeFavorable: true)
    }

    @Test(arguments: [(10.0001, 30.0), (10, 20), (5.0001, 20), (5, 10), (2.0001, 10), (2, 0), (0, 0), (-15, 0), (-15.0001, -25)])
    func change24hEdges(percent: Double, expected: Double) {
        #expect(points(.init(percentChange24h: percent)) == expected)
    }

    @Test(arguments: [(20.0001, 20.0), (20, 10), (10.0001, 10), (10, 0), (-50, 0)])
    func change7dEdges(percent: Double, expected: Double) {
        #expect(points(.init(percentChange7d: percent)) == expected)
    }

    @Test(arguments: [(2.0001, 15.0), (2, 8), (0.5001, 8), (0.5, 0)])
    func change1hEdges(percent: Double, expected: Double) {
        #expect(points(.init(percentChange1h: percent)) == expected)
    }

    @Test(arguments: [(20_000_000.01, 20.0), (20_000_000, 10), (5_000_000.01, 10), (5_000_000, 0)])
    func volumeEdges(volume: Double, expected: Double) {
        #expect(points(.init(volume24hUSD: volume)) == expected)
    }

    @Test(arguments: [(500_000_000.01, 15.0), (500_000_000, 8), (100_000_000.01, 8), (100_000_000, 0)])
    func marketCapEdges(cap: Double, expected: Double) {
        #expect(points(.init(marketCapUSD: cap)) == expected)
    }

    @Test(arguments: [(31, 8.0), (30, 4), (11, 4), (10, 0)])
    func marketPairsEdges(pairs: Int, expected: Double) {
        #expect(points(.init(marketPairs: pairs)) == expected)
    }

    @Test func blocksAddUpAndTheRegimePenaltyApplies() {
        // AKT in quotes-v3.json: 24h -2.1874 (0), 7d 5.9031 (0), 1h 0.3125 (0), volume 21.45M (+20),
        // cap 257.26M (+8), 58 pairs (+8).
        let akt = AKTScore.Inputs(percentChange1h: 0.3125, percentChange24h: -2.1874, percentChange7d: 5.9031,
                                  volume24hUSD: 21_453_880.62, marketCapUSD: 257_260_000, marketPairs: 58)
        #expect(AKTScore.score(akt, regimeFavorable: true) == 36)
        #expect(AKTScore.score(akt, regimeFavorable: false) == 21)
        let everythingTop = AKTScore.Inputs(percentChange1h: 3, percentChange24h: 11, percentChange7d: 21,
                                            volume24hUSD: 3e7, marketCapUSD: 6e8, marketPairs: 40)
        #expect(AKTScore.score(everythingTop, regimeFavorable: true) == 108)
    }

    @Test func unknownValuesScoreNothing() {
        #expect(AKTScore.score(.init(), regimeFavorable: true) == 0)
        #expect(AKTScore.score(.init(), regimeFavorable: false) == -15)
    }
}

@Suite struct MacroRegimeTests {
    @Test(arguments: [
        (50.0001, 50.0, true), (50, 50, false), (50.0001, 49.9999, false), (80, 100, true), (10, 90, false),
    ] as [(Double, Double, Bool)])
    func edges(fearGreed: Double, altcoin: Double, favorable: Bool) {
        #expect(MacroRegime.isFavorable(fearGreed: fearGreed, altcoinIndex: altcoin) == favorable)
    }

    @Test func unknownIndexCountsAsZero() {
        #expect(!MacroRegime.isFavorable(fearGreed: 90, altcoinIndex: nil))
        #expect(!MacroRegime.isFavorable(fearGreed: nil, altcoinIndex: 90))
    }

    @Test func regimeNeedsFearAndGreedButNotTheAltcoinIndex() {
        #expect(MacroReadings(fearGreed: nil, altcoinIndex: 90).regimeFavorable == nil)
        #expect(MacroReadings(fearGreed: 70, altcoinIndex: nil).regimeFavorable == false)
        #expect(MacroReadings(fearGreed: 70, altcoinIndex: 50).regimeFavorable == true)
    }
}

@Suite struct MomentumTests {
    @Test func risingPriceAndVolume() throws {
        let momentum = try #require(Momentum(previous: .init(price: 0.80, volume24hUSD: 20_000_000, lastUpdated: "a"),
                                             current: .init(price: 0.88, volume24hUSD: 25_000_000, lastUpdated: "b")))
        #expect(abs(momentum.priceChangeRatio - 0.1) < 1e-12)
        #expect(abs(momentum.volumeChangeRatio! - 0.25) < 1e-12)
        #expect(momentum.accelerating)
    }

    @Test func fallingOrFlatPriceIsNotAccelerating() throws {
        let falling = try #require(Momentum(previous: .init(price: 1, volume24hUSD: nil, lastUpdated: nil),
                                            current: .init(price: 0.9, volume24hUSD: 5, lastUpdated: nil)))
        #expect(abs(falling.priceChangeRatio + 0.1) < 1e-12)
        #expect(falling.volumeChangeRatio == nil)
        #expect(!falling.accelerating)
        let flat = try #require(Momentum(previous: .init(price: 1, volume24hUSD: 1, lastUpdated: nil),
                                         current: .init(price: 1, volume24hUSD: 1, lastUpdated: nil)))
        #expect(!flat.accelerating && flat.priceChangeRatio == 0)
    }

    @Test func noPreviousOrZeroPriceGivesNoMomentum() {
        let current = AKTQuotePoint(price: 1, volume24hUSD: 1, lastUpdated: nil)
        #expect(Momentum(previous: nil, current: current) == nil)
        #expect(Momentum(previous: .init(price: 0, volume24hUSD: 1, lastUpdated: nil), current: current) == nil)
    }
}

@Suite struct SectorRankTests {
    @Test func strongestChangeFirstUnknownUnrankedTiesByID() {
        let ranks = SectorRank.ranks([(7431, -2.1874), (5690, -1.0371), (2280, -0.812), (5665, 1.9902), (9, nil), (1, -2.1874)])
        #expect(ranks == [5665: 1, 2280: 2, 5690: 3, 1: 4, 7431: 5])
    }
}

@Suite struct DePINFilterTests {
    @Test(arguments: [("DePIN", "depin"), ("Distributed Computing", "distributed-computing"),
                      ("distributed-computing", "distributed-computing"), ("AI & Big Data", "ai-big-data"),
                      ("  Akash_Ecosystem ", "akash-ecosystem"), ("--", "")])
    func normalise(raw: String, expected: String) {
        #expect(DePINFilter.normalise(raw) == expected)
    }

    @Test func listingFilterMatchesEverySpellingAndTheSector() throws {
        let envelope = try MarketTesting.decode(CMCEnvelope<[CMCAsset]>.self, fixture: "cmc/listings-v3-tag-variants.json")
        let tags = Set(["depin", "distributed-computing", "ai-big-data", "akash-ecosystem"])
        let matched = DePINTrending.matching(try #require(envelope.data), depinTags: tags, sector: ["AKT", "HNT"])
        // BIG (memes) and MISS (`depin-adjacent` is not `depin`) are out; HNT is in by symbol; volume order.
        #expect(matched.map(\.symbol) == ["SPACE", "SLUG", "NAMET", "OBJ", "OBJN", "HNT"])
        #expect(matched.first { $0.symbol == "SLUG" }?.percentChange24h == nil)
    }

    @Test func trendingKeepsTheTopTenRankedFromOne() {
        let assets = (1...12).map { DePINAsset(cmcID: $0, symbol: "A\($0)", volume24hUSD: Double(100 - $0), percentChange24h: Double($0)) }
        let top = DePINTrending.top(assets)
        #expect(top.count == 10)
        #expect(top.first?.rank == 1 && top.first?.asset.cmcID == 1)
        #expect(top.last?.rank == 10 && top.last?.asset.cmcID == 10)
    }
}
