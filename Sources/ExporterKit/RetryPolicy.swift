/// When to poll a source next, given how the last poll went: the whole backoff policy in one pure function.
///
/// - success: the source's interval.
/// - timeout, connection, http, decode: exponential backoff, starting at `min(interval, 10 s)` and doubling with
///   each consecutive failure up to `max(interval, 5 min)`, with jitter so that sources (and exporters) that
///   failed together do not retry in lockstep. A broken upstream is asked less often, never hammered.
/// - rate_limited: at least the upstream's `Retry-After`; without it, the same backoff.
/// - auth: a bad key will not fix itself between two polls: retry rarely (`max(interval, 30 min)`), so a key that
///   is replaced on disk or re-enabled is still picked up.
/// - a reason the application adds (CoinMarketCap's credits_exhausted): the `retryAfter` the source computed (time
///   to the credit reset), else an hour.
public struct RetryPolicy: Sendable, Equatable {
    /// Upper bound of the first backoff step (seconds).
    public var firstBackoff: Double = 10
    /// Backoff never exceeds `max(interval, backoffCap)`.
    public var backoffCap: Double = 300
    /// An auth failure is retried after `max(interval, authRetry)`.
    public var authRetry: Double = 1800
    /// A reason of the application's own (a spent quota) without a known reset time.
    public var quotaRetry: Double = 3600
    /// No wait is longer than this, whatever an upstream's `Retry-After` says (a monthly credit reset is the
    /// longest legitimate one).
    public var longestDelay: Double = 31 * 86_400
    /// No retry after a failure comes sooner than this.
    public var shortestRetry: Double = 1
    /// Backoff steps are shortened by up to this fraction (never lengthened, so the cap holds; and failing
    /// sources spread out even once they all sit at the cap).
    public var jitterSpread: Double = 0.2

    public init() {}

    public static let standard = RetryPolicy()

    /// Seconds until the next poll.
    /// - Parameters:
    ///   - failure: how the poll failed, nil when it succeeded.
    ///   - interval: the source's regular interval.
    ///   - consecutiveFailures: failures in a row including this one (ignored after a success).
    ///   - jitter: a value in `0..<1` (random in production, fixed in tests); 0 means no jitter.
    public func delay(after failure: SourceFailure?, interval: Double, consecutiveFailures: Int, jitter: Double) -> Double {
        let delay = unbounded(after: failure, interval: interval, consecutiveFailures: consecutiveFailures, jitter: jitter)
        // A hostile or broken upstream can send any number: never sleep forever, never retry in a tight loop.
        let shortest = failure == nil ? 0 : shortestRetry
        return delay.isNaN ? backoffCap : min(max(delay, shortest), longestDelay)
    }

    private func unbounded(after failure: SourceFailure?, interval: Double, consecutiveFailures: Int, jitter: Double) -> Double {
        guard let failure else { return interval }
        switch failure.reason {
        case .timeout, .connection, .http, .decode:
            return backoff(interval: interval, consecutiveFailures: consecutiveFailures, jitter: jitter)
        case .rateLimited:
            let backoff = backoff(interval: interval, consecutiveFailures: consecutiveFailures, jitter: jitter)
            return max(failure.retryAfter ?? 0, backoff)
        case .auth:
            return max(interval, authRetry)
        default:
            // A reason of the application's own API, such as a spent quota: the wait the source computed.
            return failure.retryAfter ?? quotaRetry
        }
    }

    /// `min(interval, firstBackoff) · 2^(n-1)`, capped at `max(interval, backoffCap)`, then shortened by
    /// `jitter · jitterSpread`.
    func backoff(interval: Double, consecutiveFailures: Int, jitter: Double) -> Double {
        let first = min(interval, firstBackoff)
        let cap = max(interval, backoffCap)
        // Past 2^20 steps every delay is at the cap; bounding the exponent keeps the arithmetic finite.
        let exponent = Double(min(max(consecutiveFailures, 1) - 1, 20))
        return min(first * pow2(exponent), cap) * (1 - jitterSpread * min(max(jitter, 0), 1))
    }

    private func pow2(_ exponent: Double) -> Double {
        Double(sign: .plus, exponent: Int(exponent), significand: 1)
    }
}
