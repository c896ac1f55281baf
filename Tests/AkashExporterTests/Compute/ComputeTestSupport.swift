import Foundation
import Synchronization
import Testing
@testable import AkashExporter
import ExporterKit
import Exposition
import TestSupport

/// Not an HTTP fake but the exporter's `UpstreamFetching` seam, answered in memory: each path gets a canned response or
/// a transport failure (a timeout, say) at once, with no socket and no clock, so the pure tests of the area's sources
/// stay independent of load. Everything that speaks HTTP goes through the one `FakeUpstream`.
final class InMemoryUpstream: UpstreamFetching {
    enum Reply: Sendable {
        case response(UpstreamResponse)
        case failure(SourceFailure)
    }

    private let replies = Mutex<[String: Reply]>([:])

    /// Serves every compute endpoint from a fixture under `Tests/Fixtures/akash/`.
    init(prices: String = "gpu-prices.json", capacity: String = "network-capacity.json",
         providers: String = "providers.json") throws {
        try serve(GPUPrices.path, fixture: prices)
        try serve(NetworkCapacity.path, fixture: capacity)
        try serve(ProviderList.path, fixture: providers)
    }

    func serve(_ path: String, fixture: String) throws {
        serve(path, body: try Fixtures.data("akash/\(fixture)"))
    }

    func serve(_ path: String, status: Int = 200, body: Data) {
        replies.withLock { $0[path] = .response(UpstreamResponse(status: status, body: body)) }
    }

    func fail(_ path: String, _ failure: SourceFailure) {
        replies.withLock { $0[path] = .failure(failure) }
    }

    func fetch(_ request: UpstreamRequest) async throws(SourceFailure) -> UpstreamResponse {
        switch replies.withLock({ $0[request.url.path] }) {
        case .response(let response): return response
        case .failure(let failure): throw failure
        case nil: return UpstreamResponse(status: 404, body: Data())
        }
    }
}

/// Helpers of the compute tests, in one namespace: the test target is shared with the other areas.
enum ComputeTest {
    /// A fixed clock for everything that ages: 2026-07-17T20:00:00Z.
    static let pollTime = Date(timeIntervalSince1970: 1_784_318_400)

    /// Poll failures are expected in these tests; their log lines are not the subject.
    static let quiet = Logger(level: .error, sink: { _ in })

    /// The failure of decoding `body`, nil when it decoded.
    static func decodeFailure(_ body: String, _ decode: (Data) throws(SourceFailure) -> some Any) -> SourceFailure? {
        do {
            _ = try decode(Data(body.utf8))
            return nil
        } catch {
            return error
        }
    }
}
