import ExporterKit
import Exposition
import FoundationEssentials

/// The AKT/USD price that prices uakt leases, chosen at render time from the chain oracle and CoinMarketCap
/// (`--akash.akt-price-source`). The account and provider areas ask it for a price; it says which feed gave it.
struct AKTPrice: Sendable {
    enum Feed: String, Sendable, CaseIterable {
        case oracle, cmc
    }

    /// The oracle's price is used only while the chain aggregated it this recently. Healthy, it is rewritten every
    /// block (about 6 s), so minutes of silence mean the feed or our view of the chain is stuck.
    static let maxOracleAge = 300.0
    /// A chain clock ahead of ours by more than this is not a clock to trust.
    static let maxOracleLead = 60.0

    let choice: OnChainConfig.AKTPriceChoice
    /// The oracle's last good aggregate; nil when the on-chain area is off.
    let oracle: LastGood<OraclePrice>?
    /// CoinMarketCap's AKT price while its quote is fresh.
    let market: @Sendable (Date) -> Double?

    /// The oracle's median while it is healthy and recent; nil otherwise.
    func oracleUSD(now: Date) -> Double? {
        guard let price = oracle?.value(now: now), price.healthy else { return nil }
        let age = price.age(now: now)
        guard age <= Self.maxOracleAge, age >= -Self.maxOracleLead else { return nil }
        return price.median
    }

    /// The price for this render and its feed, or nil: then the existing "unpriced" rules apply (uakt figures absent).
    func select(now: Date) -> (usd: Double, feed: Feed)? {
        switch choice {
        case .cmc: return market(now).map { ($0, .cmc) }
        case .oracle: return oracleUSD(now: now).map { ($0, .oracle) }
        case .auto:
            if let usd = oracleUSD(now: now) { return (usd, .oracle) }
            return market(now).map { ($0, .cmc) }
        }
    }

    func usd(now: Date) -> Double? {
        select(now: now)?.usd
    }
}

/// Which feed priced AKT this render, and how far apart the two feeds are when both are fresh.
struct AKTPriceCollector: MetricsCollector {
    let price: AKTPrice

    func collect(now: Date) -> [MetricFamily] {
        var source = MetricFamily.gauge("akash_exporter_akt_price_source",
            "1 for the AKT/USD feed that prices uakt leases in this scrape (oracle: the chain's median; cmc: CoinMarketCap), "
            + "0 for the other; no series when neither has a usable price (uakt figures are then absent).")
        if let selected = price.select(now: now) {
            for feed in AKTPrice.Feed.allCases { source.add(feed == selected.feed ? 1 : 0, ["source": feed.rawValue]) }
        }
        var ratio = MetricFamily.gauge("akash_akt_oracle_vs_market_ratio",
            "The chain oracle's AKT median / CoinMarketCap's AKT price, while the oracle is healthy and at most 5 min old "
            + "and the quote is fresh.")
        if let oracle = price.oracleUSD(now: now), let market = price.market(now), market > 0 {
            ratio.add(oracle / market)
        }
        return [source, ratio].filter { !$0.isEmpty }
    }
}
