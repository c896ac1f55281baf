import FoundationEssentials
import Exposition
import Synchronization

/// The one shape of a source that is a single GET: request, read the answer (status check and decoding, or an
/// API's own envelope), keep the result as the last good value. Nothing is stored unless the whole answer was
/// read, so a failed poll leaves the previous value in place until it ages out.
///
/// Polite to the upstream: when an answer carried `ETag` or `Last-Modified`, the next request asks with
/// `If-None-Match` / `If-Modified-Since`, and a `304 Not Modified` keeps the last good value as current (a success
/// with no body to download or decode).
public struct EndpointSource<Value: Sendable>: PolledSource {
    public let name: String
    public let request: UpstreamRequest
    public let lastGood: LastGood<Value>
    private let validators = Validators()
    private let currentInterval: @Sendable () -> Double
    private let read: @Sendable (UpstreamResponse, _ now: Date) throws(SourceFailure) -> Value

    /// - Parameters:
    ///   - interval: seconds between polls, asked before every wait (a credit plan may move it).
    ///   - read: turns a response into the value, or the failure its status or body describes.
    public init(name: String, request: UpstreamRequest, interval: @escaping @Sendable () -> Double, lastGood: LastGood<Value>,
                read: @escaping @Sendable (UpstreamResponse, _ now: Date) throws(SourceFailure) -> Value) {
        self.name = name
        self.request = request
        self.currentInterval = interval
        self.lastGood = lastGood
        self.read = read
    }

    /// The usual answer: a 2xx status, then the body decoded by `decode`; `what` names the endpoint in failures.
    public init(name: String, request: UpstreamRequest, interval: @escaping @Sendable () -> Double, lastGood: LastGood<Value>,
                what: String, decode: @escaping @Sendable (Data) throws(SourceFailure) -> Value) {
        self.init(name: name, request: request, interval: interval, lastGood: lastGood) { response, _ throws(SourceFailure) in
            try response.requireSuccess(what)
            return try decode(response.body)
        }
    }

    public var interval: Double { currentInterval() }

    public func poll(_ context: PollContext) async throws(SourceFailure) {
        var request = request
        // Only while there is a value to keep: an answer of "unchanged" must have something to refer to.
        let current = lastGood.latest?.value
        if current != nil { validators.ask(&request) }
        let response = try await context.fetch(request)
        if response.status == 304, let current {
            lastGood.set(current, at: context.now)
            return
        }
        lastGood.set(try read(response, context.now), at: context.now)
        validators.remember(response)
    }
}

/// The validators of an endpoint's last answer that was read whole, for its next conditional request.
final class Validators: Sendable {
    private let state = Mutex<(etag: String?, lastModified: String?)>((nil, nil))

    func remember(_ response: UpstreamResponse) {
        state.withLock { $0 = (response.headers["etag"], response.headers["last-modified"]) }
    }

    func ask(_ request: inout UpstreamRequest) {
        let (etag, lastModified) = state.withLock { $0 }
        if let etag { request.headers["If-None-Match"] = etag }
        if let lastModified { request.headers["If-Modified-Since"] = lastModified }
    }
}

/// Builds metric families from a source's last good value: none while there is no value or it is stale.
public struct LastGoodCollector<Value: Sendable>: MetricsCollector {
    let lastGood: LastGood<Value>
    let families: @Sendable (Value) -> [MetricFamily]

    public init(lastGood: LastGood<Value>, families: @escaping @Sendable (Value) -> [MetricFamily]) {
        self.lastGood = lastGood
        self.families = families
    }

    public func collect(now: Date) -> [MetricFamily] {
        guard let value = lastGood.value(now: now) else { return [] }
        return families(value)
    }
}

/// An endpoint whose value feeds its own metric families: its source and the collector reading the same box,
/// served for `LastGood.intervalsServed` poll intervals.
public struct Endpoint<Value: Sendable> {
    public let source: EndpointSource<Value>
    public let collector: LastGoodCollector<Value>

    /// A JSON GET of `path` under `api`'s `baseURL`, polled every `interval` seconds.
    public init(_ name: String, api: UpstreamAPI, baseURL: URL, path: String, interval: Double, timeout: Double,
                maxBodyBytes: Int = UpstreamRequest.defaultMaxBodyBytes,
                decode: @escaping @Sendable (Data) throws(SourceFailure) -> Value,
                families: @escaping @Sendable (Value) -> [MetricFamily]) {
        let lastGood = LastGood<Value>(pollInterval: interval)
        let request = UpstreamRequest(url: baseURL.appendingAPIPath(path), headers: ["Accept": "application/json"],
                                      timeout: timeout, maxBodyBytes: maxBodyBytes)
        source = EndpointSource(name: name, request: request, interval: { interval }, lastGood: lastGood,
                                what: api.describe(path), decode: decode)
        collector = LastGoodCollector(lastGood: lastGood, families: families)
    }
}

/// Decoding an upstream's JSON body the one way: unknown fields ignored; a missing or mistyped required field is a
/// `decode` failure whose message names the endpoint and the field, and never echoes the body. Bodies are decoded in
/// place by `ScanningJSONDecoder`, so a large list of which a few fields are read costs the body and the result,
/// never a tree of the whole document.
public enum JSONBody {
    public static func decode<T: Decodable>(_ type: T.Type, from body: Data, what: String) throws(SourceFailure) -> T {
        do {
            return try ScanningJSONDecoder().decode(T.self, from: body)
        } catch {
            throw SourceFailure.decode(what, error)
        }
    }
}
