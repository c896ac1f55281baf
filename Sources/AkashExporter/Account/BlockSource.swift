import ExporterKit
import Foundation

/// `akash_block`: the latest block height, from `GET /cosmos/base/tendermint/v1beta1/blocks/latest`. It is what
/// turns an escrow's `settled_at` into "blocks of spending not yet settled".
struct BlockSource: PolledSource {
    static let path = "/cosmos/base/tendermint/v1beta1/blocks/latest"

    let name = "akash_block"
    let interval: Double
    let chain: ChainREST
    let latestHeight: LastGood<Int64>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        let latest = try await context.fetchJSON(LatestBlock.self, chain.request(Self.path), what: "latest block")
        guard let height = latest.height, height > 0 else {
            throw SourceFailure(.decode, "cannot decode latest block: no positive block.header.height")
        }
        latestHeight.set(height, at: context.now)
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
