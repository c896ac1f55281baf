import FoundationEssentials
import Exposition
import ExporterKit

/// `cmc_key_info`: `/v1/key/info`, only with a key (it has no keyless form). It costs no credits and tells
/// what CoinMarketCap itself counts, which the planner also uses (other users of the key spend credits too).
enum KeyInfoSource {
    static let declaration = SourceDeclaration(
        name: "cmc_key_info", api: .coinMarketCap, endpoints: [.init("/v1/key/info", recordedBody: "cmc/key-info.json")],
        summary: "`GET /v1/key/info` (0 credits; only with a key)", schedule: "every 5 min",
        intervalFlag: nil, timeoutFlag: MarketConfig.timeoutFlag.name,
        // Every key-info field is optional: an empty object is accepted and the credits left become unknown
        // (absent, never 0).
        recorded: .init(series: ["akash_exporter_cmc_credits_remaining"],
                        emptyBody: CoinMarketCapClient.emptyAnswer(data: "{}"), emptyAnswer: .valid([])))

    static func make(client: CoinMarketCapClient, box: LastGood<CMCKeyInfo>) -> EndpointSource<CMCKeyInfo> {
        client.endpoint(declaration, lastGood: box, interval: { MarketSchedule.keyInfoInterval })
    }
}
