import ExporterKit
import FoundationEssentials

/// A tenant's own costs: the leases, winning bids, deployment escrows and latest block of each configured owner,
/// polled from the chain REST API, and the spend, escrow balance, runway and per-GPU prices computed from them.
public struct AccountArea: ExporterArea {
    /// The area's sources, for the registry.
    static let declarations = [LeasesSource.ownerLeases, DeploymentsSource.declaration, BlockSource.declaration,
                                BidsSource.declaration]
    /// The owner whose leases and deployments the recorded chain bodies (`Tests/Fixtures/e2e/`) hold.
    static let recordedOwner = "akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c"
    static let recordedFlags = ["--akash.owner=\(recordedOwner)"]

    public let sources: [any PolledSource]
    public let collectors: [any MetricsCollector]

    /// - Parameter aktPriceUSD: the AKT price in USD at a given time, or nil when unknown (the market area is off,
    ///   not yet polled, or stale). Read at collect time only.
    public init(config: AccountConfig, aktPriceUSD: @escaping @Sendable (Date) -> Double?) {
        self.init(config: config, aktPriceUSD: aktPriceUSD, marketGPUs: { _ in nil })
    }

    /// GPU leases compared with the network medians the compute area holds (`/v1/gpu-prices`).
    public init(config: AccountConfig, aktPriceUSD: @escaping @Sendable (Date) -> Double?, compute: ComputeArea) {
        self.init(config: config, aktPriceUSD: aktPriceUSD, marketGPUs: { now in compute.marketGPUs(now: now) })
    }

    /// - Parameter marketGPUs: the network's GPU models and medians (`/v1/gpu-prices`) at a given time, nil when
    ///   unknown; the per-GPU price ratios need them. Read at collect time only.
    init(config: AccountConfig, aktPriceUSD: @escaping @Sendable (Date) -> Double?,
         marketGPUs: @escaping @Sendable (Date) -> [GPUPrices.GPUModel]?) {
        guard config.isEnabled else {
            sources = []
            collectors = []
            return
        }
        let chain = ChainREST(baseURL: config.restURL, timeout: config.timeout)
        let leases = PerOwner<[ActiveLease]>(owners: config.owners, pollInterval: config.interval)
        let deployments = PerOwner<ActiveDeployments>(owners: config.owners, pollInterval: config.interval)
        let latestHeight = LastGood<Int64>(pollInterval: config.interval)
        let bids = PerOwner<[BidID: Bid]>(owners: config.owners, pollInterval: config.interval)
        sources = [
            LeasesSource(side: .owner, interval: config.interval, chain: chain, leases: leases),
            DeploymentsSource(interval: config.interval, chain: chain, deployments: deployments),
            BlockSource.make(interval: config.interval, chain: chain, latestHeight: latestHeight),
            BidsSource(interval: config.interval, chain: chain, bids: bids),
        ]
        collectors = [
            AccountCollector(leases: leases, deployments: deployments, latestHeight: latestHeight,
                             blockTime: config.blockTime, aktPriceUSD: aktPriceUSD),
            LeaseGPUCollector(leases: leases, bids: bids, deployments: deployments, blockTime: config.blockTime,
                              aktPriceUSD: aktPriceUSD, marketGPUs: marketGPUs),
        ]
    }
}
