import ExporterKit

/// What the chain says about itself, with no owner or provider to watch: its AKT/USD oracle and the health of BME,
/// which mints the ACT new deployments are paid in. The oracle feeds the shared `AKTPrice`, which picks between it
/// and CoinMarketCap (`--akash.akt-price-source`) for the tenant and provider views. Knows nothing of tenants or
/// providers.
public enum OnChainArea: SourceArea {
    static let flags = OnChainConfig.flags

    static func configure(_ input: ConfigInput) throws(ConfigError) -> OnChainConfig {
        try OnChainConfig(input.flags, chain: input.config(of: ChainArea.self), market: input.config(of: MarketArea.self))
    }

    static let sources = [OracleSource.declaration, BMESource.declaration]

    /// Which feed priced AKT, and how far apart the two feeds are: rendered whether the oracle is polled or not
    /// (with it off, CoinMarketCap is the only feed, and the series say so).
    static func collectors(_ setup: SourceSetup) -> [any MetricsCollector] {
        guard setup[OnChainArea.self] != nil else { return [] }
        return [AKTPriceCollector(price: setup.shared.aktPrice)]
    }
}
