import FoundationEssentials
import Exposition
import ExporterKit

/// When each CoinMarketCap source polls. With a key the credit planner decides from the month's budget and
/// spend (re-planned before every wait); keyless there are no credits, only an unpublished per-IP limit, so a
/// fixed conservative pace is used. Interval flags override both.
final class MarketSchedule: Sendable {
    /// Keyless pace: a handful of calls an hour, far below the bursts that get 429s.
    static let keylessIntervals: [CreditPlanner.Consumer: Double] = [.quotes: 300, .macro: 3600, .listings: 3600]
    /// Ids never change: look them up once a day at most (the look-up costs no credits).
    static let mapInterval = 86_400.0
    /// `/v1/key/info` costs no credits, only a request of the minute's rate limit.
    static let keyInfoInterval = 300.0
    /// Listings are requested 500 at a time.
    static let listingsLimit = 500

    let budget: Int
    let overrides: [CreditPlanner.Consumer: Double]
    let isKeyless: Bool
    let costs: [CreditPlanner.Consumer: Int]
    let state: MarketState
    /// CoinMarketCap's own count of this month's credits, which includes other users of the same key.
    let keyInfo: LastGood<CMCKeyInfo>
    /// The exporter's clock: the plan depends on the day of the month.
    let clock: @Sendable () -> Date

    init(config: MarketConfig, state: MarketState, keyInfo: LastGood<CMCKeyInfo>, clock: @escaping @Sendable () -> Date) {
        budget = config.monthlyCreditBudget
        overrides = config.intervalOverrides
        isKeyless = config.apiKey == nil
        costs = [
            .quotes: CreditPlanner.credits(forAssets: config.sector.count, perCredit: 100),
            .macro: 2,  // fear & greed + altcoin season
            .listings: CreditPlanner.credits(forAssets: Self.listingsLimit, perCredit: 200),
        ]
        self.state = state
        self.keyInfo = keyInfo
        self.clock = clock
    }

    /// The interval in force now, by the exporter's clock.
    func interval(_ consumer: CreditPlanner.Consumer) -> Double {
        interval(consumer, now: clock())
    }

    func interval(_ consumer: CreditPlanner.Consumer, now: Date) -> Double {
        if let fixed = overrides[consumer] { return fixed }
        if isKeyless { return Self.keylessIntervals[consumer]! }
        return plan(now: now)!.intervals[consumer]!
    }

    /// The credit plan at `now`; nil keyless (no credits to plan).
    func plan(now: Date) -> CreditPlanner.Plan? {
        guard !isKeyless else { return nil }
        return CreditPlanner.plan(.init(monthlyBudget: budget, usedThisMonth: creditsUsed(now: now),
                                        secondsLeftInMonth: UTCCalendar.secondsUntilNextMonth(from: now),
                                        costs: costs, overrides: overrides))
    }

    /// The larger of our own count and CoinMarketCap's (when fresh), so that other users of the key slow us down.
    func creditsUsed(now: Date) -> Int {
        let ours = state.creditsUsed(at: now)
        let theirs = keyInfo.value(now: now)?.usage?.currentMonth?.creditsUsed ?? 0
        return max(ours, theirs)
    }

    /// The start-up line: the pace in force and why.
    func describe(now: Date) -> (message: String, fields: KeyValuePairs<String, String>) {
        func format(_ consumer: CreditPlanner.Consumer) -> String { DurationParser.format(interval(consumer, now: now)) }
        if isKeyless {
            return ("no CoinMarketCap API key: using the keyless public API at a conservative fixed pace",
                    ["quotes_interval": format(.quotes), "macro_interval": format(.macro), "listings_interval": format(.listings)])
        }
        let projected = plan(now: now).map { String(Int($0.projectedMonthly)) } ?? ""
        return ("CoinMarketCap credit plan", ["monthly_budget": String(budget), "quotes_interval": format(.quotes),
                                              "macro_interval": format(.macro), "listings_interval": format(.listings),
                                              "projected_monthly": projected])
    }
}
