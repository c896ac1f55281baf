import ExporterKit
import FoundationEssentials

/// Configuration of the tenant's view: the owners watched, on the chain as `ChainConfig` says. No owner address
/// means this view is off.
public struct AccountConfig: Sendable, Equatable {
    /// Owner addresses to watch, lower case, in the order given, without repeats.
    public var owners: [String]
    public var restURL: URL
    /// The fixed block time, or the fallback while none is measured; the collectors ask the shared `BlockTime`,
    /// which the exporter makes from `ChainConfig.blockTimeSetting`.
    public var blockTime: Double
    /// Seconds between polls of leases, deployments and the latest block.
    public var interval: Double
    /// Seconds allowed for one chain REST request.
    public var timeout: Double

    public var isEnabled: Bool { !owners.isEmpty }

    public static let ownerFlag: Flag<[String]> = .list(
        "akash.owner", placeholder: "ADDRESS",
        help: "Tenant address (bech32 akash1...) whose leases, spend and escrow runway to export; each active lease "
            + "is one series, so an account with thousands of leases means thousands of series. None: this part is off.")

    public static let flags = [ownerFlag.spec]

    public init(owners: [String], restURL: URL, blockTime: Double = 6,
                interval: Double = ChainConfig.intervalFlag.defaultValue, timeout: Double = ChainConfig.timeoutFlag.defaultValue) {
        self.owners = owners
        self.restURL = restURL
        self.blockTime = blockTime
        self.interval = interval
        self.timeout = timeout
    }

    /// - Parameter chain: the already checked chain settings.
    public init(_ flags: ParsedFlags, chain: ChainConfig) throws(ConfigError) {
        self.init(owners: try ChainConfig.addresses(flags, Self.ownerFlag), restURL: chain.restURL,
                  blockTime: chain.blockTime, interval: chain.interval, timeout: chain.timeout)
    }
}

extension AccountConfig: ChainView {
    var isOn: Bool { isEnabled }
    var readsChainHead: Bool { true }
}
