import Foundation
import Synchronization

/// The last good value a source decoded and when it got it. Readers get it only while it is younger than
/// its max age: stale data is dropped from the output rather than served forever.
public final class LastGood<Value: Sendable>: Sendable {
    /// Seconds a value is served, asked at read time: a source whose interval moves (the CoinMarketCap credit
    /// plan) keeps its age limit at three of its current intervals instead of three of its first one.
    private let maxAge: @Sendable (_ now: Date) -> Double
    private let state = Mutex<(value: Value, at: Date)?>(nil)

    /// - Parameter maxAge: seconds; by convention three poll intervals of the source that fills it.
    public convenience init(maxAge: Double) {
        self.init(maxAge: { _ in maxAge })
    }

    /// - Parameter maxAge: seconds at a given instant, for sources whose interval changes while running.
    public init(maxAge: @escaping @Sendable (_ now: Date) -> Double) {
        self.maxAge = maxAge
    }

    public func set(_ value: Value, at date: Date) {
        state.withLock { $0 = (value, date) }
    }

    /// The value if it is no older than the max age at `now`.
    public func value(now: Date) -> Value? {
        let limit = maxAge(now)
        return state.withLock { stored in
            guard let stored, now.timeIntervalSince(stored.at) <= limit else { return nil }
            return stored.value
        }
    }

    /// The value regardless of age (state that must survive, such as the previous quote for momentum).
    public var latest: (value: Value, at: Date)? {
        state.withLock { $0 }
    }
}
