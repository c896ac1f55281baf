import Foundation
import Testing
@testable import AkashExporter
import ExporterKit
import TestSupport

/// The credit plan at the edges of the calendar, on an injected clock: the first and last hour of a month, months of
/// 28, 29, 30 and 31 days, a leap day, and New Year's Eve turning into January. Basic plan: 10,000 credits, 9,000
/// after the 10 % reserve; four sector assets (quotes 1 credit), macro 2, listings 3 (CreditPlanner's doc comment).
@Suite struct CalendarEdgeTests {
    typealias Consumer = CreditPlanner.Consumer

    /// The market schedule with a key, the credits of `spent` already counted, and a clock the test moves.
    final class Harness: Sendable {
        let clock: ManualClock
        let schedule: MarketSchedule

        init(at instant: String, spent: MarketStateSection.Credits? = nil) throws {
            let clock = ManualClock(try #require(WallClock.parseInstant(instant), "\(instant)"))
            self.clock = clock
            let store = StateStore(path: nil, logger: Logger(sink: { _ in }))
            if let spent { store.set(MarketState.sectionKey, MarketStateSection(credits: spent)) }
            let config = try MarketTesting.config(environment: ["CMC_API_KEY": MarketTesting.apiKey])
            schedule = MarketSchedule(config: config, state: MarketState(store: store),
                                      keyInfo: LastGood(pollInterval: MarketSchedule.keyInfoInterval),
                                      clock: clock.clock.now)
        }

        func move(to instant: String) throws {
            clock.set(try #require(WallClock.parseInstant(instant), "\(instant)"))
        }

        var intervals: [Consumer: Double] {
            Dictionary(uniqueKeysWithValues: Consumer.allCases.map { ($0, schedule.interval($0)) })
        }
        var creditsUsed: Int { schedule.creditsUsed(now: clock.now) }
    }

    /// A fresh month of D days: targets (quotes 10 min, macro 1 h, listings 2 h) cost 7/7,200 credits a second; what
    /// is left of 9,000/(D x 86,400) speeds quotes up, rounded up to whole seconds:
    /// 28 days 1/(0.0037202 - 0.0009722) = 363.9 s; 29 days 381.7 s; 30 days 400 s; 31 days 418.8 s.
    @Test("a fresh month's plan follows the month's length", arguments: [
        ("2026-02-01T00:00:00Z", 364.0),  // 28 days
        ("2028-02-01T00:00:00Z", 382.0),  // 29 days: 2028 is a leap year
        ("2026-11-01T00:00:00Z", 400.0),  // 30 days: the README's worked example
        ("2026-12-01T00:00:00Z", 419.0),  // 31 days
        ("2027-01-01T00:00:00Z", 419.0),  // 31 days, the first second of a year
    ])
    func freshMonth(instant: String, quotes: Double) throws {
        let harness = try Harness(at: instant)
        #expect(harness.intervals == [.quotes: quotes, .macro: 3600, .listings: 7200], "\(instant)")
    }

    /// With the whole budget unspent, the last hour of any month (and the last second) can afford the fastest
    /// useful pace: CoinMarketCap's own cache times.
    @Test("the end of a month runs at the fastest useful pace", arguments: [
        "2026-02-28T23:00:00Z", "2026-02-28T23:59:59Z", "2028-02-29T23:00:00Z", "2026-04-30T23:00:00Z",
        "2026-12-31T23:00:00Z", "2026-12-31T23:59:59Z", "2026-11-30T06:00:00Z",
    ])
    func lastHour(instant: String) throws {
        let harness = try Harness(at: instant)
        #expect(harness.intervals == [.quotes: 60, .macro: 900, .listings: 900], "\(instant)")
    }

    /// A leap day is a day of February, not of March: on 2028-02-28 two days are left, on 2026-02-28 one.
    @Test func leapDayBelongsToFebruary() throws {
        #expect(UTCCalendar.secondsUntilNextMonth(from: try #require(WallClock.parseInstant("2028-02-28T00:00:00Z"))) == 2 * 86_400)
        #expect(UTCCalendar.secondsUntilNextMonth(from: try #require(WallClock.parseInstant("2026-02-28T00:00:00Z"))) == 86_400)
        #expect(UTCCalendar.monthKey(try #require(WallClock.parseInstant("2028-02-29T12:00:00Z"))) == "2028-02")
        #expect(WallClock.parseInstant("2026-02-29T00:00:00Z") == nil)  // no such day
    }

    /// New Year's Eve with the month's budget nearly spent: one usable credit over the last hour buys quotes every hour
    /// and pauses the rest until the reset. A second after midnight the count is January's (0) and the plan is a fresh
    /// 31-day month's.
    @Test func newYearResetsTheCredits() throws {
        let harness = try Harness(at: "2026-12-31T23:00:00Z", spent: .init(month: "2026-12", used: 8_999))
        #expect(harness.creditsUsed == 8_999)
        let december = harness.intervals
        #expect(december[.quotes] == 3600)
        #expect(december[.macro]! > 3600 && december[.listings]! > 3600)
        try harness.move(to: "2026-12-31T23:59:59Z")
        #expect(harness.creditsUsed == 8_999)
        try harness.move(to: "2027-01-01T00:00:00Z")
        #expect(harness.creditsUsed == 0)
        #expect(harness.intervals == [.quotes: 419, .macro: 3600, .listings: 7200])
    }

    /// The first hour of a month after a month that ended spent: the reset is at 00:00 UTC, not later.
    @Test func firstHourOfAMonthIsFresh() throws {
        let harness = try Harness(at: "2026-03-01T00:30:00Z", spent: .init(month: "2026-02", used: 9_000))
        #expect(harness.creditsUsed == 0)
        // 31 days less 30 minutes: a hair more rate than a whole 31-day month, the same whole seconds.
        #expect(harness.intervals == [.quotes: 419, .macro: 3600, .listings: 7200])
    }

    @Test("--clock.start takes a UTC instant and rejects anything else", arguments: [
        ("2026-02-28T23:30:00Z", 1_772_321_400.0), ("2028-02-29T00:00:00Z", 1_835_395_200.0),
        ("1970-01-01T00:00:00Z", 0.0), ("2026-12-31T23:59:59Z", 1_798_761_599.0),
    ])
    func parsesInstants(text: String, seconds: Double) {
        #expect(WallClock.parseInstant(text)?.timeIntervalSince1970 == seconds)
    }

    @Test(arguments: ["2026-02-28", "2026-02-28T23:30:00", "2026-02-28T23:30:00+01:00", "2026-13-01T00:00:00Z",
                      "2026-02-28T24:00:00Z", "2026-02-28T23:60:00Z", "2026-02-28 23:30:00Z", "x026-02-28T23:30:00Z", ""])
    func rejectsOtherInstants(text: String) {
        #expect(WallClock.parseInstant(text) == nil)
    }
}
