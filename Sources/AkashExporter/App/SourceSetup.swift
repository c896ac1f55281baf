import ExporterKit
import FoundationEssentials
import Synchronization

/// A source of this exporter: its declaration, made from a `SourceSetup`.
typealias Source = SourceDeclaration<SourceSetup>

/// What a source's factory is given: each area's parsed configuration and what sources share. An area with no
/// configuration is off, so a test makes one area's sources by configuring only that area.
struct SourceSetup: Sendable {
    let configs: AreaConfigs
    let shared: SharedDependencies

    init(configs: AreaConfigs = AreaConfigs(), shared: SharedDependencies = SharedDependencies()) {
        self.configs = configs
        self.shared = shared
    }

    /// One area configured, every other off.
    init<Area: SourceArea>(_ area: Area.Type, _ config: Area.Config, shared: SharedDependencies = SharedDependencies()) {
        var configs = AreaConfigs()
        configs[area] = config
        self.init(configs: configs, shared: shared)
    }

    /// The exporter's setup: every area as configured.
    init(_ config: ExporterConfig, shared: SharedDependencies) {
        self.init(configs: config.areas, shared: shared)
    }

    /// `area`'s configuration; nil when it is off.
    subscript<Area: SourceArea>(area: Area.Type) -> Area.Config? {
        configs[area]
    }

    /// The configurations of the registered areas that are `T`s, in registry order: how a shared piece finds the
    /// areas that need it (every view of the chain) without naming them.
    func configs<T>(as type: T.Type) -> [T] {
        SourceRegistry.areas.compactMap { configs.value(of: $0) as? T }
    }
}

/// Each area's configuration, keyed by its area: an area reads its own (and those it depends on) by type, and the
/// exporter holds them without naming any.
struct AreaConfigs: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    init() {}

    subscript<Area: SourceArea>(area: Area.Type) -> Area.Config? {
        get { values[ObjectIdentifier(area)] as? Area.Config }
        set { values[ObjectIdentifier(area)] = newValue }
    }

    func value(of area: any SourceArea.Type) -> (any Sendable)? {
        values[ObjectIdentifier(area)]
    }
}

/// What an area's configuration is parsed from: the flags, the environment (CoinMarketCap's key), and the
/// configurations of the areas parsed before it.
struct ConfigInput {
    let flags: ParsedFlags
    let environment: [String: String]
    let parsed: AreaConfigs

    /// The configuration of `area`, which `SourceRegistry.areas` parses before the asking one.
    func config<Area: SourceArea>(of area: Area.Type) -> Area.Config {
        guard let config = parsed[area] else {
            preconditionFailure("\(area) must come before its dependents in SourceRegistry.areas")
        }
        return config
    }
}

/// What the sources of different areas share, made once per exporter. Each shared value has a narrow face (the
/// AKT price, the GPU bid medians, the paid medians), so a source asks for what it needs and learns nothing else of the area feeding it.
public final class SharedDependencies: Sendable {
    let state: StateStore
    let logger: Logger
    /// The exporter's clock, on which the credit plan (and the month's reset) depends.
    let clock: @Sendable () -> Date
    let aktPrice: AKTPrice
    let gpuMarket: GPUMarket
    let paidMarket: PaidMarket
    /// The watched owners' paid leases, as the tenant's leases source last read them: whom the reachability view
    /// probes.
    let paidLeases = PaidLeases()
    /// Seconds per block for every per-hour figure: fixed, or measured by the block source.
    let blockTime: BlockTime
    /// Values several sources of one area share (boxes, a client), made by the first source that asks.
    private let perArea = Mutex<[ObjectIdentifier: any Sendable]>([:])

    init(state: StateStore = StateStore(path: nil, logger: Logger(level: .error)), logger: Logger = Logger(level: .error),
         clock: @escaping @Sendable () -> Date = { Date() }, aktPrice: AKTPrice = AKTPrice(), gpuMarket: GPUMarket = GPUMarket(),
         paidMarket: PaidMarket = PaidMarket(), blockTime: BlockTime = BlockTime()) {
        self.state = state
        self.logger = logger
        self.clock = clock
        self.aktPrice = aktPrice
        self.gpuMarket = gpuMarket
        self.paidMarket = paidMarket
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

    /// The stored reader's bytes (function and context): the same after any number of reads when reading does not
    /// wrap it (a test of the thunk chain above).
    var storedReaderBytes: [UInt8] {
        reader.withLock { withUnsafeBytes(of: &$0) { Array($0) } }
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

/// The leases the watched owners pay for (active, and any other state still billed), as the tenant's leases source
/// last read them; none while unknown. The reachability view reads which providers to probe from it and learns
/// nothing else of the tenant's area.
final class PaidLeases: Sendable {
    private struct State: Sendable {
        var read: (@Sendable (Date) -> [ActiveLease])?
        /// The first poll of the owners' leases has ended (successful or not).
        var firstPollDone = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Where the leases come from from now on: set when the owners' leases source is made, before any poll.
    func feed(_ read: @escaping @Sendable (Date) -> [ActiveLease]) {
        state.withLock { $0.read = read }
    }

    /// The paid leases while fresh: every owner's that is known.
    func leases(at now: Date) -> [ActiveLease] {
        let read = state.withLock { $0.read }
        return read?(now) ?? []
    }

    /// Called by the owners' leases source after each poll: the first one wakes whoever waits for it.
    func polled() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.firstPollDone else { return [] }
            state.firstPollDone = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the owners' leases have been polled once (at once when no owner is watched), so a first probe
    /// round (and `--once`) includes the providers of those leases rather than depending on which poll ran first.
    /// A cancelled wait returns too.
    func firstPoll() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.read == nil || state.firstPollDone || Task.isCancelled { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            polled()
        }
    }
}

/// What the network's leases pay per GPU-hour, per offered GPU model: the paid medians of the network's index
/// while its lists are fresh, nil when unknown. The network leases source feeds it; the GPU price checks of leases
/// and providers read it at render time, beside the bid medians of `GPUMarket`.
final class PaidMarket: Sendable {
    /// The reader in a struct, for the reason `GPUMarket` gives.
    private struct Reader: Sendable {
        let medians: @Sendable (Date) -> [GPUAttribute: Double]?
    }

    private let reader: Mutex<Reader>

    init(_ read: @escaping @Sendable (Date) -> [GPUAttribute: Double]? = { _ in nil }) {
        reader = Mutex(Reader(medians: read))
    }

    /// The paid median USD per GPU-hour of every model the network's priced leases offer; nil while unknown.
    func medians(at now: Date) -> [GPUAttribute: Double]? {
        let reader = reader.withLock { $0 }
        return reader.medians(now)
    }

    /// The paid median of exactly this offered model; nil when no lease of it is priced or the index is unknown.
    func median(for gpu: GPUAttribute, at now: Date) -> Double? {
        medians(at: now)?[gpu]
    }

    /// Where the medians come from from now on.
    func feed(_ read: @escaping @Sendable (Date) -> [GPUAttribute: Double]?) {
        reader.withLock { $0 = Reader(medians: read) }
    }
}
