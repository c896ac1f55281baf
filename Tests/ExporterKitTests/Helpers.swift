import Foundation
import Synchronization
import Exposition
@testable import ExporterKit

/// Log lines a test can read back.
final class LogCapture: Sendable {
    private let captured = Mutex<[String]>([])

    func logger(level: Logger.Level = .info, format: Logger.Format = .logfmt) -> Logger {
        Logger(level: level, format: format) { line in self.captured.withLock { $0.append(line) } }
    }

    var lines: [String] { captured.withLock { $0 } }
}

/// A source of the shape every real one has: fetch JSON, decode, keep it in a `LastGood` box (and, when asked,
/// in the state file).
struct ValueSource: PolledSource {
    struct Reading: Codable { var value: Double }

    let name: String
    let interval: Double
    let url: URL
    var timeout: Double = 5
    let box: LastGood<Double>
    var state: StateStore?

    func poll(_ context: PollContext) async throws(SourceFailure) {
        let reading = try await context.fetchJSON(Reading.self, UpstreamRequest(url: url, timeout: timeout), what: "value")
        box.set(reading.value, at: context.now)
        state?.set(name, reading)
    }
}

/// `test_value{source}` from a `ValueSource` box.
struct ValueCollector: MetricsCollector {
    let source: String
    let box: LastGood<Double>

    func collect(now: Date) -> [MetricFamily] {
        var family = MetricFamily.gauge("test_value", "A value polled from the fake upstream.")
        family.add(box.value(now: now), ["source": source])
        return [family]
    }
}

/// A clock for the runner that jumps ahead on every wait, so hours of polling schedule pass in milliseconds.
/// Once a wait reaches the horizon the waiting loop parks until it is cancelled.
final class VirtualTime: Sendable {
    private let state: Mutex<(now: Date, waits: [Double])>
    let horizon: Date

    init(start: Date = Date(timeIntervalSince1970: 1_700_000_000), horizon: Double) {
        state = Mutex((start, []))
        self.horizon = start.addingTimeInterval(horizon)
    }

    var now: Date { state.withLock { $0.now } }
    /// Every delay the runner asked for, in order.
    var waits: [Double] { state.withLock { $0.waits } }
    var reachedHorizon: Bool { now >= horizon }

    var timing: SourceRunner.Timing {
        SourceRunner.Timing(now: { self.now }, sleep: { try await self.sleep($0) }, jitter: { 0 })
    }

    private func sleep(_ seconds: Double) async throws {
        let parked = state.withLock { state -> Bool in
            state.now += seconds
            state.waits.append(seconds)
            return state.now >= horizon
        }
        if parked { try await Task.sleep(for: .seconds(3600)) }
    }
}

/// Waits (up to a generous bound, not a speed goal) until `condition` holds; false if it never did.
func eventually(within seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}
