import ExporterKit
import FoundationEssentials

/// An area of the exporter, complete in its own folder: its flags and the configuration parsed from them, its
/// sources, each listed here once, and the collectors that belong to no source (the cloud price list, which polls
/// nothing). Adding an area is one line in `SourceRegistry.areas`; nothing else names it.
protocol SourceArea: Sendable {
    /// What the area's flags parse to; its sources read it from `SourceSetup`.
    associatedtype Config: Sendable
    /// The area's flags, for parsing and `--help`, in the order `--help` lists them.
    static var flags: [FlagSpec] { get }
    /// The area's configuration from the command line; a bad value throws the one line the user sees.
    static func configure(_ input: ConfigInput) throws(ConfigError) -> Config
    static var sources: [Source] { get }
    static func collectors(_ setup: SourceSetup) -> [any MetricsCollector]
}

extension SourceArea {
    static func collectors(_ setup: SourceSetup) -> [any MetricsCollector] { [] }
}

/// Every source the exporter can poll, through its area: the exporter makes each one from the parsed
/// configuration and runs what the declarations make, nothing else. The fault matrix, the app tests' loopback
/// routing, `scripts/sources.json` and the README's sources table are derived from this list (with the tests'
/// table of upstream bodies), and tests fail when one of them is out of step with it.
enum SourceRegistry {
    /// A new area is added here, and only here. Parsed in this order: an area's configuration may read those of the
    /// areas before it (the tenant's view reads the shared chain settings).
    static let areas: [any SourceArea.Type] = [MarketArea.self, ComputeArea.self, ChainArea.self, AccountArea.self,
                                               ProviderArea.self, OnChainArea.self, NetworkArea.self, CloudPricesArea.self,
                                               ReachabilityArea.self]

    static let all: [Source] = areas.flatMap { $0.sources }

    static func declaration(named name: String) -> Source? {
        all.first { $0.name == name }
    }

    /// Makes the sources of `areas` that `setup` turns on: what a runner polls and a publisher renders.
    static func make(_ setup: SourceSetup, areas: [any SourceArea.Type] = areas) -> MadeSources {
        var made = MadeSources()
        for area in areas {
            for declaration in area.sources {
                guard let source = declaration.make(setup) else { continue }
                made.sources.append(source.poller)
                made.collectors += source.collectors
            }
            made.collectors += area.collectors(setup)
        }
        return made
    }
}

/// The sources made from the registry: pollers, each named as its declaration, and the collectors of their data.
public struct MadeSources: ExporterArea {
    public var sources: [any PolledSource] = []
    public var collectors: [any MetricsCollector] = []
}

extension SourceArea {
    /// This area's sources alone, made from `setup`: a test or a benchmark of one area. A view of the chain comes
    /// with the chain's head (latest block, measured block time), as in the exporter.
    static func make(_ setup: SourceSetup) -> MadeSources {
        let readsChain = setup[self].map { $0 is any ChainView } ?? false
        return SourceRegistry.make(setup, areas: readsChain ? [self, ChainArea.self] : [self])
    }
}

// One area at a time, for the benchmarks (and the tests) of a view; areas made with one `SharedDependencies` see
// each other's shared values (the compute area's GPU medians in the tenant's GPU price check).
extension SourceArea {
    /// This area alone, configured with `config` (a test or a benchmark of one view).
    static func make(config: Config, shared: SharedDependencies = SharedDependencies(aktPriceUSD: { _ in nil })) -> MadeSources {
        make(SourceSetup(Self.self, config, shared: shared))
    }
}

// The benchmarks' views (another module: the protocol's members are not public).
extension ComputeArea {
    public static func make(config: ComputeConfig, shared: SharedDependencies = SharedDependencies(aktPriceUSD: { _ in nil })) -> MadeSources {
        make(SourceSetup(Self.self, config, shared: shared))
    }
}

extension AccountArea {
    public static func make(config: AccountConfig, shared: SharedDependencies = SharedDependencies(aktPriceUSD: { _ in nil })) -> MadeSources {
        make(SourceSetup(Self.self, config, shared: shared))
    }
}

extension ProviderArea {
    public static func make(config: ProviderConfig, shared: SharedDependencies = SharedDependencies(aktPriceUSD: { _ in nil })) -> MadeSources {
        make(SourceSetup(Self.self, config, shared: shared))
    }
}

extension NetworkArea {
    public static func make(config: NetworkConfig, shared: SharedDependencies = SharedDependencies(aktPriceUSD: { _ in nil })) -> MadeSources {
        make(SourceSetup(Self.self, config, shared: shared))
    }
}
