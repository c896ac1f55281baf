import ExporterKit
import FoundationEssentials

/// Settings of the network-wide view: every active and reclaiming lease and every winning bid on the chain, read
/// from the chain REST endpoint the other chain views use, for the paid-price index.
public struct NetworkConfig: Sendable, Equatable {
    /// Off: no network-wide list is requested and no paid price exists (the GPU price checks compare with bids only).
    public var enabled: Bool
    public var restURL: URL
    /// Seconds between polls of the network's leases, and of its winning bids.
    public var interval: Double
    /// Seconds allowed for one chain REST request.
    public var timeout: Double
    /// Items asked for per page.
    public var pageSize: Int

    public static let enabledFlag: Flag<Bool> = .bool(
        "akash.network-enabled", default: true,
        help: "Poll every active and reclaiming lease and every winning bid of the network from --akash.rest-url for the "
            + "paid-price index per GPU model (what leases pay, beside what providers bid), with or without owners or "
            + "providers to watch.")
    // The set of leases changes over hours, and the lists are the largest bodies the exporter reads (about 0.85 KB
    // a lease and 1.3 KB a bid): half an hour keeps the daily transfer to a few tens of MB at today's lease count.
    public static let intervalFlag: Flag<Double> = .duration(
        "akash.network-interval", default: "30m",
        help: "How often to poll the network's active and reclaiming leases, and its winning bids (each every page).")
    public static let pageSizeFlag: Flag<Int> = .int(
        "akash.network-page-size", default: 500, range: 100...5000, placeholder: "ITEMS",
        help: "Leases or bids asked for per page of the network-wide lists.")

    public static let flags = [enabledFlag.spec, intervalFlag.spec, pageSizeFlag.spec]

    public init(enabled: Bool = Self.enabledFlag.defaultValue, restURL: URL = ChainConfig.restURLFlag.defaultValue,
                interval: Double = Self.intervalFlag.defaultValue,
                timeout: Double = ChainConfig.timeoutFlag.defaultValue, pageSize: Int = Self.pageSizeFlag.defaultValue) {
        self.enabled = enabled
        self.restURL = restURL
        self.interval = interval
        self.timeout = timeout
        self.pageSize = pageSize
    }

    /// - Parameter chain: the already checked chain settings (endpoint, timeout). The block time is the shared
    ///   `BlockTime` (`--akash.block-time`, measured or fixed).
    public init(_ flags: ParsedFlags, chain: ChainConfig) throws(ConfigError) {
        self.init(enabled: try flags[Self.enabledFlag], restURL: chain.restURL,
                  interval: try flags[Self.intervalFlag], timeout: chain.timeout, pageSize: try flags[Self.pageSizeFlag])
    }
}

extension NetworkConfig: ChainView {
    var isOn: Bool { enabled }
    /// Block time only: the index prices per block, and needs no height.
    var readsChainHead: Bool { false }
}
