import ExporterKit
import FoundationEssentials

/// The chain settings every view of the chain shares (the tenant's, the provider's): one endpoint, one block time,
/// one pace, one timeout.
public struct ChainConfig: Sendable, Equatable {
    public var restURL: URL
    /// Seconds per block assumed when turning per-block prices into per-hour ones and blocks into runway: the fixed
    /// `--akash.block-time`, or with `auto` the fallback used until the chain's is measured.
    public var blockTime: Double
    /// Measured on the chain (`auto`, the default) or fixed.
    public var blockTimeSetting: BlockTimeSetting
    /// Seconds between polls of every chain source.
    public var interval: Double
    /// Seconds allowed for one chain REST request.
    public var timeout: Double

    // Akash's own LCD: Console uses it as its mainnet REST endpoint (console `apps/api/env/.env.mainnet`), so it
    // serves the market/v1beta5 and deployment/v1beta4 APIs as soon as an upgrade ships them. Community LCDs
    // (ecostake, polkachu, publicnode) work too but may lag upgrades or rate-limit; heavy accounts should use
    // their own node.
    public static let restURLFlag: Flag<URL> = .url(
        "akash.rest-url", default: "https://rpc.akt.dev/rest", help: "Akash chain REST (LCD) endpoint; a path prefix is kept.")
    public static let blockTimeFlag = Flag<BlockTimeSetting>(FlagSpec(
        "akash.block-time", default: "auto", placeholder: "DURATION",
        help: "Block time for per-hour prices and escrow runway: auto (the chain's average over its last 1000 blocks, "
            + "measured every 10m; 6s, what the Akash Console API uses, until measured or when the measurement fails) "
            + "or a fixed duration such as 6s.")) { raw throws(ConfigError) in
        let text = raw.last ?? "auto"
        if text == "auto" { return .measured }
        guard let seconds = DurationParser.seconds(text), seconds > 0 else {
            throw .invalid("akash.block-time", text, expected: "auto or a positive duration such as 6s or 6100ms")
        }
        return .fixed(seconds)
    }
    public static let intervalFlag: Flag<Double> = .duration(
        "akash.account-interval", default: "1m",
        help: "How often to poll the owners' leases, deployments and the latest block, and the providers' leases and bids.")
    public static let timeoutFlag: Flag<Double> = .duration(
        "akash.rest-timeout", default: "10s", help: "Time allowed for one chain REST request.")

    public static let flags = [restURLFlag.spec, blockTimeFlag.spec, intervalFlag.spec, timeoutFlag.spec]

    public init(restURL: URL = Self.restURLFlag.defaultValue, blockTime: BlockTimeSetting = Self.blockTimeFlag.defaultValue,
                interval: Double = Self.intervalFlag.defaultValue, timeout: Double = Self.timeoutFlag.defaultValue) {
        self.restURL = restURL
        if case .fixed(let seconds) = blockTime { self.blockTime = seconds } else { self.blockTime = BlockTime.fallback }
        blockTimeSetting = blockTime
        self.interval = interval
        self.timeout = timeout
    }

    public init(_ flags: ParsedFlags) throws(ConfigError) {
        self.init(restURL: try flags[Self.restURLFlag], blockTime: try flags[Self.blockTimeFlag],
                  interval: try flags[Self.intervalFlag], timeout: try flags[Self.timeoutFlag])
    }

    /// The Akash account addresses given to a repeatable flag (`--akash.owner`, `--akash.provider`): each
    /// bech32-checked, lower-cased, in the order given, without repeats. A bad one names itself and what is wrong.
    static func addresses(_ flags: ParsedFlags, _ flag: Flag<[String]>) throws(ConfigError) -> [String] {
        var addresses: [String] = []
        for address in try flags[flag] {
            do throws(Bech32.Problem) {
                try Bech32.decode(address, expectingPrefix: "akash")
            } catch {
                throw ConfigError.invalid(flag.name, address, expected: "an Akash account address (akash1...), but \(error)")
            }
            let normalized = address.lowercased()
            if !addresses.contains(normalized) { addresses.append(normalized) }
        }
        return addresses
    }
}

/// The chain as an area: the settings every view of the chain reads, and the chain's own head: the latest block,
/// polled when an owner or a provider is watched, and the measured block time, when any view of the chain is on.
enum ChainArea: SourceArea {
    static let flags = ChainConfig.flags
    static let sources = [BlockSource.declaration, BlockTimeSource.declaration]

    static func configure(_ input: ConfigInput) throws(ConfigError) -> ChainConfig {
        try ChainConfig(input.flags)
    }
}

extension UpstreamAPI {
    /// The Akash chain REST (LCD) endpoint (`--akash.rest-url`).
    static let chainREST = UpstreamAPI(name: "chain REST", urlFlag: ChainConfig.restURLFlag.name)
}
