import ExporterKit
import Exposition
import FoundationEssentials

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

    /// Where to measure: the first view on; nil when no view turns per-block prices into per-hour ones (no owner
    /// or provider watched, and the network's paid index off).
    static func settings(_ setup: SourceSetup) -> ChainREST? {
        guard let view = setup.configs(as: (any ChainView).self).first(where: \.isOn) else { return nil }
        return ChainREST(baseURL: view.restURL, timeout: view.timeout)
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
