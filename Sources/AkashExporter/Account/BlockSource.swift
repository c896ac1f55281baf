import ExporterKit
import FoundationEssentials

/// `akash_block`: the latest block height, from `GET /cosmos/base/tendermint/v1beta1/blocks/latest`. It is what
/// turns an escrow's `settled_at` into "blocks of spending not yet settled".
enum BlockSource {
    static let path = "/cosmos/base/tendermint/v1beta1/blocks/latest"

    static let declaration = SourceDeclaration(
        name: "akash_block", api: .chainREST, endpoints: [.init(path, recordedBody: "e2e/chain-block-latest.json")],
        summary: "chain REST latest block (escrow projection)", schedule: "1 min",
        intervalFlag: AccountConfig.intervalFlag.name, timeoutFlag: AccountConfig.timeoutFlag.name,
        // The escrow projection needs the height.
        recorded: .init(series: ["akash_deployment_escrow_"], emptyBody: "{}", emptyAnswer: .fails(.decode),
                        flags: AccountArea.recordedFlags))

    static func make(interval: Double, chain: ChainREST, latestHeight: LastGood<Int64>) -> EndpointSource<Int64> {
        let what = UpstreamAPI.chainREST.describe(path)
        return EndpointSource(name: declaration.name, request: chain.request(path), interval: { interval },
                              lastGood: latestHeight, what: what) { body throws(SourceFailure) in
            guard let height = try JSONBody.decode(LatestBlock.self, from: body, what: what).height, height > 0 else {
                throw SourceFailure(.decode, "cannot decode \(what): no positive block.header.height")
            }
            return height
        }
    }
}

/// `GetLatestBlockResponse`: Cosmos SDK 0.47+ answers with both `block` (CometBFT) and `sdk_block`; either
/// header carries the height.
struct LatestBlock: Decodable, Sendable {
    struct Block: Decodable, Sendable {
        struct Header: Decodable, Sendable {
            let height: JSONInteger
        }

        let header: Header
    }

    let block: Block?
    let sdkBlock: Block?

    enum CodingKeys: String, CodingKey {
        case block
        case sdkBlock = "sdk_block"
    }

    var height: Int64? { (sdkBlock ?? block)?.header.height.value }
}
