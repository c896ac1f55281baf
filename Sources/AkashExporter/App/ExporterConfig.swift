import ExporterKit

/// Everything the exporter is told at start, checked before anything starts: a bad value is one clear line and
/// exit code 2.
public struct ExporterConfig: Sendable {
    public var core: CoreConfig
    public var market: MarketConfig
    public var compute: ComputeConfig
    public var chain: ChainConfig
    public var account: AccountConfig
    public var provider: ProviderConfig
    public var onChain: OnChainConfig
    var cloudPrices: CloudPricesConfig
    public var reachability: ReachabilityConfig

    /// Every flag of every area, for parsing and `--help`.
    public static let flags: [FlagSpec] = CoreConfig.flags + MarketConfig.flags + ComputeConfig.flags + ChainConfig.flags + AccountConfig.flags
        + ProviderConfig.flags + OnChainConfig.flags + CloudPricesConfig.flags + ReachabilityConfig.flags

    /// Every flag's environment variable starts with it: `--web.listen-address` reads
    /// `AKASH_EXPORTER_WEB_LISTEN_ADDRESS`.
    public static let environmentPrefix = "AKASH_EXPORTER_"

    public static let summary = """
        Prometheus exporter for what compute costs on the Akash Network: GPU bid prices and provider supply from the
        Akash Console API, a tenant's lease spend and escrow runway and a provider's revenue, leased GPUs and bids
        from the chain, and AKT market signals from CoinMarketCap. Sources are polled in the background; scrapes
        serve the last rendered exposition.
        """

    public init(_ flags: ParsedFlags, environment: [String: String]) throws(ConfigError) {
        core = try CoreConfig(flags)
        market = try MarketConfig(flags, environment: environment)
        compute = try ComputeConfig(flags)
        chain = try ChainConfig(flags)
        account = try AccountConfig(flags, chain: chain)
        provider = try ProviderConfig(flags, chain: chain)
        onChain = try OnChainConfig(flags, chain: chain, market: market)
        cloudPrices = try CloudPricesConfig(flags)
        reachability = try ReachabilityConfig(flags)
    }

    public enum Parsed: Sendable {
        case help(String)
        case version(String)
        case run(ExporterConfig)
    }

    public static func parse(arguments: [String], environment: [String: String]) throws(ConfigError) -> Parsed {
        switch try FlagParser.parse(arguments, specs: flags, environment: environment,
                                         environmentPrefix: environmentPrefix) {
        case .help:
            return .help(FlagParser.usage(program: BuildInfo.program, summary: summary, specs: flags,
                                           environmentPrefix: environmentPrefix))
        case .version:
            return .version(BuildInfo.versionText)
        case .values(let values):
            return .run(try ExporterConfig(values, environment: environment))
        }
    }
}
