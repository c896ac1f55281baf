import FoundationEssentials
import Synchronization

/// The last good value a source decoded and when it got it. Readers get it only while it is younger than
/// its max age: stale data is dropped from the output rather than served forever.
public final class LastGood<Value: Sendable>: Sendable {
    /// Seconds a value is served, asked at read time.
    private let maxAge: @Sendable (_ now: Date) -> Double
    private let state = Mutex<(value: Value, at: Date)?>(nil)

    /// Poll intervals a value is served after the poll that got it: one failed poll, or two, never empties a
    /// dashboard; a source down for longer stops being reported as if it were current.
    public static var intervalsServed: Double { 3 }

    /// Served for `intervalsServed` intervals of a source polled every `pollInterval` seconds.
    public convenience init(pollInterval: Double) {
        self.init(pollInterval: { _ in pollInterval })
    }

    /// Served for `intervalsServed` of the intervals in force when the value is read, for a source whose interval
    /// changes while running (the CoinMarketCap credit plan): three of its current intervals, not of its first.
    public convenience init(pollInterval: @escaping @Sendable (_ now: Date) -> Double) {
        self.init(maxAge: { now in Self.intervalsServed * pollInterval(now) })
    }

    /// - Parameter maxAge: seconds.
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
