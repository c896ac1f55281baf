@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import TestSupport

/// A provider area pointed at a `FakeChain` on loopback that serves the recorded bodies of
/// `Tests/Fixtures/chain/provider-*.json`, polled through the real `CurlUpstream`.
struct ProviderHarness: AreaHarness {
    /// Leases in uact and uakt, CPU-only and GPU, of four tenants over three pages; open bids over two pages.
    static let provider = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"
    /// One CPU-only lease and no open bid.
    static let quiet = "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63"
    /// A lease in each open state (one active, two reclaiming over two pages, one insufficient_funds), escrow balances
    /// in uact and uakt, and no bid.
    static let reclaimer = "akash19zzh7whjt4vfwxd5wtj3tjtyatnpntfhldshd8"
    static let tenants = ["akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq", "akash100dwtg4hqnd240x583spjwnk4kanp559xwtvmg",
                          "akash1pas6v0905jgyznpvnjhg7tsthuyqek60gkz7uf", "akash1008l639687lnkcscsrha36n5zdt3qzz30yzc67"]
    static let pollTime = AccountHarness.pollTime
    /// `/v1/gpu-prices` with two h100 80Gi rows (SXM5 at $2.56, PCIe at $2.01): an h100 with no interface is ambiguous.
    static let marketRows: [GPUPrices.GPUModel] = {
        let body = try! Fixtures.data("akash/gpu-prices.two-h100.json")
        return try! GPUPrices.decode(body).models
    }()

    let chain: FakeChain
    let area: MadeSources
    let upstream = CurlUpstream()

    init(providers: [String] = [provider, quiet, reclaimer], interval: Double = 60,
         aktPriceUSD: @escaping @Sendable (Date) -> Double? = { _ in 0.5 }) throws {
        chain = try FakeChain()
        let rows = Self.marketRows
        area = ProviderArea.make(config: ProviderConfig(providers: providers, restURL: chain.baseURL, interval: interval, timeout: 5),
                                 shared: SharedDependencies(aktPrice: AKTPrice(aktPriceUSD), gpuMarket: GPUMarket { _ in rows }))
    }

    /// Routes the recorded bodies: every page key the bodies hand out, and nothing else (400), so a client that
    /// does not follow or encode them fails.
    func serveRecorded() {
        // The chain head, and the block 1000 below it 6000 s earlier: 6 s measured, as assumed here.
        chain.serveBlocks(height: 27_001_000, time: "2026-07-17T20:07:00Z", older: "2026-07-17T18:27:00Z")
        chain.route(LeasesPage.path) { request in
            let query = FakeChain.queryItems(request)
            switch (query["filters.provider"], query["filters.state"], query["pagination.key"]) {
            case (Self.reclaimer, "active", nil): return .fixture("chain/provider-states-leases-active.json")
            case (Self.reclaimer, "reclaiming", nil): return .fixture("chain/provider-states-leases-reclaiming-page1.json")
            case (Self.reclaimer, "reclaiming", "cHJvdmlkZXIvcmVjbGFpbS8y+/8="):
                return .fixture("chain/provider-states-leases-reclaiming-page2.json")
            case (Self.reclaimer, "insufficient_funds", nil): return .fixture("chain/provider-states-leases-insufficient-funds.json")
            case (Self.provider, "reclaiming", nil), (Self.provider, "insufficient_funds", nil), (Self.quiet, "reclaiming", nil),
                 (Self.quiet, "insufficient_funds", nil):
                return .json(Data(Recorded.emptyLeases.utf8))
            case (_, "active", _): break
            default: return .status(400)
            }
            switch (query["filters.provider"], query["pagination.key"]) {
            case (Self.provider, nil): return .fixture("chain/provider-leases-page1.json")
            case (Self.provider, "cHJvdmlkZXIvbGVhc2VzLzI+/w=="): return .fixture("chain/provider-leases-page2.json")
            case (Self.provider, "cHJvdmlkZXIvbGVhc2VzLzM/+w=="): return .fixture("chain/provider-leases-page3.json")
            case (Self.quiet, nil): return .fixture("chain/provider-b-leases.json")
            default: return .status(400)
            }
        }
        chain.route(ProviderBidsSource.path) { request in
            let query = FakeChain.queryItems(request)
            switch (query["filters.provider"], query["filters.state"], query["pagination.key"]) {
            case (Self.provider, "active", nil): return .fixture("chain/provider-bids-active.json")
            case (Self.provider, "open", nil): return .fixture("chain/provider-bids-open-page1.json")
            case (Self.provider, "open", "cHJvdmlkZXIvYmlkcy8y/+8="): return .fixture("chain/provider-bids-open-page2.json")
            case (Self.quiet, "active", nil): return .fixture("chain/provider-b-bids-active.json")
            case (Self.quiet, "open", nil): return .fixture("chain/provider-b-bids-open.json")
            case (Self.reclaimer, _, nil): return .json(Data(Recorded.emptyBids.utf8))
            default: return .status(400)
            }
        }
    }
}
