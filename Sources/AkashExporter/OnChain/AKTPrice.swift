import ExporterKit
import Exposition
import FoundationEssentials
import Synchronization

/// AKT's price in USD at a given time, the one the tenant and provider views turn uakt amounts into dollars with,
/// and the feed it came from: the chain oracle's median or CoinMarketCap's quote, as `--akash.akt-price-source`
/// picks at render time (so poll order does not matter). The quotes source feeds CoinMarketCap's price, the oracle
/// source the oracle's aggregate; nil when the picked feeds have nothing usable (the "unpriced" rules then apply).
final class AKTPrice: Sendable {
    enum Feed: String, Sendable, CaseIterable {
        case oracle, cmc
    }

    /// The oracle's price is used only while the chain aggregated it this recently. Healthy, it is rewritten every
    /// block (about 6 s), so minutes of silence mean the feed or our view of the chain is stuck.
    static let maxOracleAge = 300.0
    /// A chain clock ahead of ours by more than this is not a clock to trust.
    static let maxOracleLead = 60.0

    private struct Feeds: Sendable {
        var choice: OnChainConfig.AKTPriceChoice = .auto
        /// CoinMarketCap's AKT price while its quote is fresh.
        var market: @Sendable (Date) -> Double?
        /// The oracle's last good aggregate; nil while no oracle is polled.
        var oracle: (@Sendable (Date) -> OraclePrice?)?
    }

    private let feeds: Mutex<Feeds>

    /// With CoinMarketCap's price from `market` (a fixed one in a benchmark or a test of one view); none by default.
    init(_ market: @escaping @Sendable (Date) -> Double? = { _ in nil }) {
        feeds = Mutex(Feeds(market: market))
    }

    /// Where CoinMarketCap's AKT price comes from from now on.
    func feedMarket(_ read: @escaping @Sendable (Date) -> Double?) {
        feeds.withLock { $0.market = read }
    }

    /// Where the oracle's aggregate comes from from now on, and how it ranks against CoinMarketCap. The choice
    /// comes with the oracle because only an oracle makes it matter: without one, CoinMarketCap's quote is the only
    /// price (a choice of the oracle alone with the oracle off is refused at start).
    func feedOracle(choice: OnChainConfig.AKTPriceChoice, _ read: @escaping @Sendable (Date) -> OraclePrice?) {
        feeds.withLock {
            $0.choice = choice
            $0.oracle = read
        }
    }

    /// CoinMarketCap's AKT price while its quote is fresh.
    func marketUSD(at now: Date) -> Double? {
        let market = feeds.withLock { $0.market }
        return market(now)
    }

    /// The oracle's median while it is healthy and recent; nil otherwise.
    func oracleUSD(at now: Date) -> Double? {
        let oracle = feeds.withLock { $0.oracle }
        guard let price = oracle?(now), price.healthy else { return nil }
        let age = price.age(now: now)
        guard age <= Self.maxOracleAge, age >= -Self.maxOracleLead else { return nil }
        return price.median
    }

    /// The price for this render and its feed, or nil: then the existing "unpriced" rules apply (uakt figures absent).
    func select(at now: Date) -> (usd: Double, feed: Feed)? {
        switch feeds.withLock({ $0.choice }) {
        case .cmc: return marketUSD(at: now).map { ($0, .cmc) }
        case .oracle: return oracleUSD(at: now).map { ($0, .oracle) }
        case .auto:
            if let usd = oracleUSD(at: now) { return (usd, .oracle) }
            return marketUSD(at: now).map { ($0, .cmc) }
        }
    }

    func usd(at now: Date) -> Double? {
        select(at: now)?.usd
    }
}

/// Which feed priced AKT this render, and how far apart the two feeds are when both are fresh.
struct AKTPriceCollector: MetricsCollector {
    let price: AKTPrice

    func collect(now: Date) -> [MetricFamily] {
        var source = MetricFamily.gauge("akash_exporter_akt_price_source",
            "1 for the AKT/USD feed that prices uakt leases in this scrape (oracle: the chain's median; cmc: CoinMarketCap), "
            + "0 for the other; no series when neither has a usable price (uakt figures are then absent).")
        if let selected = price.select(at: now) {
            for feed in AKTPrice.Feed.allCases { source.add(feed == selected.feed ? 1 : 0, ["source": feed.rawValue]) }
        }
        var ratio = MetricFamily.gauge("akash_akt_oracle_vs_market_ratio",
            "The chain oracle's AKT median / CoinMarketCap's AKT price, while the oracle is healthy and at most 5 min old "
            + "and the quote is fresh.")
        if let oracle = price.oracleUSD(at: now), let market = price.marketUSD(at: now), market > 0 {
            ratio.add(oracle / market)
        }
        return [source, ratio].filter { !$0.isEmpty }
    }
}
