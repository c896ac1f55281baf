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
        return MadeSource(BlockSource.make(interval: chain.interval, chain: chain.rest, head: head),
                          collectors: [LastGoodCollector(lastGood: head.latest, families: ChainHead.families)])
    }

    static func make(interval: Double, chain: ChainREST, head: ChainHead) -> EndpointSource<Int64> {
        let what = UpstreamAPI.chainREST.describe(path)
        return EndpointSource(name: "akash_block", request: chain.request(path), interval: { interval },
                              lastGood: head.height) { response, now throws(SourceFailure) in
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

/// The chain as the block source sees it: the latest height (which turns the tenant's escrow `settled_at` into blocks
/// not yet settled) and the latest header with its time (`akash_chain_latest_block_timestamp_seconds`, for the tenant's
/// and the provider's chain-head alert).
final class ChainHead: Sendable {
    let height: LastGood<Int64>
    let latest: LastGood<BlockHeader>

    private init(interval: Double) {
        height = LastGood(pollInterval: interval)
        latest = LastGood(pollInterval: interval)
    }

    /// The one of this exporter.
    static func of(_ setup: SourceSetup) -> ChainHead {
        let interval = settings(setup)?.interval ?? ChainConfig.intervalFlag.defaultValue
        return setup.shared.once(ChainHead.self) { ChainHead(interval: interval) }
    }

    /// Where and how often to ask for blocks: the first view on that reads the head; nil when none does (no owner
    /// and no provider watched), and then nothing needs a block.
    static func settings(_ setup: SourceSetup) -> (rest: ChainREST, interval: Double)? {
        guard let view = setup.configs(as: (any ChainView).self).first(where: { $0.isOn && $0.readsChainHead }) else { return nil }
        return (ChainREST(baseURL: view.restURL, timeout: view.timeout), view.interval)
    }

    @Sendable static func families(_ header: BlockHeader) -> [MetricFamily] {
        var time = MetricFamily.gauge("akash_chain_latest_block_timestamp_seconds",
                                      "Time of the latest block the chain REST node returned, as its proposer set it. Far behind "
                                        + "the current time: the chain halted or the node lags, and every chain figure is as old.")
        time.add(header.time.timeIntervalSince1970)
        return [time]
    }
}

/// An area's configuration that reads the chain and turns per-block amounts into per-hour ones (the tenant's, the
/// provider's, the network index): what decides whether and where the chain's head and block time are polled,
/// without `Chain/` naming those areas.
protocol ChainView {
    /// Whether the view is on (an owner or a provider watched, the index enabled).
    var isOn: Bool { get }
    /// Whether the view wants the chain's head polled and exported (its height for escrow, its time for the
    /// chain-head alert), not only the block time.
    var readsChainHead: Bool { get }
    var restURL: URL { get }
    var timeout: Double { get }
    /// Seconds between the view's polls, which the latest block follows.
    var interval: Double { get }
}
