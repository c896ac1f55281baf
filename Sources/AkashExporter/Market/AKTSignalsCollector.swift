import FoundationEssentials
import Exposition
import ExporterKit

/// `akash_akt_*`: the score (quote table plus regime penalty) and the momentum between the last two quotes.
struct AKTSignalsCollector: MetricsCollector {
    let quotes: LastGood<QuotesSnapshot>
    let macro: MacroCollector

    func collect(now: Date) -> [MetricFamily] {
        guard let snapshot = quotes.value(now: now), let akt = snapshot.akt else { return [] }
        var score = MetricFamily.gauge("akash_akt_signal_score", "AKT signal score from its quote, minus 15 when the macro regime is not favorable.")
        if let usd = akt.usd, let favorable = macro.readings(now: now).regimeFavorable {
            let inputs = AKTScore.Inputs(percentChange1h: usd.percentChange1h, percentChange24h: usd.percentChange24h,
                                         percentChange7d: usd.percentChange7d, volume24hUSD: usd.volume24h,
                                         marketCapUSD: usd.marketCap, marketPairs: akt.marketPairs)
            score.add(AKTScore.score(inputs, regimeFavorable: favorable))
        }
        var price = MetricFamily.gauge("akash_akt_momentum_price_change_ratio", "AKT price change between the last two distinct quotes, as a ratio.")
        var volume = MetricFamily.gauge("akash_akt_momentum_volume_change_ratio", "AKT 24h-volume change between the last two distinct quotes, as a ratio.")
        var accelerating = MetricFamily.gauge("akash_akt_momentum_accelerating", "1 when the last AKT quote's price is above the one before, else 0.")
        if let momentum = snapshot.momentum {
            price.add(momentum.priceChangeRatio)
            volume.add(momentum.volumeChangeRatio)
            accelerating.add(momentum.accelerating ? 1 : 0)
        }
        return [score, price, volume, accelerating]
    }
}
