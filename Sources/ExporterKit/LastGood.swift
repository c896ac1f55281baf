import Foundation
import Synchronization

/// The last good value a source decoded and when it got it. Readers get it only while it is younger than
/// `maxAge`: stale data is dropped from the output rather than served forever.
public final class LastGood<Value: Sendable>: Sendable {
    public let maxAge: Double
    private let state = Mutex<(value: Value, at: Date)?>(nil)

    /// - Parameter maxAge: seconds; by convention three poll intervals of the source that fills it.
    public init(maxAge: Double) {
        self.maxAge = maxAge
    }

    public func set(_ value: Value, at date: Date) {
        state.withLock { $0 = (value, date) }
    }

    /// The value if it is no older than `maxAge` at `now`.
    public func value(now: Date) -> Value? {
        state.withLock { stored in
            guard let stored, now.timeIntervalSince(stored.at) <= maxAge else { return nil }
            return stored.value
        }
    }

    /// The value regardless of age (state that must survive, such as the previous quote for momentum).
    public var latest: (value: Value, at: Date)? {
        state.withLock { $0 }
    }

    /// When the stored value stops being served, for scheduling a re-render at that moment.
    public var expiry: Date? {
        state.withLock { $0.map { $0.at.addingTimeInterval(maxAge) } }
    }

    public func clear() {
        state.withLock { $0 = nil }
    }
}
