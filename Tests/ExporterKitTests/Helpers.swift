import Foundation
import Synchronization
import Exposition
import TestSupport
@testable import ExporterKit

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

