import Foundation
import ExporterKit
import Synchronization

/// A clock for a poll loop that jumps ahead on every wait, so hours of polling schedule pass in milliseconds.
/// Once a wait reaches the horizon the waiting loop parks until it is cancelled. One clock drives one loop: two
/// loops sharing it would each push the other's time forward.
///
public final class VirtualTime: Sendable {
    private let state: Mutex<(now: Date, waits: [Double])>
    public let horizon: Date

    public init(start: Date = Date(timeIntervalSince1970: 1_700_000_000), horizon: Double) {
        state = Mutex((start, []))
        self.horizon = start.addingTimeInterval(horizon)
    }

    public var now: Date { state.withLock { $0.now } }
    /// Every delay the loop asked for, in order.
    public var waits: [Double] { state.withLock { $0.waits } }
    public var reachedHorizon: Bool { now >= horizon }

    /// Moves time on by `seconds` at once; parks (until cancelled) when that reaches the horizon.
    @Sendable public func sleep(_ seconds: Double) async throws {
        let parked = state.withLock { state -> Bool in
            state.now += seconds
            state.waits.append(seconds)
            return state.now >= horizon
        }
        if parked { try await Task.sleep(for: .seconds(3600)) }
    }
}

extension VirtualTime {
    /// The runner's timing on this clock, without jitter.
    public var timing: SourceRunner.Timing {
        SourceRunner.Timing(now: { self.now }, sleep: sleep, jitter: { 0 })
    }
}

/// Waits until `condition` holds; false if it never did. The bound is not a speed goal: it only ends a wait for
/// something that will never happen. Swift Testing runs synchronous tests (blocking sockets, child processes) on the
/// same few cooperative threads as the async ones, so on a loaded 2-core machine the event can come tens of seconds
/// late: seen at 39-65 s beside two busy processes and three builds. Hence two minutes.
public func eventually(within seconds: Double = 120, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}

/// A calendar clock a test sets by hand: the `WallClock` of a schedule or an area under test.
public final class ManualClock: Sendable {
    private let date: Mutex<Date>

    public init(_ start: Date) { date = Mutex(start) }

    public var now: Date { date.withLock { $0 } }

    public func set(_ instant: Date) { date.withLock { $0 = instant } }

    public var clock: WallClock { WallClock { [self] in now } }
}
