import ExporterKit
import FoundationEssentials

/// Configuration of the tenant-cost area. No owner address means the area is off.
public struct AccountConfig: Sendable, Equatable {
    /// Owner addresses to watch, lower case, in the order given, without repeats.
    public var owners: [String]
    public var restURL: URL
    /// Seconds per block assumed when turning per-block prices into per-hour ones and blocks into runway.
    public var blockTime: Double
    /// Seconds between polls of leases, deployments and the latest block.
    public var interval: Double
    /// Seconds allowed for one chain REST request.
    public var timeout: Double

    public var isEnabled: Bool { !owners.isEmpty }

    public static let flags: [FlagSpec] = [
        FlagSpec("akash.owner", kind: .repeatable, placeholder: "ADDRESS",
                 help: "Tenant address (bech32 akash1...) whose leases, spend and escrow runway to export; each active lease "
                    + "is one series, so an account with thousands of leases means thousands of series. None: this part is off."),
        // Akash's own LCD: Console uses it as its mainnet REST endpoint (console `apps/api/env/.env.mainnet`), so it
        // serves the market/v1beta5 and deployment/v1beta4 APIs as soon as an upgrade ships them. Community LCDs
        // (ecostake, polkachu, publicnode) work too but may lag upgrades or rate-limit; heavy accounts should use
        // their own node.
        FlagSpec("akash.rest-url", default: "https://rpc.akt.dev/rest", placeholder: "URL",
                 help: "Akash chain REST (LCD) endpoint; a path prefix is kept."),
        FlagSpec("akash.block-time", default: "6s", placeholder: "DURATION",
                 help: "Average block time for per-hour prices and escrow runway; 6s is what the Akash Console API uses."),
        FlagSpec("akash.account-interval", default: "1m", placeholder: "DURATION",
                 help: "How often to poll the owners' leases, deployments and the latest block, and the providers' leases and bids."),
        FlagSpec("akash.rest-timeout", default: "10s", placeholder: "DURATION",
                 help: "Time allowed for one chain REST request."),
    ]

    public init(owners: [String], restURL: URL, blockTime: Double = 6, interval: Double = 60, timeout: Double = 10) {
        self.owners = owners
        self.restURL = restURL
        self.blockTime = blockTime
        self.interval = interval
        self.timeout = timeout
    }

    public init(_ flags: ParsedFlags) throws(ConfigError) {
        self.init(owners: try Self.addresses(flags, "akash.owner"),
                  restURL: try flags.url("akash.rest-url")!,
                  blockTime: try flags.duration("akash.block-time")!,
                  interval: try flags.duration("akash.account-interval")!,
                  timeout: try flags.duration("akash.rest-timeout")!)
    }

    /// The Akash account addresses given to a repeatable flag (`--akash.owner`, `--akash.provider`): each
    /// bech32-checked, lower-cased, in the order given, without repeats. A bad one names itself and what is wrong.
    static func addresses(_ flags: ParsedFlags, _ flag: String) throws(ConfigError) -> [String] {
        var addresses: [String] = []
        for address in flags.list(flag) {
            do throws(Bech32.Problem) {
                try Bech32.decode(address, expectingPrefix: "akash")
            } catch {
                throw ConfigError.invalid(flag, address, expected: "an Akash account address (akash1...), but \(error)")
            }
            let normalized = address.lowercased()
            if !addresses.contains(normalized) { addresses.append(normalized) }
        }
        return addresses
    }
}
