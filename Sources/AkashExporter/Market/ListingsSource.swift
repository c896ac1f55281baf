import FoundationEssentials
import Exposition
import ExporterKit

/// `cmc_listings`: the 500 most traded assets (24h volume over $500k) from `/v3/cryptocurrency/listings/latest`,
/// kept when they carry a DePIN tag or are in the sector. Only the matches are stored.
struct ListingsSource: PolledSource {
    let client: CoinMarketCapClient
    let schedule: MarketSchedule
    let depinTags: Set<String>
    let sector: Set<String>
    let box: LastGood<[DePINAsset]>

    static let path = "/v3/cryptocurrency/listings/latest"
    static let declaration = Source(
        name: "cmc_listings", api: .coinMarketCap, endpoints: [.init(path)],
        summary: "`GET /v3/cryptocurrency/listings/latest?sort=volume_24h&limit=500&volume_24h_min=500000` (3 credits)",
        schedule: "credit planner", intervalFlag: MarketConfig.listingsIntervalFlag.spec, timeoutFlag: MarketConfig.timeoutFlag.spec
    ) { setup in
        guard let market = MarketShared.of(setup) else { return nil }
        let source = ListingsSource(client: market.client, schedule: market.schedule, depinTags: market.config.depinTags,
                                    sector: Set(market.config.sector), box: market.listings)
        return MadeSource(source, collectors: [ListingsCollector(box: market.listings)])
    }

    var name: String { "cmc_listings" }

    var interval: Double { schedule.interval(.listings) }

    static let query = [("sort", "volume_24h"), ("sort_dir", "desc"), ("limit", String(MarketSchedule.listingsLimit)),
                        ("volume_24h_min", "500000")]

    func poll(_ context: PollContext) async throws(SourceFailure) {
        let assets = try await client.get(Self.path, query: Self.query, as: [CMCAsset].self,
                                          what: "listings", context)
        box.set(DePINTrending.matching(assets, depinTags: depinTags, sector: sector), at: context.now)
    }
}

/// `akash_depin_*`.
struct ListingsCollector: MetricsCollector {
    let box: LastGood<[DePINAsset]>

    func collect(now: Date) -> [MetricFamily] {
        guard let matched = box.value(now: now) else { return [] }
        var listed = MetricFamily.gauge("akash_depin_listed_assets", "Assets of the latest listings that match the DePIN tags or the sector.")
        listed.add(Double(matched.count))
        var trending = MetricFamily.gauge("akash_depin_trending_price_change_ratio",
                                          "24h price change of the top 10 DePIN assets by 24h volume (rank 1 the most traded), as a ratio.")
        for (rank, asset) in DePINTrending.top(matched) {
            trending.add(asset.percentChange24h.map { $0 / 100 },
                         ["rank": String(rank), "cmc_id": String(asset.cmcID), "symbol": asset.symbol])
        }
        return [listed, trending]
    }
}
