import ExporterKit
import FoundationEssentials

/// What the chain says about itself, with no owner or provider to watch: its AKT/USD oracle and the health of BME,
/// which mints the ACT new deployments are paid in. It also holds the choice of AKT price for uakt leases.
public struct OnChainArea: ExporterArea {
    /// The area's sources, for the registry.
    static let declarations = [OracleSource.declaration, BMESource.declaration]

    public let sources: [any PolledSource]
    public let collectors: [any MetricsCollector]
    let aktPrice: AKTPrice

    /// - Parameter marketAKTPriceUSD: CoinMarketCap's AKT price while fresh; read at collect time only.
    public init(config: OnChainConfig, marketAKTPriceUSD: @escaping @Sendable (Date) -> Double?) {
        guard config.enabled else {
            aktPrice = AKTPrice(choice: config.aktPriceSource, oracle: nil, market: marketAKTPriceUSD)
            sources = []
            collectors = [AKTPriceCollector(price: aktPrice)]
            return
        }
        let chain = ChainREST(baseURL: config.restURL, timeout: config.timeout)
        let oracle = OracleSource.endpoint(config)
        let bme = BMESource(config: config, chain: chain)
        aktPrice = AKTPrice(choice: config.aktPriceSource, oracle: oracle.source.lastGood, market: marketAKTPriceUSD)
        sources = [oracle.source, bme]
        collectors = [oracle.collector, LastGoodCollector(lastGood: bme.box, families: BMESource.families),
                      AKTPriceCollector(price: aktPrice)]
    }

    /// AKT in USD from the feed `--akash.akt-price-source` picks at `now`; nil when it has none.
    public func aktPriceUSD(now: Date) -> Double? {
        aktPrice.usd(now: now)
    }
}
