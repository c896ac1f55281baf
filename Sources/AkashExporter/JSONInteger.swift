import ExporterKit
import FoundationEssentials

/// An integer that upstreams send either as a JSON number or as a string of digits: gRPC-gateway writes 64-bit
/// integers as strings (`"settled_at": "16122572"`) and 32-bit ones as numbers (`"gseq": 1`); CoinMarketCap's
/// `error_code` comes both ways. One decoder for both APIs.
struct JSONInteger: Decodable, Sendable {
    let value: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self),
                  let parsed = Int64(text.trimmingWhitespace()) {
            value = parsed
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an integer or a string of digits")
        }
    }
}
