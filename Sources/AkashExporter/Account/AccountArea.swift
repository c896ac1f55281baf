import ExporterKit
import Foundation

/// A tenant's own costs: the leases, deployment escrows and latest block of each configured owner, polled from
/// the chain REST API, and the spend, escrow balance and runway computed from them.
public struct AccountArea: ExporterArea {
    public let sources: [any PolledSource]
    public let collectors: [any MetricsCollector]

    /// - Parameter aktPriceUSD: the AKT price in USD at a given time, or nil when unknown (the market area is off,
    ///   not yet polled, or stale). Read at collect time only.
    public init(config: AccountConfig, aktPriceUSD: @escaping @Sendable (Date) -> Double?) {
        guard config.isEnabled else {
            sources = []
            collectors = []
            return
        }
        // Data older than three polls is dropped rather than served as current.
        let maxAge = 3 * config.interval
        let chain = ChainREST(baseURL: config.restURL, timeout: config.timeout)
        let leases = PerOwner<[ActiveLease]>(owners: config.owners, maxAge: maxAge)
        let deployments = PerOwner<[DeploymentEscrow]>(owners: config.owners, maxAge: maxAge)
        let latestHeight = LastGood<Int64>(maxAge: maxAge)
        sources = [
            LeasesSource(name: "akash_leases", side: .owner, interval: config.interval, chain: chain, leases: leases),
            DeploymentsSource(interval: config.interval, chain: chain, deployments: deployments),
            BlockSource(interval: config.interval, chain: chain, latestHeight: latestHeight),
        ]
        collectors = [
            AccountCollector(leases: leases, deployments: deployments, latestHeight: latestHeight,
                             blockTime: config.blockTime, aktPriceUSD: aktPriceUSD),
        ]
    }
}
