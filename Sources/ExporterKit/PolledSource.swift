import FoundationEssentials
import Exposition

/// One upstream endpoint (or a small group of calls that belong together), polled in the background on its
/// own schedule. A source stores what it decoded in its own `LastGood` box(es), which collectors read when
/// the exposition is rendered; it never renders anything itself.
public protocol PolledSource: Sendable {
    /// The `source` label: `cmc_quotes`, `akash_gpu_prices`, ...
    var name: String { get }
    /// Seconds between successful polls. Read before every wait, so a source may change it (credit budget).
    var interval: Double { get }
    /// Performs one poll. Throws `SourceFailure`; anything stored must come from a complete, valid answer.
    func poll(_ context: PollContext) async throws(SourceFailure)
}

/// What a poll may use: the upstream client (requests are counted per source) and the clock.
public struct PollContext: Sendable {
    public let source: String
    public let now: Date
    let upstream: any UpstreamFetching
    let health: HealthRegistry

    public init(source: String, now: Date, upstream: any UpstreamFetching, health: HealthRegistry) {
        self.source = source
        self.now = now
        self.upstream = upstream
        self.health = health
    }

    /// Performs one request, counted in `<namespace>_source_requests_total{source}`; the body bytes of its answer
    /// as they came over the wire in `<namespace>_source_response_bytes_total{source}`.
    public func fetch(_ request: UpstreamRequest) async throws(SourceFailure) -> UpstreamResponse {
        health.countRequest(source)
        let response = try await upstream.fetch(request)
        health.countResponseBytes(source, response.wireBytes)
        LargeBodyMemory.noteBody(bytes: response.body.count)
        return response
    }

    /// Fetches, requires a 2xx status and decodes the body as `T`.
    public func fetchJSON<T: Decodable>(_ type: T.Type, _ request: UpstreamRequest, what: String) async throws(SourceFailure) -> T {
        let response = try await fetch(request)
        try response.requireSuccess(what)
        return try JSONBody.decode(T.self, from: response.body, what: what)
    }
}

/// Produces metric families from the last good data when the exposition is rendered.
public protocol MetricsCollector: Sendable {
    func collect(now: Date) -> [Exposition.MetricFamily]
}
