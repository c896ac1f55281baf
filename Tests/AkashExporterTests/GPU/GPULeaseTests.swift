@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Testing
import TestSupport

/// The account area with its bids source, against a fake chain serving `Tests/Fixtures/gpu/` (every case of the
/// GPU price check, see its README) and the medians of `gpu/gpu-prices-gpu-check.json`.
struct GPULeaseHarness {
    static let owner = "akash18rn0g40dekdf5k0y800flqyxpm2exnpmp56gnp"
    static let providerA = "akash1uu4879rw6uj3x6n26zqxzsae59sw2083w72zfq"
    static let providerB = "akash1hg0p7dymwae992c453qj9x5m6lwlthcahlg7uz"
    static let pollTime = Date(timeIntervalSince1970: 1_784_318_820)
    static let interval = 60.0
    static let market = try! JSONDecoder().decode(GPUPrices.Body.self, from: Fixtures.data("gpu/gpu-prices-gpu-check.json")).models

    let chain: FakeChain
    let area: MadeSources
    let upstream = CurlUpstream()
    let health: HealthRegistry

    init(aktPriceUSD: Double? = 0.5) throws {
        chain = try FakeChain()
        chain.route(FakeChain.leasesPath, .json(try Fixtures.data("gpu/leases-gpu-tenant.json")))
        chain.route(FakeChain.deploymentsPath, .json(try Fixtures.data("gpu/deployments-gpu-tenant.json")))
        chain.route(ChainREST.bidsPath, .json(try Fixtures.data("gpu/bids-gpu-tenant.json")))
        chain.serveLatestBlock(height: 27_761_800)
        area = AccountArea.make(config: AccountConfig(owners: [Self.owner], restURL: chain.baseURL, interval: Self.interval, timeout: 5),
                                shared: SharedDependencies(aktPrice: AKTPrice { _ in aktPriceUSD }, gpuMarket: GPUMarket { _ in Self.market }))
        health = HealthRegistry(sources: area.sources.map(\.name))
    }

    /// Polls every source (or only `names`) at `now`; the failures by source.
    @discardableResult
    func poll(_ names: Set<String>? = nil, at now: Date = pollTime) async -> [String: SourceFailure] {
        var failures: [String: SourceFailure] = [:]
        for source in area.sources where names?.contains(source.name) ?? true {
            if let failure = await AreaTesting.poll(source, via: upstream, at: now, health: health) {
                failures[source.name] = failure
                health.recordFailure(source.name, failure, duration: 0)
            } else {
                health.recordSuccess(source.name, at: now, duration: 0)
            }
        }
        return failures
    }

    func collect(at now: Date = pollTime) -> [MetricFamily] {
        area.collectors.flatMap { $0.collect(now: now) }
    }

    /// The GPU families only, rendered.
    func renderGPU(at now: Date = pollTime) throws -> String {
        try TextFormat.renderString(collect(at: now).filter { $0.name.hasPrefix("akash_lease_gpu") })
    }

    static func labels(_ dseq: String, provider: String = providerA, vendor: String = "nvidia", model: String, ram: String = "",
                       interface: String = "") -> [String: String] {
        ["owner": owner, "dseq": dseq, "gseq": "1", "oseq": "1", "provider": provider, "vendor": vendor, "model": model,
         "ram": ram, "interface": interface]
    }
}

@Suite("GPU: which GPUs each lease rents, its price per GPU-hour and the market")
struct GPULeaseTests {
    typealias H = GPULeaseHarness

    @Test("every case of the recorded bodies gives the values of the fixture table (golden)")
    func golden() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        #expect(await harness.poll().isEmpty)
        let exposition = try harness.renderGPU()
        try Golden.compare(exposition, "gpu-leases.prom")
        let families = harness.collect()
        func value(_ name: String, _ labels: [String: String]) -> Double? { Samples.value(families, name, labels) }
        // Single model: 4500 uact × 600 / 10^6 = 2.70 USD/h for 1 GPU; median 2.00.
        let h100 = H.labels("27761400", model: "h100", ram: "80Gi", interface: "sxm")
        #expect(value("akash_lease_gpus", h100) == 1)
        #expect(value("akash_lease_gpu_price_usd_per_gpu_hour", h100) == 2.7)
        #expect(value("akash_lease_gpu_price_vs_market_ratio", h100) == 1.35)
        // Tenant allowed a100 or h100, an a100 was offered: 2 GPUs at 0.90, the only a100 80Gi row at 1.20.
        let a100 = H.labels("27761500", model: "a100", ram: "80Gi")
        #expect(value("akash_lease_gpus", a100) == 2)
        #expect(value("akash_lease_gpu_price_usd_per_gpu_hour", a100) == 0.9)
        #expect(value("akash_lease_gpu_price_vs_market_ratio", a100) == 0.75)
        // Wildcard: the offer says h100 only; SXM5 and PCIe rows both match, so no ratio.
        let wildcard = H.labels("27761600", provider: H.providerB, model: "h100")
        #expect(value("akash_lease_gpus", wildcard) == 4)
        #expect(value("akash_lease_gpu_price_usd_per_gpu_hour", wildcard) == 1.8)
        #expect(value("akash_lease_gpu_price_vs_market_ratio", wildcard) == nil)
        // Old bid, group allows only rtx4090: 2 GPUs at 0.30, median 0.50.
        let old = H.labels("27761800", model: "rtx4090", ram: "24Gi")
        #expect(value("akash_lease_gpus", old) == 2)
        #expect(value("akash_lease_gpu_price_usd_per_gpu_hour", old) == 0.3)
        #expect(value("akash_lease_gpu_price_vs_market_ratio", old) == 0.6)
        // Mixed: a count per model, no price.
        #expect(value("akash_lease_gpus", H.labels("27761900", provider: H.providerB, model: "a100", ram: "80Gi")) == 1)
        #expect(value("akash_lease_gpus", H.labels("27761900", provider: H.providerB, model: "h100", ram: "80Gi", interface: "sxm")) == 1)
        // uakt at 0.50 USD: 5000 × 600 / 10^6 × 0.5 = 1.50 for 1 GPU; the a100 40Gi PCIe median is 0.75.
        let uakt = H.labels("27762000", provider: H.providerB, model: "a100", ram: "40Gi", interface: "pcie")
        #expect(value("akash_lease_gpu_price_usd_per_gpu_hour", uakt) == 1.5)
        #expect(value("akash_lease_gpu_price_vs_market_ratio", uakt) == 2)
        // CPU-only and the old bid whose group allows two models: no GPU series; 6 leases × models have a count.
        #expect(!exposition.contains("27761700") && !exposition.contains("27761850"))
        #expect(Samples.count(families, "akash_lease_gpus") == 7)
        #expect(Samples.count(families, "akash_lease_gpu_price_usd_per_gpu_hour") == 5)
        #expect(Samples.count(families, "akash_lease_gpu_price_vs_market_ratio") == 4)
        // The lease prices do not depend on any of it.
        #expect(Samples.count(families, "akash_lease_price_usd_per_hour") == 8)
    }

    @Test("the winning bid is asked per owner, active only, on the leases' path conventions")
    func request() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        await harness.poll(["akash_bids"])
        let queries = harness.chain.requests(ChainREST.bidsPath).map(FakeChain.queryItems)
        #expect(queries.count == 1)
        #expect(queries.first?["filters.owner"] == H.owner)
        #expect(queries.first?["filters.state"] == "active")
    }

    @Test("all pages of bids are read")
    func pages() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        let body = try JSONSerialization.jsonObject(with: Fixtures.data("gpu/bids-gpu-tenant.json")) as! [String: Any]
        let items = (body["bids"] as! [Any]).map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        harness.chain.serveList(ChainREST.bidsPath, listKey: "bids", itemsByOwner: [H.owner: items], pageSize: 2)
        #expect(await harness.poll().isEmpty)
        // The fake, as the chain, lists only the bids in the state asked for: 8 active bids, 2 a page.
        #expect(harness.chain.requests(ChainREST.bidsPath).count == 4)
        #expect(try harness.renderGPU() == (try Fixtures.string("golden/gpu-leases.prom")))
    }

    @Test("without an AKT price a uakt lease keeps its GPU count, not its price")
    func noAKTPrice() async throws {
        let harness = try H(aktPriceUSD: nil)
        defer { harness.chain.stop() }
        await harness.poll()
        let families = harness.collect()
        let uakt = H.labels("27762000", provider: H.providerB, model: "a100", ram: "40Gi", interface: "pcie")
        #expect(Samples.value(families, "akash_lease_gpus", uakt) == 1)
        #expect(Samples.value(families, "akash_lease_gpu_price_usd_per_gpu_hour", uakt) == nil)
        #expect(Samples.value(families, "akash_lease_gpu_price_vs_market_ratio", uakt) == nil)
    }

    @Test("bids source down: lease prices stay, the GPU series go after three intervals, akash_bids is down")
    func bidsDown() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        #expect(await harness.poll().isEmpty)
        harness.chain.route(ChainREST.bidsPath, .status(502, body: Data("bad gateway".utf8)))
        let h100 = H.labels("27761400", model: "h100", ram: "80Gi", interface: "sxm")
        let leaseLabels = ["owner": H.owner, "dseq": "27761400", "gseq": "1", "oseq": "1", "provider": H.providerA]
        // Still within three intervals of the last good bids.
        var now = H.pollTime.addingTimeInterval(3 * H.interval)
        var failures = await harness.poll(at: now)
        #expect(failures.keys.sorted() == ["akash_bids"])
        #expect(failures["akash_bids"]?.reason == .http)
        #expect(harness.health.health(of: "akash_bids")?.up == false)
        #expect(Samples.value(harness.collect(at: now), "akash_lease_gpu_price_usd_per_gpu_hour", h100) == 2.7)
        // One second later they are too old: gone, while the lease price (fresh leases) stays.
        now = now.addingTimeInterval(1)
        failures = await harness.poll(at: now)
        #expect(failures.keys.sorted() == ["akash_bids"])
        let families = harness.collect(at: now)
        #expect(Samples.count(families, "akash_lease_gpus") == 0)
        #expect(Samples.count(families, "akash_lease_gpu_price_usd_per_gpu_hour") == 0)
        #expect(Samples.value(families, "akash_lease_price_usd_per_hour", leaseLabels) == 2.7)
    }

    @Test("old bids fall back to the group spec only while the deployments are fresh")
    func fallbackNeedsDeployments() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        await harness.poll()
        harness.chain.route(FakeChain.deploymentsPath, .status(500))
        let now = H.pollTime.addingTimeInterval(3 * H.interval + 1)
        await harness.poll(at: now)
        let families = harness.collect(at: now)
        #expect(Samples.value(families, "akash_lease_gpus", H.labels("27761800", model: "rtx4090", ram: "24Gi")) == nil)
        #expect(Samples.value(families, "akash_lease_gpus", H.labels("27761400", model: "h100", ram: "80Gi", interface: "sxm")) == 1)
    }
}
