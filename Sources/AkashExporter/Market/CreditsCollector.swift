import FoundationEssentials
import Exposition
import ExporterKit

/// `akash_exporter_cmc_credits_*`: what was spent, what CoinMarketCap says is left, what the schedule will spend.
struct CreditsCollector: MetricsCollector {
    let schedule: MarketSchedule
    let keyInfo: LastGood<CMCKeyInfo>

    func collect(now: Date) -> [MetricFamily] {
        guard !schedule.isKeyless else { return [] }
        var used = MetricFamily.counter("akash_exporter_cmc_credits_used_total",
                                        "CoinMarketCap credits spent this UTC month (from each response's status.credit_count); resets with the month.")
        used.add(Double(schedule.state.creditsUsed(at: now)))
        var remaining = MetricFamily.gauge("akash_exporter_cmc_credits_remaining", "CoinMarketCap credits left in the period, from /v1/key/info.")
        let usage = keyInfo.value(now: now)?.usage
        remaining.add(usage?.currentDay?.creditsLeft.map(Double.init), ["period": "day"])
        remaining.add(usage?.currentMonth?.creditsLeft.map(Double.init), ["period": "month"])
        var projected = MetricFamily.gauge("akash_exporter_cmc_credits_projected_monthly",
                                           "CoinMarketCap credits this month at the current schedule: spent plus planned.")
        projected.add(schedule.plan(now: now)?.projectedMonthly)
        // Exported so that alerts compare against the configured numbers instead of copying them.
        var budget = MetricFamily.gauge("akash_exporter_cmc_credits_budget_monthly",
                                        "CoinMarketCap credits this exporter may spend a month (--cmc.monthly-credit-budget).")
        budget.add(Double(schedule.budget))
        var limit = MetricFamily.gauge("akash_exporter_cmc_credits_limit", "CoinMarketCap credit limit of the key's plan in the period, from /v1/key/info.")
        limit.add(keyInfo.value(now: now)?.plan?.creditLimitMonthly.map(Double.init), ["period": "month"])
        return [used, remaining, projected, budget, limit]
    }
}
