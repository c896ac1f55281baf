import FoundationEssentials
import Exposition
import ExporterKit

/// The sector's quotes from one `/v3/cryptocurrency/quotes/latest` call, with AKT's momentum.
struct QuotesSnapshot: Sendable {
    struct Asset: Sendable, Equatable {
        var cmcID: Int
        var symbol: String
        var usd: CMCUSDQuote?
        var marketPairs: Int?
    }

    var assets: [Asset]
    var aktID: Int?
    /// AKT against its previous distinct quote; nil until there are two.
    var momentum: Momentum?

    var akt: Asset? { assets.first { $0.cmcID == aktID } }
}

/// `cmc_quotes`. Does not depend on `cmc_map` having run: unresolved ids are looked up first.
struct QuotesSource: PolledSource {
    let resolver: SymbolResolver
    let client: CoinMarketCapClient
    let state: MarketState
    let schedule: MarketSchedule
    let box: LastGood<QuotesSnapshot>

    static let path = "/v3/cryptocurrency/quotes/latest"
    /// Also makes the collectors that need the quotes first: the AKT score (with the macro regime) and the
    /// credit budget (the quotes are what spends it).
    static let declaration = Source(
        name: "cmc_quotes", api: .coinMarketCap, endpoints: [.init(path)],
        summary: "`GET /v3/cryptocurrency/quotes/latest?id=...` for the whole sector in one call (1 credit)",
        schedule: "credit planner", intervalFlag: MarketConfig.quotesIntervalFlag.spec, timeoutFlag: MarketConfig.timeoutFlag.spec
    ) { setup in
        guard let market = MarketShared.of(setup) else { return nil }
        let source = QuotesSource(resolver: market.resolver, client: market.client, state: market.state,
                                  schedule: market.schedule, box: market.quotes)
        return MadeSource(source, collectors: [
            QuotesCollector(box: market.quotes), AKTSignalsCollector(quotes: market.quotes, macro: market.macro),
            CreditsCollector(schedule: market.schedule, keyInfo: market.keyInfo),
        ])
    }

    var name: String { "cmc_quotes" }

    var interval: Double { schedule.interval(.quotes) }

    func poll(_ context: PollContext) async throws(SourceFailure) {
        // Unresolved symbols are looked up first. With nothing resolved there is nothing to ask for, so a failed
        // look-up fails the poll (and is retried at the runner's backoff pace); with some resolved, the quotes go
        // ahead and the rest is looked up again at most hourly.
        if resolver.ids.isEmpty {
            try await resolver.resolve(context, force: true)
        } else {
            try? await resolver.resolve(context, force: false)
        }
        let ids = resolver.ids
        guard !ids.isEmpty else {
            throw SourceFailure(.decode, "quotes: no CoinMarketCap id resolved for \(resolver.sector.joined(separator: ","))")
        }
        let idList = Set(ids.values).sorted().map(String.init).joined(separator: ",")
        let assets = try await client.get(Self.path, query: [("id", idList)],
                                          as: [CMCAsset].self, what: "quotes", context)
        guard !assets.isEmpty else {
            // CoinMarketCap answers 200 with an empty list for ids it does not know: nothing to show.
            throw SourceFailure(.decode, "quotes: CoinMarketCap returned no asset for ids \(idList)")
        }
        box.set(Self.snapshot(assets, aktID: ids["AKT"], state: state), at: context.now)
    }

    /// Keeps the assets asked for and works out AKT's momentum against the previous distinct quote.
    static func snapshot(_ assets: [CMCAsset], aktID: Int?, state: MarketState) -> QuotesSnapshot {
        let kept = assets.map { QuotesSnapshot.Asset(cmcID: $0.id, symbol: $0.symbol, usd: $0.usd, marketPairs: $0.marketPairs) }
        var snapshot = QuotesSnapshot(assets: kept, aktID: aktID)
        if let akt = snapshot.akt, let usd = akt.usd, let price = usd.price {
            let point = AKTQuotePoint(price: price, volume24hUSD: usd.volume24h, lastUpdated: usd.lastUpdated)
            snapshot.momentum = Momentum(previous: state.recordAKTQuote(point), current: point)
        }
        return snapshot
    }
}

/// `akash_market_*` for each tracked asset, and the sector rank.
struct QuotesCollector: MetricsCollector {
    let box: LastGood<QuotesSnapshot>

    func collect(now: Date) -> [MetricFamily] {
        guard let snapshot = box.value(now: now) else { return [] }
        var price = MetricFamily.gauge("akash_market_price_usd", "Price of the tracked asset in USD (CoinMarketCap).")
        var volume = MetricFamily.gauge("akash_market_volume_24h_usd", "Volume traded over the last 24 hours, in USD.")
        var cap = MetricFamily.gauge("akash_market_cap_usd", "Market capitalisation in USD.")
        var fullyDiluted = MetricFamily.gauge("akash_market_fully_diluted_cap_usd", "Fully diluted market capitalisation in USD.")
        var change = MetricFamily.gauge("akash_market_price_change_ratio", "Price change over the window, as a ratio (0.05 is +5 %).")
        var pairs = MetricFamily.gauge("akash_market_pairs", "Number of market pairs the asset trades on.")
        var updated = MetricFamily.gauge("akash_market_quote_updated_timestamp_seconds", "When CoinMarketCap last updated the quote.")
        var rank = MetricFamily.gauge("akash_market_sector_rank", "Rank by 24h price change within the tracked sector, 1 the strongest.")

        let ranks = SectorRank.ranks(snapshot.assets.map { ($0.cmcID, $0.usd?.percentChange24h) })
        for asset in snapshot.assets {
            let labels: KeyValuePairs = ["cmc_id": String(asset.cmcID), "symbol": asset.symbol]
            let usd = asset.usd
            price.add(usd?.price, labels)
            volume.add(usd?.volume24h, labels)
            cap.add(usd?.marketCap, labels)
            fullyDiluted.add(usd?.fullyDilutedMarketCap, labels)
            for (window, percent) in [("1h", usd?.percentChange1h), ("24h", usd?.percentChange24h),
                                      ("7d", usd?.percentChange7d), ("30d", usd?.percentChange30d)] {
                change.add(percent.map { $0 / 100 }, ["cmc_id": String(asset.cmcID), "symbol": asset.symbol, "window": window])
            }
            pairs.add(asset.marketPairs.map(Double.init), labels)
            updated.add(usd?.lastUpdatedDate?.timeIntervalSince1970, labels)
            rank.add(ranks[asset.cmcID].map(Double.init), labels)
        }
        return [price, volume, cap, fullyDiluted, change, pairs, updated, rank]
    }
}
