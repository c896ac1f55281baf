import Foundation
import Exposition
import ExporterKit

/// `cmc_key_info`: `/v1/key/info`, only with a key (it has no keyless form). It costs no credits and tells
/// what CoinMarketCap itself counts, which the planner also uses (other users of the key spend credits too).
enum KeyInfoSource {
    static let declaration = SourceDeclaration(
        name: "cmc_key_info", api: .coinMarketCap, endpoints: [.init("/v1/key/info", recordedBody: "cmc/key-info.json")],
        summary: "`GET /v1/key/info` (0 credits; only with a key)", schedule: "every 5 min",
        intervalFlag: nil, timeoutFlag: "cmc.timeout",
        // Every key-info field is optional: an empty object is accepted and the credits left become unknown
        // (absent, never 0).
        recorded: .init(series: ["akash_exporter_cmc_credits_remaining"],
                        emptyBody: CoinMarketCapClient.emptyAnswer(data: "{}"), emptyAnswer: .valid([])))

    static func make(client: CoinMarketCapClient, box: LastGood<CMCKeyInfo>) -> EndpointSource<CMCKeyInfo> {
        client.endpoint(declaration, lastGood: box, interval: { MarketSchedule.keyInfoInterval })
    }
}

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
