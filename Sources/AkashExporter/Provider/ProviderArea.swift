import ExporterKit
import FoundationEssentials

/// A provider's own view: the active leases and the bids of each configured provider address, polled from the
/// chain REST API, and its revenue, leased GPUs and prices against the network median computed from them.
public struct ProviderArea: ExporterArea {
    /// The area's sources, for the registry.
    static let declarations = [LeasesSource.providerLeases, ProviderBidsSource.declaration]
    /// The provider whose leases and bids the recorded chain bodies (`Tests/Fixtures/chain/provider-*`) hold.
    static let recordedProvider = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"
    static let recordedFlags = ["--akash.provider=\(recordedProvider)"]

    public let sources: [any PolledSource]
    public let collectors: [any MetricsCollector]

    /// Without network medians: every figure but the ratios (the benchmark's entry point).
    public init(config: ProviderConfig, aktPriceUSD: @escaping @Sendable (Date) -> Double?) {
        self.init(config: config, aktPriceUSD: aktPriceUSD, marketMedian: { _ in { _ in nil } })
    }

    /// - Parameters:
    ///   - aktPriceUSD: the AKT price in USD at a given time, nil when unknown; read at collect time only.
    ///   - marketMedian: at a given time, the network median USD per GPU-hour of the one `/v1/gpu-prices` row a
    ///     model matches (nil when none or several match, or the prices are off or stale).
    init(config: ProviderConfig, aktPriceUSD: @escaping @Sendable (Date) -> Double?,
         marketMedian: @escaping @Sendable (Date) -> (GPUAttribute) -> Double?) {
        guard config.isEnabled else {
            sources = []
            collectors = []
            return
        }
        let chain = ChainREST(baseURL: config.restURL, timeout: config.timeout)
        let leases = PerOwner<[ActiveLease]>(owners: config.providers, pollInterval: config.interval)
        let bids = PerOwner<ProviderBids>(owners: config.providers, pollInterval: config.interval)
        sources = [
            LeasesSource(side: .provider, interval: config.interval, chain: chain, leases: leases),
            ProviderBidsSource(interval: config.interval, chain: chain, bids: bids),
        ]
        collectors = [
            ProviderCollector(leases: leases, bids: bids, blockTime: config.blockTime, aktPriceUSD: aktPriceUSD,
                              marketMedian: marketMedian),
        ]
    }
}
