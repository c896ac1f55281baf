@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import TestSupport

/// The network area pointed at a `FakeChain` on loopback that serves `Tests/Fixtures/network/` (see the README
/// there), polled through the real `CurlUpstream`, with AKT at $0.50 and the Console's `gpu-prices.json` medians.
struct NetworkHarness {
    static let pollTime = AccountHarness.pollTime
    static let leasesKey = "bmV0d29yay9sZWFzZXMvMg+/AQ=="
    static let bidsKey = "bmV0d29yay9iaWRzLzI/+w=="
    static let marketRows: [GPUPrices.GPUModel] = try! GPUPrices.decode(Fixtures.data("akash/gpu-prices.json")).models

    let chain: FakeChain
    let shared: SharedDependencies
    let area: MadeSources
    let upstream = CurlUpstream()

    /// - Parameter extraAreas: areas made with the same shared dependencies (a tenant's or a provider's view that
    ///   compares with the paid medians).
    init(aktPriceUSD: Double? = 0.5, interval: Double = 1800, pageSize: Int = 500) throws {
        chain = try FakeChain()
        let rows = Self.marketRows
        shared = SharedDependencies(aktPrice: AKTPrice { _ in aktPriceUSD }, gpuMarket: GPUMarket { _ in rows })
        area = NetworkArea.make(config: NetworkConfig(restURL: chain.baseURL, interval: interval, timeout: 5, pageSize: pageSize),
                                shared: shared)
    }

    /// Routes the recorded bodies: the keys they hand out with the same filters and page size, and nothing else
    /// (400), so a client that drops a filter on a later page, or does not encode the key, fails.
    func serveRecorded(leases: Bool = true, bids: Bool = true, pageSize: Int = 500) {
        chain.route(LeasesPage.path) { request in
            let query = FakeChain.queryItems(request)
            guard leases else { return .status(503) }
            guard query["filters.owner"] == nil, query["filters.provider"] == nil,
                  query["pagination.limit"] == String(pageSize) else { return .status(400) }
            switch (query["filters.state"], query["pagination.key"]) {
            case ("active", nil): return .fixture("network/leases-active-page1.json")
            case ("active", Self.leasesKey): return .fixture("network/leases-active-page2.json")
            case ("reclaiming", nil): return .fixture("network/leases-reclaiming.json")
            default: return .status(400)
            }
        }
        chain.route(ChainREST.bidsPath) { request in
            let query = FakeChain.queryItems(request)
            guard bids else { return .status(503) }
            guard query["filters.owner"] == nil, query["filters.provider"] == nil, query["filters.state"] == "active",
                  query["pagination.limit"] == String(pageSize) else { return .status(400) }
            switch query["pagination.key"] {
            case nil: return .fixture("network/bids-active-page1.json")
            case Self.bidsKey: return .fixture("network/bids-active-page2.json")
            default: return .status(400)
            }
        }
    }

    func source(_ name: String) -> any PolledSource {
        area.sources.first { $0.name == name }!
    }

    func poll(_ name: String, at now: Date = pollTime) async -> SourceFailure? {
        await AreaTesting.poll(source(name), via: upstream, at: now)
    }

    /// Polls both sources; the failures by source name.
    func pollAll(at now: Date = pollTime) async -> [String: SourceFailure] {
        var failures: [String: SourceFailure] = [:]
        for source in area.sources {
            if let failure = await AreaTesting.poll(source, via: upstream, at: now) { failures[source.name] = failure }
        }
        return failures
    }

    func collect(at now: Date = pollTime) -> [MetricFamily] {
        area.collectors.flatMap { $0.collect(now: now) }
    }

    func render(at now: Date = pollTime) throws -> String {
        try TextFormat.renderString(collect(at: now))
    }
}
