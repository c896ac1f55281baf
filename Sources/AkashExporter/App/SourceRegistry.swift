import ExporterKit
import FoundationEssentials

/// An area of the exporter: its sources, each listed here once, and the collectors that belong to no source (the
/// cloud price list, which polls nothing).
protocol SourceArea: Sendable {
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
    /// A new area is added here, and only here.
    static let areas: [any SourceArea.Type] = [MarketArea.self, ComputeArea.self, AccountArea.self, ProviderArea.self,
                                               OnChainArea.self, CloudPricesArea.self, ReachabilityArea.self]

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
    /// This area's sources alone, made from `setup`: a test or a benchmark of one area.
    static func make(_ setup: SourceSetup) -> MadeSources {
        SourceRegistry.make(setup, areas: [self])
    }
}

// One area at a time, for the benchmarks (and the tests) of a view; areas made with one `SharedDependencies` see
// each other's shared values (the compute area's GPU medians in the tenant's GPU price check).
extension ComputeArea {
    public static func make(config: ComputeConfig, shared: SharedDependencies = SharedDependencies(aktPriceUSD: { _ in nil })) -> MadeSources {
        make(SourceSetup(compute: config, shared: shared))
    }
}

extension AccountArea {
    public static func make(config: AccountConfig, shared: SharedDependencies = SharedDependencies(aktPriceUSD: { _ in nil })) -> MadeSources {
        make(SourceSetup(account: config, shared: shared))
    }
}

extension ProviderArea {
    public static func make(config: ProviderConfig, shared: SharedDependencies = SharedDependencies(aktPriceUSD: { _ in nil })) -> MadeSources {
        make(SourceSetup(provider: config, shared: shared))
    }
}
