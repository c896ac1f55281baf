import Foundation
import ExporterKit

/// A source that is one CoinMarketCap GET whose `data` is kept as decoded: fear & greed, altcoin season and
/// key info. Sources that derive something from their answer (ids, quotes, listings) have their own type.
struct CMCEndpointSource<Payload: Decodable & Sendable>: PolledSource {
    let name: String
    let path: String
    let client: CoinMarketCapClient
    let box: LastGood<Payload>
    let currentInterval: @Sendable () -> Double

    var interval: Double { currentInterval() }

    func poll(_ context: PollContext) async throws(SourceFailure) {
        let data = try await client.get(path, as: Payload.self, what: name, context)
        box.set(data, at: context.now)
    }
}
