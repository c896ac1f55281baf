import ExporterKit
import Exposition
import Foundation

/// One Console API endpoint polled on its own schedule. The three compute sources differ only in path, timing
/// and what they decode, so this one type serves them all: GET, require a 2xx status, decode the body with the
/// endpoint's pure function, keep the result as the last good value. Nothing is stored unless the whole body
/// decoded, so a failed poll leaves the previous value in place until it ages out.
struct ConsoleEndpointSource<Value: Sendable>: PolledSource {
    let name: String
    let interval: Double
    let request: UpstreamRequest
    /// `Console /v1/gpu-prices`: how failure messages name the endpoint.
    let what: String
    let decode: @Sendable (Data) throws(SourceFailure) -> Value
    let lastGood: LastGood<Value>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        let response = try await context.fetch(request)
        try response.requireSuccess(what)
        lastGood.set(try decode(response.body), at: context.now)
    }
}

/// Builds metric families from a source's last good value: none while there is no value or it is stale.
struct LastGoodCollector<Value: Sendable>: MetricsCollector {
    let lastGood: LastGood<Value>
    let families: @Sendable (Value) -> [MetricFamily]

    func collect(now: Date) -> [MetricFamily] {
        guard let value = lastGood.value(now: now) else { return [] }
        return families(value)
    }
}

/// A Console endpoint as the area wires it: its source and the collector reading the same box.
struct ConsoleEndpoint<Value: Sendable> {
    let source: ConsoleEndpointSource<Value>
    let collector: LastGoodCollector<Value>

    /// - Parameters:
    ///   - interval: seconds between polls; the last good value is served for three of them.
    ///   - maxBodyBytes: a larger answer fails the poll instead of being held in memory.
    init(name: String, baseURL: URL, path: String, interval: Double, timeout: Double, maxBodyBytes: Int = 16 << 20,
         decode: @escaping @Sendable (Data) throws(SourceFailure) -> Value,
         families: @escaping @Sendable (Value) -> [MetricFamily]) {
        let lastGood = LastGood<Value>(maxAge: 3 * interval)
        let request = UpstreamRequest(url: baseURL.appendingAPIPath(path), headers: ["Accept": "application/json"],
                                      timeout: timeout, maxBodyBytes: maxBodyBytes)
        source = ConsoleEndpointSource(name: name, interval: interval, request: request, what: ConsoleJSON.what(path),
                                       decode: decode, lastGood: lastGood)
        collector = LastGoodCollector(lastGood: lastGood, families: families)
    }
}

enum ConsoleJSON {
    /// How failure messages name an endpoint: `Console /v1/gpu-prices`.
    static func what(_ path: String) -> String {
        "Console \(path)"
    }

    /// Decodes the answer of the endpoint at `path`. Unknown fields are ignored; a missing or mistyped required
    /// field is a `decode` failure whose message names the field (and never echoes the body).
    static func decode<T: Decodable>(_ type: T.Type, from body: Data, path: String) throws(SourceFailure) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw SourceFailure.decode(what(path), error)
        }
    }
}

/// The `state` label and value of each count in a Console `{active, pending, available, total}` or
/// `{total, available}` object, in the order they are exported.
typealias StateValues = [(state: String, value: Double)]

extension MetricFamily {
    /// Adds one sample per state, each with `labels` plus `state`.
    mutating func add(_ states: StateValues, labels: [Label] = []) {
        for (state, value) in states {
            add(value, labels: labels + [Label("state", state)])
        }
    }
}
