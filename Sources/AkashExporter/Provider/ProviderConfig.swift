import ExporterKit
import FoundationEssentials

/// Configuration of a provider's own view: the providers watched, on the chain as `ChainConfig` says. No provider
/// address means this part is off.
public struct ProviderConfig: Sendable, Equatable {
    /// Provider addresses to watch, lower case, in the order given, without repeats.
    public var providers: [String]
    public var restURL: URL
    public var blockTime: Double
    public var interval: Double
    public var timeout: Double

    public var isEnabled: Bool { !providers.isEmpty }

    public static let providerFlag: Flag<[String]> = .list(
        "akash.provider", placeholder: "ADDRESS",
        help: "Provider address (bech32 akash1...) whose revenue per hour, leased GPUs and open bids to export, "
            + "priced against the network median per GPU model. None: this part is off.")

    public static let flags = [providerFlag.spec]

    public init(providers: [String], restURL: URL, blockTime: Double = 6, interval: Double = 60, timeout: Double = 10) {
        self.providers = providers
        self.restURL = restURL
        self.blockTime = blockTime
        self.interval = interval
        self.timeout = timeout
    }

    /// - Parameter chain: the already checked chain settings.
    public init(_ flags: ParsedFlags, chain: ChainConfig) throws(ConfigError) {
        self.init(providers: try ChainConfig.addresses(flags, Self.providerFlag), restURL: chain.restURL,
                  blockTime: chain.blockTime, interval: chain.interval, timeout: chain.timeout)
    }
}

extension ProviderConfig: ChainView {
    var isOn: Bool { isEnabled }
    var readsChainHead: Bool { true }
}
