import ExporterKit
import FoundationEssentials

/// The network-wide view: every running lease and winning bid on the chain, with no owner or provider to watch,
/// and the paid-price index made of them. Its paid medians are shared with the tenant's and the provider's GPU
/// price checks (`PaidMarket`). Knows nothing of how the chain is spoken to (`Chain/`), nor of tenants or
/// providers, and never labels a series with a tenant's or a provider's address.
public enum NetworkArea: SourceArea {
    static let flags = NetworkConfig.flags

    static func configure(_ input: ConfigInput) throws(ConfigError) -> NetworkConfig {
        try NetworkConfig(input.flags, chain: input.config(of: ChainArea.self))
    }

    static let sources = [NetworkLeasesSource.declaration, NetworkBidsSource.declaration]
}

extension PaidIndexBook {
    /// The one of this exporter, which both network sources fill; nil when the network view is off.
    static func of(_ setup: SourceSetup) -> PaidIndexBook? {
        guard let config = setup[NetworkArea.self], config.enabled else { return nil }
        let shared = setup.shared
        return shared.once(PaidIndexBook.self) {
            let book = PaidIndexBook(interval: config.interval, blockTime: shared.blockTime, aktPrice: shared.aktPrice)
            // The tenant's and the provider's GPU price checks compare with these medians.
            shared.paidMarket.feed { now in book.index(at: now)?.medians }
            return book
        }
    }
}
