import FoundationEssentials
import Exposition
import ExporterKit

/// `cmc_key_info`: `/v1/key/info`, only with a key (it has no keyless form). It costs no credits and tells
/// what CoinMarketCap itself counts, which the planner also uses (other users of the key spend credits too).
enum KeyInfoSource {
    static let path = "/v1/key/info"

    /// Its data is rendered by the credits collector (made with the quotes, which spend the credits).
    static let declaration = Source(
        name: "cmc_key_info", api: .coinMarketCap, endpoints: [.init(path)],
        summary: "`GET /v1/key/info` (0 credits; only with a key)", schedule: "every 5 min",
        intervalFlag: nil, timeoutFlag: MarketConfig.timeoutFlag.spec
    ) { setup in
        guard let market = MarketShared.of(setup), market.config.apiKey != nil else { return nil }
        return MadeSource(market.client.endpoint("cmc_key_info", path: path, lastGood: market.keyInfo,
                                                 interval: { MarketSchedule.keyInfoInterval }))
    }
}
