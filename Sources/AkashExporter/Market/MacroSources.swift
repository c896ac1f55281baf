import FoundationEssentials
import Exposition
import ExporterKit

/// The macro backdrop: `cmc_fear_greed` (`/v3/fear-and-greed/latest`) and `cmc_altcoin_season`
/// (`/v1/altcoin-season-index/latest`), polled together at the planner's macro pace. Some plans answer the
/// altcoin endpoint with 403 or 404: that source is then down (`auth` or `http`) and the rest goes on.
enum MacroSources {
    static let fearGreed = SourceDeclaration(
        name: "cmc_fear_greed", api: .coinMarketCap,
        endpoints: [.init("/v3/fear-and-greed/latest", recordedBody: "cmc/fear-and-greed.json")],
        summary: "`GET /v3/fear-and-greed/latest` (1 credit)", schedule: "credit planner",
        intervalFlag: MarketConfig.macroIntervalFlag.name, timeoutFlag: MarketConfig.timeoutFlag.name,
        recorded: .init(series: ["akash_macro_fear_greed_index"], emptyBody: CoinMarketCapClient.emptyAnswer(data: "{}"),
                        emptyAnswer: .fails(.decode)))

    static let altcoinSeason = SourceDeclaration(
        name: "cmc_altcoin_season", api: .coinMarketCap,
        endpoints: [.init("/v1/altcoin-season-index/latest", recordedBody: "cmc/altcoin-season.json")],
        summary: "`GET /v1/altcoin-season-index/latest` (1 credit)", schedule: "credit planner",
        intervalFlag: MarketConfig.macroIntervalFlag.name, timeoutFlag: MarketConfig.timeoutFlag.name,
        recorded: .init(series: ["akash_macro_altcoin_season_index"], emptyBody: CoinMarketCapClient.emptyAnswer(data: "{}"),
                        emptyAnswer: .fails(.decode)))

    static func fearGreedSource(client: CoinMarketCapClient, schedule: MarketSchedule,
                                box: LastGood<CMCFearGreed>) -> EndpointSource<CMCFearGreed> {
        client.endpoint(fearGreed, lastGood: box, interval: { schedule.interval(.macro) })
    }

    static func altcoinSeasonSource(client: CoinMarketCapClient, schedule: MarketSchedule,
                                    box: LastGood<CMCAltcoinSeason>) -> EndpointSource<CMCAltcoinSeason> {
        client.endpoint(altcoinSeason, lastGood: box, interval: { schedule.interval(.macro) })
    }
}

/// The macro indexes as decoded, and the regime derived from them.
struct MacroReadings: Sendable {
    var fearGreed: Double?
    var altcoinIndex: Double?

    /// The regime needs fear & greed; an unknown altcoin index counts as 0 (the endpoint is missing from some
    /// plans, and without it the regime is not favorable).
    var regimeFavorable: Bool? {
        fearGreed == nil ? nil : MacroRegime.isFavorable(fearGreed: fearGreed, altcoinIndex: altcoinIndex)
    }
}

/// `akash_macro_*`.
struct MacroCollector: MetricsCollector {
    let fearGreed: LastGood<CMCFearGreed>
    let altcoinSeason: LastGood<CMCAltcoinSeason>

    func readings(now: Date) -> MacroReadings {
        MacroReadings(fearGreed: fearGreed.value(now: now)?.value, altcoinIndex: altcoinSeason.value(now: now)?.altcoinIndex)
    }

    func collect(now: Date) -> [MetricFamily] {
        let readings = readings(now: now)
        var fearGreed = MetricFamily.gauge("akash_macro_fear_greed_index", "CoinMarketCap Fear & Greed index, 0 (extreme fear) to 100 (extreme greed).")
        fearGreed.add(readings.fearGreed)
        var altcoin = MetricFamily.gauge("akash_macro_altcoin_season_index", "CoinMarketCap Altcoin Season index, 0 (bitcoin season) to 100 (altcoin season).")
        altcoin.add(readings.altcoinIndex)
        var regime = MetricFamily.gauge("akash_macro_regime_favorable", "1 when fear & greed > 50 and the altcoin season index >= 50 (unknown counts as 0).")
        regime.add(readings.regimeFavorable.map { $0 ? 1 : 0 })
        return [fearGreed, altcoin, regime]
    }
}
