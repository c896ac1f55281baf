import Foundation
import Testing
@testable import ExporterKit

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy.standard

    private func delay(_ reason: FailureReason?, interval: Double, failures: Int = 1, retryAfter: Double? = nil,
                       jitter: Double = 0) -> Double {
        policy.delay(after: reason.map { SourceFailure($0, "test", retryAfter: retryAfter) }, interval: interval,
                     consecutiveFailures: failures, jitter: jitter)
    }

    @Test func successWaitsTheInterval() {
        #expect(delay(nil, interval: 60, failures: 7) == 60)
    }

    @Test(arguments: [FailureReason.timeout, .connection, .http, .decode])
    func transientFailuresBackOffExponentiallyFromTenSecondsToFiveMinutes(_ reason: FailureReason) {
        let steps = (1...8).map { delay(reason, interval: 60, failures: $0) }
        #expect(steps == [10, 20, 40, 80, 160, 300, 300, 300])
    }

    @Test func backoffStartsAtTheIntervalWhenItIsShorterThanTenSeconds() {
        #expect((1...3).map { delay(.timeout, interval: 2, failures: $0) } == [2, 4, 8])
    }

    @Test func backoffCapIsTheIntervalWhenItIsLongerThanFiveMinutes() {
        #expect(delay(.http, interval: 3600, failures: 30) == 3600)
        #expect(delay(.http, interval: 3600, failures: 1_000_000) == 3600)
    }

    @Test func jitterShortensTheStepByUpToTwentyPercent() {
        #expect(delay(.connection, interval: 60, failures: 2, jitter: 0.5) == 18)
        #expect(delay(.connection, interval: 60, failures: 10, jitter: 1) == 240)
    }

    @Test func rateLimitedWaitsAtLeastRetryAfter() {
        #expect(delay(.rateLimited, interval: 60, failures: 1, retryAfter: 120) == 120)
        // A Retry-After shorter than the backoff does not make the exporter retry sooner than it would anyway.
        #expect(delay(.rateLimited, interval: 60, failures: 3, retryAfter: 5) == 40)
    }

    @Test func rateLimitedWithoutRetryAfterBacksOff() {
        #expect(delay(.rateLimited, interval: 60, failures: 2) == 20)
    }

    @Test func authFailureRetriesEveryHalfHourOrInterval() {
        #expect(delay(.auth, interval: 60, failures: 1) == 1800)
        #expect(delay(.auth, interval: 7200, failures: 1) == 7200)
    }

    @Test func creditsExhaustedWaitsForTheResetOrAnHour() {
        #expect(delay(.creditsExhausted, interval: 60, retryAfter: 5400) == 5400)
        #expect(delay(.creditsExhausted, interval: 60) == 3600)
    }

    @Test func absurdRetryAfterIsBounded() {
        #expect(delay(.rateLimited, interval: 60, retryAfter: .infinity) == 31 * 86_400)
        #expect(delay(.creditsExhausted, interval: 60, retryAfter: -5) == 1)
        #expect(delay(.creditsExhausted, interval: 60, retryAfter: .nan) == 300)
        #expect(UpstreamResponse(status: 429, headers: ["retry-after": "inf"], body: Data()).retryAfter() == nil)
        #expect(UpstreamResponse(status: 429, headers: ["retry-after": "1e400"], body: Data()).retryAfter() == nil)
        #expect(UpstreamResponse(status: 429, headers: ["retry-after": "120"], body: Data()).retryAfter() == 120)
    }
}

extension FailureReason {
    /// A reason an application adds for its own API (CoinMarketCap's spent credits).
    static let creditsExhausted = FailureReason(rawValue: "credits_exhausted")
}
