import ExporterKit
import FoundationEssentials

/// A tenant's own costs: the leases, winning bids and deployment escrows of each configured owner,
/// polled from the chain REST API, and the spend, escrow balance, runway and per-GPU prices computed from them.
/// Knows nothing of how the chain is spoken to (`Chain/`) nor of providers.
public enum AccountArea: SourceArea {
    static let flags = AccountConfig.flags

    static func configure(_ input: ConfigInput) throws(ConfigError) -> AccountConfig {
        try AccountConfig(input.flags, chain: input.config(of: ChainArea.self))
    }

    static let sources = [LeasesSource.ownerLeases, DeploymentsSource.declaration, BidsSource.declaration]
}

/// The last good chain data of the watched owners, which the tenant's sources fill and its collectors join.
final class TenantBoxes: Sendable {
    let leases: PerAddress<[ActiveLease]>
    let deployments: PerAddress<ActiveDeployments>
    let bids: PerAddress<[BidID: Bid]>
    /// The settings every tenant source polls with.
    let config: AccountConfig

    /// The one of this exporter; nil when no owner is watched.
    static func of(_ setup: SourceSetup) -> TenantBoxes? {
        guard let config = setup[AccountArea.self], config.isEnabled else { return nil }
        return setup.shared.once(TenantBoxes.self) { TenantBoxes(config) }
    }

    private init(_ config: AccountConfig) {
        self.config = config
        leases = PerAddress(config.owners, pollInterval: config.interval)
        deployments = PerAddress(config.owners, pollInterval: config.interval)
        bids = PerAddress(config.owners, pollInterval: config.interval)
    }
}
