import FoundationEssentials

/// Turns a monthly CoinMarketCap credit budget into poll intervals. Pure: the same inputs give the same plan.
///
/// Allocation. The budget left this month (minus a 10 % reserve for retries, start-up polls and anyone else
/// using the key) is spread over the seconds left in the month as a credit *rate*. That rate is handed out in
/// three rounds, each in priority order quotes → macro → listings:
///   1. minimum service: every consumer at its slowest useful interval;
///   2. target service: every consumer up to its target interval;
///   3. the rest: each consumer up to its fastest useful interval (CoinMarketCap's own cache time).
/// A consumer that cannot even get its slowest interval gets what is left, and with nothing left it pauses
/// until the month resets. Intervals are rounded up to whole seconds, so the projection never exceeds the plan.
///
/// Basic plan, 10,000 credits, a fresh 30-day month, 4 sector assets: rounds 1 and 2 give quotes every 10 min,
/// macro (fear & greed + altcoin season, 2 credits) hourly and listings (500 assets, 3 credits) every 2 h; the
/// remaining rate speeds quotes up to every 6m40s. Projection: 6,480 + 1,440 + 1,080 = 9,000 credits a month.
public enum CreditPlanner {
    /// What spends credits, in priority order.
    public enum Consumer: String, Sendable, CaseIterable, Hashable {
        case quotes, macro, listings
    }

    /// How often a consumer is worth polling, in seconds.
    public struct Pace: Sendable, Equatable {
        public var fastest: Double
        public var target: Double
        public var slowest: Double
    }

    public static let paces: [Consumer: Pace] = [
        // Quotes are cached 60 s by CoinMarketCap; older than 30 min they no longer describe "now".
        .quotes: Pace(fastest: 60, target: 600, slowest: 1800),
        // Fear & greed and altcoin season are cached 15 min and move slowly.
        .macro: Pace(fastest: 900, target: 3600, slowest: 6 * 3600),
        // Listings only feed the DePIN discovery, which changes over hours.
        .listings: Pace(fastest: 900, target: 2 * 3600, slowest: 24 * 3600),
    ]

    /// Share of the budget never planned for.
    public static let reserveFraction = 0.10

    public struct Input: Sendable, Equatable {
        public var monthlyBudget: Int
        public var usedThisMonth: Int
        public var secondsLeftInMonth: Double
        /// Credits one poll of each consumer costs.
        public var costs: [Consumer: Int]
        /// Fixed intervals from flags: they are not planned, but their cost is taken off the budget first.
        public var overrides: [Consumer: Double]

        public init(monthlyBudget: Int, usedThisMonth: Int, secondsLeftInMonth: Double, costs: [Consumer: Int],
                    overrides: [Consumer: Double] = [:]) {
            self.monthlyBudget = monthlyBudget
            self.usedThisMonth = usedThisMonth
            self.secondsLeftInMonth = secondsLeftInMonth
            self.costs = costs
            self.overrides = overrides
        }
    }

    public struct Plan: Sendable, Equatable {
        /// Seconds between polls of each consumer.
        public var intervals: [Consumer: Double]
        /// Credits used so far plus what the intervals will spend until the month resets.
        public var projectedMonthly: Double
    }

    public static func plan(_ input: Input) -> Plan {
        let seconds = max(input.secondsLeftInMonth, 1)
        let usable = Double(input.monthlyBudget) * (1 - reserveFraction) - Double(input.usedThisMonth)
        var rateLeft = max(usable, 0) / seconds  // credits per second
        var rates: [Consumer: Double] = [:]
        var intervals: [Consumer: Double] = [:]

        for consumer in Consumer.allCases {
            if let fixed = input.overrides[consumer] {
                intervals[consumer] = fixed
                rateLeft -= cost(consumer, input) / fixed
            }
        }
        let planned = Consumer.allCases.filter { input.overrides[$0] == nil && cost($0, input) > 0 }
        for level in [\Pace.slowest, \Pace.target, \Pace.fastest] {
            for consumer in planned {
                let wanted = cost(consumer, input) / paces[consumer]![keyPath: level]
                let extra = min(max(wanted - rates[consumer, default: 0], 0), max(rateLeft, 0))
                rates[consumer, default: 0] += extra
                rateLeft -= extra
            }
        }
        for consumer in planned {
            let rate = rates[consumer] ?? 0
            // Nothing left to spend: wait past the month's end, when the budget resets.
            intervals[consumer] = rate > 0 ? wholeSeconds(cost(consumer, input) / rate) : wholeSeconds(seconds + 1)
        }
        for consumer in Consumer.allCases where cost(consumer, input) == 0 && intervals[consumer] == nil {
            intervals[consumer] = paces[consumer]!.target
        }
        return Plan(intervals: intervals, projectedMonthly: projection(input, intervals: intervals))
    }

    /// Credits used plus whole polls left this month at the given intervals.
    static func projection(_ input: Input, intervals: [Consumer: Double]) -> Double {
        let seconds = max(input.secondsLeftInMonth, 0)
        return Double(input.usedThisMonth) + Consumer.allCases.reduce(0) { sum, consumer in
            guard let interval = intervals[consumer], interval > 0 else { return sum }
            return sum + cost(consumer, input) * (seconds / interval).rounded(.down)
        }
    }

    /// Rounds up, ignoring floating-point noise (1 / 0.0025 is 400.00000000000006, which means 400).
    private static func wholeSeconds(_ seconds: Double) -> Double {
        (seconds - 1e-6).rounded(.up)
    }

    private static func cost(_ consumer: Consumer, _ input: Input) -> Double {
        Double(input.costs[consumer] ?? 0)
    }

    /// Credits a call returning `assets` items costs: quotes 1 per 100 assets, listings 1 per 200 (rounded up).
    static func credits(forAssets assets: Int, perCredit: Int) -> Int {
        max(1, (assets + perCredit - 1) / perCredit)
    }
}
