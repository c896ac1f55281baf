import FoundationEssentials
import Exposition
import ExporterKit

/// The macro backdrop: `cmc_fear_greed` (`/v3/fear-and-greed/latest`) and `cmc_altcoin_season`
/// (`/v1/altcoin-season-index/latest`), polled together at the planner's macro pace. Some plans answer the
/// altcoin endpoint with 403 or 404: that source is then down (`auth` or `http`) and the rest goes on.
enum MacroSources {
    /// Also makes the macro collector, which reads both indexes (the regime needs fear & greed).
    static let fearGreed = Source(
        name: "cmc_fear_greed", api: .coinMarketCap, endpoints: [.init("/v3/fear-and-greed/latest")],
        summary: "`GET /v3/fear-and-greed/latest` (1 credit)", schedule: "credit planner",
        intervalFlag: MarketConfig.macroIntervalFlag.spec, timeoutFlag: MarketConfig.timeoutFlag.spec
    ) { setup in
        guard let market = MarketShared.of(setup) else { return nil }
        let source = market.client.endpoint("cmc_fear_greed", path: "/v3/fear-and-greed/latest", lastGood: market.fearGreed,
                                            interval: { market.schedule.interval(.macro) })
        return MadeSource(source, collectors: [market.macro])
    }

    static let altcoinSeason = Source(
        name: "cmc_altcoin_season", api: .coinMarketCap, endpoints: [.init("/v1/altcoin-season-index/latest")],
        summary: "`GET /v1/altcoin-season-index/latest` (1 credit)", schedule: "credit planner",
        intervalFlag: MarketConfig.macroIntervalFlag.spec, timeoutFlag: MarketConfig.timeoutFlag.spec
    ) { setup in
        guard let market = MarketShared.of(setup) else { return nil }
        return MadeSource(market.client.endpoint("cmc_altcoin_season", path: "/v1/altcoin-season-index/latest",
                                                 lastGood: market.altcoinSeason, interval: { market.schedule.interval(.macro) }))
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
