import ExporterKit
import Exposition
import FoundationEssentials

/// `akash_block`: the latest block, from `GET /cosmos/base/tendermint/v1beta1/blocks/latest`. Its height turns an
/// escrow's `settled_at` into "blocks of spending not yet settled"; its time says how far behind the chain (or the
/// node we ask) is.
enum BlockSource {
    static let path = "/cosmos/base/tendermint/v1beta1/blocks/latest"

    static let declaration = Source(
        name: "akash_block", api: .chainREST, endpoints: [.init(path)],
        summary: "chain REST latest block (escrow projection, chain head age)", schedule: "1 min",
        intervalFlag: ChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let chain = ChainHead.settings(setup) else { return nil }
        let head = ChainHead.of(setup)
        return MadeSource(BlockSource.make(interval: chain.interval, chain: chain.rest, head: head,
                                           latestHeight: TenantBoxes.of(setup)?.latestHeight),
                          collectors: [LastGoodCollector(lastGood: head.latest, families: ChainHead.families)])
    }

    static func make(interval: Double, chain: ChainREST, head: ChainHead, latestHeight: LastGood<Int64>?) -> EndpointSource<Int64> {
        let what = UpstreamAPI.chainREST.describe(path)
        return EndpointSource(name: "akash_block", request: chain.request(path), interval: { interval },
                              lastGood: latestHeight ?? LastGood(pollInterval: interval)) { response, now throws(SourceFailure) in
            try ChainREST.requireSuccess(response, path: path, what: what)
            let block = try JSONBody.decode(LatestBlock.self, from: response.body, what: what)
            guard let height = block.height, height > 0 else {
                throw SourceFailure(.decode, "cannot decode \(what): no positive block.header.height")
            }
            if let header = block.header { head.latest.set(header, at: now) }
            return height
        }
    }
}

/// `akash_block_time`: the chain's average block time over its last `BlockTime.window` blocks, from the latest
/// header and the one `window` blocks below it (`GET /cosmos/base/tendermint/v1beta1/blocks/{height}`), every 10
/// minutes. It asks for the latest header itself rather than reading `akash_block`'s: two requests every 10 minutes,
/// the same ones whichever source polls first. It feeds the shared `BlockTime`, so every per-hour figure follows the chain's real pace; only with
/// `--akash.block-time=auto`.
struct BlockTimeSource: PolledSource {
    static let heightPath = "/cosmos/base/tendermint/v1beta1/blocks/{height}"

    static let declaration = Source(
        name: "akash_block_time", api: .chainREST, endpoints: [.init(heightPath), .init(BlockSource.path)],
        summary: "chain REST latest block and the block 1000 below it: the measured block time (`--akash.block-time=auto`)",
        schedule: "10 min", intervalFlag: nil, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        let blockTime = setup.shared.blockTime
        guard blockTime.measures, let chain = settings(setup) else { return nil }
        return MadeSource(BlockTimeSource(chain: chain, blockTime: blockTime),
                          collectors: [BlockTimeCollector(blockTime: blockTime)])
    }

    /// Where to measure; nil when no view turns per-block prices into per-hour ones: no owner or provider
    /// watched, and the network's paid index off.
    static func settings(_ setup: SourceSetup) -> ChainREST? {
        if let head = ChainHead.settings(setup) { return head.rest }
        guard let network = setup[NetworkArea.self], network.enabled else { return nil }
        return ChainREST(baseURL: network.restURL, timeout: network.timeout)
    }

    /// `/cosmos/base/tendermint/v1beta1/blocks/27799000`
    static func path(height: Int64) -> String {
        String(heightPath.dropLast("{height}".count)) + String(height)
    }

    var name: String { "akash_block_time" }
    var interval: Double { BlockTime.measureEvery }
    let chain: ChainREST
    let blockTime: BlockTime

    func poll(_ context: PollContext) async throws(SourceFailure) {
        let latestWhat = UpstreamAPI.chainREST.describe(BlockSource.path)
        let latest = try await chain.fetchJSON(LatestBlock.self, BlockSource.path, what: latestWhat, context: context)
        guard let newest = latest.header, newest.height > BlockTime.window else {
            throw SourceFailure(.decode, "cannot decode \(latestWhat): no block.header height above \(BlockTime.window) and time")
        }
        let height = newest.height - BlockTime.window
        let path = Self.path(height: height)
        let what = UpstreamAPI.chainREST.describe(path)
        let older = try await chain.fetchJSON(LatestBlock.self, path, what: what, context: context)
        // A node that answers another block than the one asked for would skew the average.
        guard let oldest = older.header, oldest.height == height else {
            throw SourceFailure(.decode, "cannot decode \(what): no header of height \(height) with a time")
        }
        try blockTime.record(from: oldest, to: newest, at: context.now, what: what)
    }
}

/// The chain as the block sources see it, shared by the tenant's and the provider's views: the latest header.
final class ChainHead: Sendable {
    let latest: LastGood<BlockHeader>

    private init(interval: Double) {
        latest = LastGood(pollInterval: interval)
    }

    /// The one of this exporter.
    static func of(_ setup: SourceSetup) -> ChainHead {
        let interval = settings(setup)?.interval ?? ChainConfig.intervalFlag.defaultValue
        return setup.shared.once(ChainHead.self) { ChainHead(interval: interval) }
    }

    /// Where and how often to ask for blocks; nil when no view turns chain amounts into per-hour figures (no owner
    /// and no provider watched): then nothing needs a block.
    static func settings(_ setup: SourceSetup) -> (rest: ChainREST, interval: Double)? {
        if let account = setup[AccountArea.self], account.isEnabled {
            return (ChainREST(baseURL: account.restURL, timeout: account.timeout), account.interval)
        }
        if let provider = setup[ProviderArea.self], provider.isEnabled {
            return (ChainREST(baseURL: provider.restURL, timeout: provider.timeout), provider.interval)
        }
        return nil
    }

    @Sendable static func families(_ header: BlockHeader) -> [MetricFamily] {
        var time = MetricFamily.gauge("akash_chain_latest_block_timestamp_seconds",
                                      "Time of the latest block the chain REST node returned, as its proposer set it. Far behind "
                                        + "the current time: the chain halted or the node lags, and every chain figure is as old.")
        time.add(header.time.timeIntervalSince1970)
        return [time]
    }
}

/// `akash_chain_block_time_seconds`, while a fresh measurement exists.
struct BlockTimeCollector: MetricsCollector {
    let blockTime: BlockTime

    func collect(now: Date) -> [MetricFamily] {
        guard let seconds = blockTime.measured(at: now) else { return [] }
        var family = MetricFamily.gauge("akash_chain_block_time_seconds",
                                        "The chain's average block time over its last \(BlockTime.window) blocks (latest header time "
                                            + "minus the time of the header \(BlockTime.window) blocks below, divided by \(BlockTime.window)), "
                                            + "measured every 10m; what per-hour figures use with --akash.block-time=auto.")
        family.add(seconds)
        return [family]
    }
}
