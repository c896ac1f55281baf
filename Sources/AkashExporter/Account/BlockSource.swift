import ExporterKit
import FoundationEssentials

/// `akash_block`: the latest block height, from `GET /cosmos/base/tendermint/v1beta1/blocks/latest`. It is what
/// turns an escrow's `settled_at` into "blocks of spending not yet settled".
enum BlockSource {
    static let path = "/cosmos/base/tendermint/v1beta1/blocks/latest"

    static let declaration = Source(
        name: "akash_block", api: .chainREST, endpoints: [.init(path)],
        summary: "chain REST latest block (escrow projection)", schedule: "1 min",
        intervalFlag: ChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let tenant = TenantBoxes.of(setup) else { return nil }
        let config = tenant.config
        return MadeSource(BlockSource.make(interval: config.interval, chain: ChainREST(baseURL: config.restURL, timeout: config.timeout),
                               latestHeight: tenant.latestHeight))
    }

    static func make(interval: Double, chain: ChainREST, latestHeight: LastGood<Int64>) -> EndpointSource<Int64> {
        let what = UpstreamAPI.chainREST.describe(path)
        return EndpointSource(name: "akash_block", request: chain.request(path), interval: { interval },
                              lastGood: latestHeight, what: what) { body throws(SourceFailure) in
            guard let height = try JSONBody.decode(LatestBlock.self, from: body, what: what).height, height > 0 else {
                throw SourceFailure(.decode, "cannot decode \(what): no positive block.header.height")
            }
            return height
        }
    }
}

