import ExporterKit
import FoundationEssentials
import Synchronization

/// A source of this exporter: its declaration, made from a `SourceSetup`.
typealias Source = SourceDeclaration<SourceSetup>

/// What a source's factory is given: every area's parsed configuration and what sources share. An area left
/// unset is off, so a test makes one area's sources by setting only its configuration.
struct SourceSetup: Sendable {
    /// nil: CoinMarketCap is not consulted and nothing says so (a test of another area); the exporter always sets it.
    var market: MarketConfig?
    var compute: ComputeConfig
    var account: AccountConfig
    var provider: ProviderConfig
    var cloudPrices: CloudPricesConfig?
    /// nil: no oracle, no BME, and no series saying which feed priced AKT (a test of another area); the exporter
    /// always sets it.
    var onChain: OnChainConfig?
    let shared: SharedDependencies

    init(market: MarketConfig? = nil, compute: ComputeConfig = ComputeConfig(enabled: false),
         account: AccountConfig = AccountConfig(owners: [], restURL: ChainConfig.restURLFlag.defaultValue),
         provider: ProviderConfig = ProviderConfig(providers: [], restURL: ChainConfig.restURLFlag.defaultValue),
         cloudPrices: CloudPricesConfig? = nil, onChain: OnChainConfig? = nil, shared: SharedDependencies = SharedDependencies()) {
        self.market = market
        self.compute = compute
        self.account = account
        self.provider = provider
        self.cloudPrices = cloudPrices
        self.onChain = onChain
        self.shared = shared
    }

    /// The exporter's setup: every area as configured.
    init(_ config: ExporterConfig, shared: SharedDependencies) {
        self.init(market: config.market, compute: config.compute, account: config.account, provider: config.provider,
                  cloudPrices: config.cloudPrices, onChain: config.onChain, shared: shared)
    }
}

/// What the sources of different areas share, made once per exporter. Each shared value has a narrow face (the
/// AKT price, the GPU medians), so a source asks for what it needs and learns nothing else of the area feeding it.
public final class SharedDependencies: Sendable {
    let state: StateStore
    let logger: Logger
    /// The exporter's clock, on which the credit plan (and the month's reset) depends.
    let clock: @Sendable () -> Date
    let aktPrice: AKTPrice
    let gpuMarket: GPUMarket
    /// Seconds per block for every per-hour figure: fixed, or measured by the block source.
    let blockTime: BlockTime
    /// Values several sources of one area share (boxes, a client), made by the first source that asks.
    private let perArea = Mutex<[ObjectIdentifier: any Sendable]>([:])

    init(state: StateStore = StateStore(path: nil, logger: Logger(level: .error)), logger: Logger = Logger(level: .error),
         clock: @escaping @Sendable () -> Date = { Date() }, aktPrice: AKTPrice = AKTPrice(), gpuMarket: GPUMarket = GPUMarket(),
         blockTime: BlockTime = BlockTime()) {
        self.state = state
        self.logger = logger
        self.clock = clock
        self.aktPrice = aktPrice
        self.gpuMarket = gpuMarket
        self.blockTime = blockTime
    }

    /// With a fixed AKT price in CoinMarketCap's place (a benchmark or a test of one view); none by default.
    public convenience init(aktPriceUSD: @escaping @Sendable (Date) -> Double? = { _ in nil }) {
        self.init(aktPrice: AKTPrice(aktPriceUSD))
    }

    /// The one `Value` of this exporter: made by `make` on the first call, the same instance afterwards.
    func once<Value: Sendable>(_ type: Value.Type, _ make: () -> Value) -> Value {
        perArea.withLock { values in
            if let value = values[ObjectIdentifier(type)] as? Value { return value }
            let value = make()
            values[ObjectIdentifier(type)] = value
            return value
        }
    }
}

/// The network's GPU models and their bid prices (Console `/v1/gpu-prices`) while fresh, nil when unknown. The
/// GPU prices source feeds it; the GPU price checks of leases, providers and clouds read it at render time.
final class GPUMarket: Sendable {
    /// The reader in a struct, not bare in the `Mutex`: a closure stored as a generic `Value` is kept in its most
    /// general (indirect) representation, and `withLock`'s `inout` hands it to the body through a reabstraction
    /// thunk and writes it back wrapped in the opposite one. Bare, every read (every render of the lease, provider
    /// and cloud GPU checks) wrapped the stored closure in two more thunks: a chain that grew by two heap contexts
    /// per render and was called through, two stack frames deeper each time, on the pool's threads. A struct's
    /// closure field keeps its own representation, so reading it copies one reference.
    private struct Reader: Sendable {
        let models: @Sendable (Date) -> [GPUPrices.GPUModel]?
    }

    private let reader: Mutex<Reader>

    init(_ read: @escaping @Sendable (Date) -> [GPUPrices.GPUModel]? = { _ in nil }) {
        reader = Mutex(Reader(models: read))
    }

    func models(at now: Date) -> [GPUPrices.GPUModel]? {
        let reader = reader.withLock { $0 }
        return reader.models(now)
    }

    /// The network median USD per GPU-hour of the one row `gpu` matches; nil when none or several match, or the
    /// prices are unknown.
    func median(for gpu: GPUAttribute, at now: Date) -> Double? {
        models(at: now).flatMap { MarketMatch.median(for: gpu, in: $0) }
    }

    /// Where the models come from from now on.
    func feed(_ read: @escaping @Sendable (Date) -> [GPUPrices.GPUModel]?) {
        reader.withLock { $0 = Reader(models: read) }
    }
}
