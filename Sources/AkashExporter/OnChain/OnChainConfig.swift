import ExporterKit
import FoundationEssentials

/// Settings of the on-chain area: the chain's own AKT/USD oracle and the BME (burn-mint) health, both read from the
/// chain REST endpoint the tenant and provider views use, and which AKT price feed prices uakt leases.
public struct OnChainConfig: Sendable, Equatable {
    /// Which feed turns uakt amounts into USD.
    public enum AKTPriceChoice: String, Sendable, CaseIterable {
        /// The oracle's median while it is healthy and recent, else a fresh CoinMarketCap quote.
        case auto
        /// The oracle only: no CoinMarketCap price ever prices a lease.
        case oracle
        /// CoinMarketCap only (the behaviour before the chain had an oracle).
        case cmc
    }

    /// Off: no oracle or BME requests; uakt leases are then priced from CoinMarketCap alone.
    public var enabled: Bool
    public var restURL: URL
    /// Seconds between polls of the oracle and of BME.
    public var interval: Double
    /// Seconds allowed for one chain REST request.
    public var timeout: Double
    public var aktPriceSource: AKTPriceChoice

    public static let enabledFlag: Flag<Bool> = .bool(
        "akash.onchain-enabled", default: true,
        help: "Poll the chain's AKT/USD oracle and BME (ACT mint) status from --akash.rest-url, with or without owners "
            + "or providers to watch.")
    public static let intervalFlag: Flag<Double> = .duration(
        "akash.onchain-interval", default: "1m",
        help: "How often to poll the oracle's aggregated AKT price and the BME status and vault.")
    public static let aktPriceSourceFlag: Flag<String> = .string(
        "akash.akt-price-source", default: AKTPriceChoice.auto.rawValue, placeholder: "SOURCE",
        help: "Which AKT/USD price prices uakt leases, spend and runway: auto (the chain oracle's median while healthy "
            + "and at most 5m old, else a fresh CoinMarketCap quote), oracle (the oracle only) or cmc (CoinMarketCap only).")

    public static let flags = [enabledFlag.spec, intervalFlag.spec, aktPriceSourceFlag.spec]

    public init(enabled: Bool = Self.enabledFlag.defaultValue, restURL: URL = ChainConfig.restURLFlag.defaultValue,
                interval: Double = Self.intervalFlag.defaultValue, timeout: Double = ChainConfig.timeoutFlag.defaultValue,
                aktPriceSource: AKTPriceChoice = .auto) {
        self.enabled = enabled
        self.restURL = restURL
        self.interval = interval
        self.timeout = timeout
        self.aktPriceSource = aktPriceSource
    }

    /// The chain endpoint and timeout are the shared chain settings (one LCD for everything on chain). A price
    /// source that names a feed switched off is refused at start: it could never price anything, and silently would not.
    public init(_ flags: ParsedFlags, chain: ChainConfig, market: MarketConfig) throws(ConfigError) {
        let text = try flags[Self.aktPriceSourceFlag]
        guard let choice = AKTPriceChoice(rawValue: text) else {
            throw .invalid(Self.aktPriceSourceFlag.name, text, expected: "auto, oracle or cmc")
        }
        self.init(enabled: try flags[Self.enabledFlag], restURL: chain.restURL, interval: try flags[Self.intervalFlag],
                  timeout: chain.timeout, aktPriceSource: choice)
        if choice == .oracle, !enabled {
            throw ConfigError("--\(Self.aktPriceSourceFlag.name)=oracle needs the oracle: drop --no-\(Self.enabledFlag.name)")
        }
        if choice == .cmc, !market.enabled {
            throw ConfigError("--\(Self.aktPriceSourceFlag.name)=cmc needs CoinMarketCap: drop --no-\(MarketConfig.enabledFlag.name)")
        }
    }
}
