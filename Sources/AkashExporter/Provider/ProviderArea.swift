import ExporterKit
import FoundationEssentials

/// A provider's own view: the active leases and the bids of each configured provider address, polled from the
/// chain REST API, and its revenue, leased GPUs and prices against the network median computed from them.
/// Knows nothing of how the chain is spoken to (`Chain/`) nor of tenants.
public enum ProviderArea: SourceArea {
    static let flags = ProviderConfig.flags

    static func configure(_ input: ConfigInput) throws(ConfigError) -> ProviderConfig {
        try ProviderConfig(input.flags, chain: input.config(of: ChainArea.self))
    }

    static let sources = [ProviderLeases.declaration, ProviderBidsSource.declaration]
}

/// `akash_provider_leases`: the leases poller of `Account/`, on the provider's side of each lease. Also makes the
/// provider's collector, which needs the leases first.
enum ProviderLeases {
    static let declaration = Source(
        name: "akash_provider_leases", api: .chainREST, endpoints: [.init(LeasesPage.path)],
        summary: "chain REST active, reclaiming and insufficient_funds leases of each provider (all pages of each)", schedule: "1 min",
        intervalFlag: ChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let boxes = ProviderBoxes.of(setup) else { return nil }
        let config = boxes.config
        let source = LeasesSource(name: "akash_provider_leases", side: .provider, interval: config.interval,
                                  chain: ChainREST(baseURL: config.restURL, timeout: config.timeout), leases: boxes.leases)
        return MadeSource(source, collectors: [
            ProviderCollector(leases: boxes.leases, bids: boxes.bids, blockTime: setup.shared.blockTime,
                              aktPrice: setup.shared.aktPrice, gpuMarket: setup.shared.gpuMarket,
                              paidMarket: setup.shared.paidMarket),
        ])
    }
}

/// The last good chain data of the watched providers, which the provider's sources fill and its collector joins.
final class ProviderBoxes: Sendable {
    let leases: PerAddress<[ActiveLease]>
    let bids: PerAddress<ProviderBids>
    /// The settings every provider source polls with.
    let config: ProviderConfig

    /// The one of this exporter; nil when no provider is watched.
    static func of(_ setup: SourceSetup) -> ProviderBoxes? {
        guard let config = setup[ProviderArea.self], config.isEnabled else { return nil }
        return setup.shared.once(ProviderBoxes.self) { ProviderBoxes(config) }
    }

    private init(_ config: ProviderConfig) {
        self.config = config
        leases = PerAddress(config.providers, pollInterval: config.interval)
        bids = PerAddress(config.providers, pollInterval: config.interval)
    }
}
