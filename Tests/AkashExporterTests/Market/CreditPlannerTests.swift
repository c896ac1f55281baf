import Foundation
import Testing
@testable import AkashExporter

@Suite struct CreditPlannerTests {
    typealias Consumer = CreditPlanner.Consumer
    /// Four sector assets (1 credit a quote call), fear & greed + altcoin season (2), 500 listings (3).
    static let costs: [Consumer: Int] = [.quotes: 1, .macro: 2, .listings: 3]
    static let thirtyDays = 30.0 * 86_400

    private func plan(budget: Int, used: Int = 0, secondsLeft: Double = thirtyDays,
                      overrides: [Consumer: Double] = [:]) -> CreditPlanner.Plan {
        CreditPlanner.plan(.init(monthlyBudget: budget, usedThisMonth: used, secondsLeftInMonth: secondsLeft,
                                 costs: Self.costs, overrides: overrides))
    }

    @Test func basicPlanAllocation() {
        let basic = plan(budget: 10_000)
        #expect(basic.intervals == [.quotes: 400, .macro: 3600, .listings: 7200])
        #expect(basic.projectedMonthly == 9000)
    }

    @Test(arguments: [500, 2_000, 10_000, 15_000, 40_000, 120_000, 1_000_000])
    func projectionStaysWithinBudget(budget: Int) {
        for used in [0, budget / 3, budget * 9 / 10, budget] {
            for secondsLeft in [Self.thirtyDays, 86_400, 3_600, 1] {
                let result = plan(budget: budget, used: used, secondsLeft: secondsLeft)
                #expect(result.projectedMonthly <= Double(budget), "budget \(budget) used \(used) left \(secondsLeft)s")
                #expect(result.intervals.keys.count == 3)
            }
        }
    }

    @Test func priorityQuotesThenMacroThenListings() {
        // 600 credits in 30 days (~0.00023/s, after the reserve) buys only part of the minimum service.
        let small = plan(budget: 600)
        #expect(small.intervals[.quotes]! == 4800)  // slowest pace is 30 min: it gets all that is left
        #expect(small.intervals[.macro]! > 30 * 86_400)  // paused until the month resets
        #expect(small.intervals[.listings]! > 30 * 86_400)
    }

    @Test func bigBudgetsStopAtTheFastestUsefulPace() {
        let big = plan(budget: 1_000_000)
        #expect(big.intervals == [.quotes: 60, .macro: 900, .listings: 900])
    }

    @Test func spendingAheadOfPaceSlowsThePlanDown() {
        let fresh = plan(budget: 10_000, used: 0, secondsLeft: 15 * 86_400)
        let spent = plan(budget: 10_000, used: 7_000, secondsLeft: 15 * 86_400)
        #expect(spent.intervals[.quotes]! > fresh.intervals[.quotes]!)
        #expect(spent.projectedMonthly <= 9_000)
    }

    @Test func exhaustedBudgetPausesEverythingUntilTheReset() {
        let done = plan(budget: 10_000, used: 9_500, secondsLeft: 86_400)
        #expect(done.intervals.values.allSatisfy { $0 > 86_400 })
        #expect(done.projectedMonthly == 9_500)
    }

    @Test func overridesAreKeptAndPaidForFirst() {
        let withFastQuotes = plan(budget: 10_000, overrides: [.quotes: 300])
        #expect(withFastQuotes.intervals[.quotes] == 300)
        // 8,640 credits of quotes leave 360 for macro and listings: both slower than on the plain plan.
        #expect(withFastQuotes.intervals[.macro]! > 3600)
        #expect(withFastQuotes.projectedMonthly <= 9000)
    }

    @Test func creditsPerCall() {
        #expect(CreditPlanner.credits(forAssets: 4, perCredit: 100) == 1)
        #expect(CreditPlanner.credits(forAssets: 101, perCredit: 100) == 2)
        #expect(CreditPlanner.credits(forAssets: 500, perCredit: 200) == 3)
    }

    @Test func utcBoundaries() {
        let now = MarketTesting.now  // 2026-05-26T12:05:00Z
        #expect(UTCCalendar.monthKey(now) == "2026-05")
        #expect(UTCCalendar.secondsUntilNextDay(from: now) == 42_900)  // 11h55m
        #expect(UTCCalendar.secondsUntilNextMonth(from: now) == 474_900)  // 5d11h55m
    }
}
