import ExporterKit
import FoundationEssentials

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
