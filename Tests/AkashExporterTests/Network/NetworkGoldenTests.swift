@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Testing
import TestSupport

/// The paid-price index over the bodies in `Tests/Fixtures/network/` (14 running leases over three pages and 13
/// winning bids over two; the README there computes every figure by hand), with AKT at $0.50 and 6 s blocks.
@Suite("Network: the paid-price index")
struct NetworkGoldenTests {
    typealias H = NetworkHarness
    static let h100 = ["vendor": "nvidia", "model": "h100", "ram": "80Gi", "interface": "sxm"]
    static let a100 = ["vendor": "nvidia", "model": "a100", "ram": "80Gi", "interface": ""]
    static let a100Small = ["vendor": "nvidia", "model": "a100", "ram": "40Gi", "interface": ""]
    static let rtx4090 = ["vendor": "nvidia", "model": "rtx4090", "ram": "24Gi", "interface": ""]

    static func paid(_ families: [MetricFamily], _ model: [String: String], _ stat: String) -> Double? {
        Samples.value(families, "akash_gpu_paid_price_usd_per_gpu_hour", model.merging(["stat": stat]) { $1 })
    }

    static func close(_ value: Double?, _ expected: Double) -> Bool {
        value.map { abs($0 - expected) < 1e-12 } ?? false
    }

    @Test("every page of both states, joined on the full bid id: quantiles, kinds and bid ÷ paid as the README computes them (golden network-paid.prom)")
    func index() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.serveRecorded()
        #expect(await harness.pollAll().isEmpty)
        try Golden.compare(try harness.render(), "network-paid.prom")
        let families = harness.collect()
        // h100 sxm: 16 GPUs at 1.05 ×2, 1.20 ×8, 1.35 ×4, 1.50, 2.10.
        let expected: [(String, Double)] = [("min", 1.05), ("p10", 1.125), ("p25", 1.2), ("median", 1.2), ("p75", 1.35),
                                            ("p90", 1.425), ("max", 2.1), ("mean", 1.29375)]
        for (stat, value) in expected {
            #expect(Self.close(Self.paid(families, Self.h100, stat), value), "h100 \(stat)")
        }
        #expect(Samples.value(families, "akash_gpu_paid_gpus", Self.h100) == 16)
        #expect(Samples.value(families, "akash_gpu_paid_leases", Self.h100) == 5)
        // Two rams of one model are two rows: a100 40Gi at 0.30 (uakt), 0.60 ×2; a100 80Gi at 0.90.
        for (stat, value) in [("min", 0.3), ("p10", 0.36), ("p25", 0.45), ("median", 0.6), ("p90", 0.6), ("mean", 0.5)] {
            #expect(Self.close(Self.paid(families, Self.a100Small, stat), value), "a100 40Gi \(stat)")
        }
        #expect(Self.close(Self.paid(families, Self.a100, "median"), 0.9))
        // The unknown denom: counted, never priced.
        #expect(Samples.value(families, "akash_gpu_paid_gpus", Self.rtx4090) == 1)
        #expect(Self.paid(families, Self.rtx4090, "median") == nil)
        let kinds = ["no_offer": 2.0, "cpu": 2, "mixed": 1, "unpriced": 1, "gpu": 8]
        for (kind, count) in kinds {
            #expect(Samples.value(families, "akash_gpu_paid_network_leases", ["kind": kind]) == count, "\(kind)")
        }
        // The Console's h100 80Gi SXM5 median 2.56 and a100 80Gi SXM4 1.48; no row for a100 40Gi.
        #expect(Self.close(Samples.value(families, "akash_gpu_bid_vs_paid_ratio", Self.h100), 2.56 / 1.2))
        #expect(Self.close(Samples.value(families, "akash_gpu_bid_vs_paid_ratio", Self.a100), 1.48 / 0.9))
        #expect(Samples.value(families, "akash_gpu_bid_vs_paid_ratio", Self.a100Small) == nil)
        // No tenant's or provider's address in any label.
        for sample in families.flatMap(\.samples) {
            #expect(!sample.labels.contains { $0.value.hasPrefix("akash1") }, "\(sample.labels)")
        }
    }

    @Test("without an AKT price the uakt leases are counted as unpriced, not priced at 0 (golden network-paid-no-akt-price.prom)")
    func noAKTPrice() async throws {
        let harness = try H(aktPriceUSD: nil)
        defer { harness.chain.stop() }
        harness.serveRecorded()
        #expect(await harness.pollAll().isEmpty)
        try Golden.compare(try harness.render(), "network-paid-no-akt-price.prom")
        let families = harness.collect()
        #expect(Samples.value(families, "akash_gpu_paid_network_leases", ["kind": "unpriced"]) == 3)
        #expect(Samples.value(families, "akash_gpu_paid_network_leases", ["kind": "gpu"]) == 6)
        // h100 without L3: 1.20 ×8, 1.35 ×4, 1.50, 2.10.
        #expect(Self.close(Self.paid(families, Self.h100, "p90"), 1.455))
        #expect(Self.close(Self.paid(families, Self.h100, "mean"), 18.6 / 14))
        #expect(Samples.value(families, "akash_gpu_paid_gpus", Self.h100) == 16)
        #expect(Self.close(Self.paid(families, Self.a100Small, "min"), 0.6))
    }

    @Test("bids down while leases are up, or the reverse: no index at all, never a made-up price")
    func oneListDown() async throws {
        for (leases, bids) in [(true, false), (false, true)] {
            let harness = try H()
            defer { harness.chain.stop() }
            harness.serveRecorded(leases: leases, bids: bids)
            let failures = await harness.pollAll()
            #expect(failures.count == 1)
            #expect(harness.collect().allSatisfy { $0.isEmpty }, "leases up: \(leases), bids up: \(bids)")
        }
    }

    @Test("the index ages out with the older of its two lists, after three intervals")
    func agesOut() async throws {
        let harness = try H(interval: 1800)
        defer { harness.chain.stop() }
        harness.serveRecorded()
        #expect(await harness.poll("akash_network_bids") == nil)
        let later = H.pollTime.addingTimeInterval(600)
        #expect(await harness.poll("akash_network_leases", at: later) == nil)
        let lastBidsDay = H.pollTime.addingTimeInterval(3 * 1800)
        #expect(Samples.value(harness.collect(at: lastBidsDay), "akash_gpu_paid_network_leases", ["kind": "gpu"]) == 8)
        #expect(harness.collect(at: lastBidsDay.addingTimeInterval(1)).allSatisfy { $0.isEmpty })
    }

    @Test("the page size is asked for and the same filters are resent with every key")
    func pageSize() async throws {
        let harness = try H(pageSize: 250)
        defer { harness.chain.stop() }
        harness.serveRecorded(pageSize: 250)
        #expect(await harness.pollAll().isEmpty)
        let leaseRequests = harness.chain.requests(LeasesPage.path).map(FakeChain.queryItems)
        #expect(leaseRequests.map { $0["filters.state"] } == ["active", "active", "reclaiming"])
        #expect(leaseRequests.allSatisfy { $0["pagination.limit"] == "250" })
        #expect(harness.chain.requests(ChainREST.bidsPath).count == 2)
    }

    @Test("the tenant's and the provider's GPU price checks compare with the paid median of the same offered model")
    func sharedWithPriceChecks() async throws {
        let network = try H()
        defer { network.chain.stop() }
        network.serveRecorded()
        #expect(await network.pollAll().isEmpty)
        let providers = try ProviderHarness()
        defer { providers.chain.stop() }
        providers.serveRecorded()
        let provider = ProviderArea.make(config: ProviderConfig(providers: [ProviderHarness.provider], restURL: providers.chain.baseURL,
                                                                interval: 60, timeout: 5),
                                         shared: network.shared)
        for source in provider.sources {
            #expect(await AreaTesting.poll(source, via: network.upstream, at: H.pollTime) == nil)
        }
        let families = provider.collectors.flatMap { $0.collect(now: H.pollTime) }
        let labels = Self.h100.merging(["provider": ProviderHarness.provider]) { $1 }
        let price = try #require(Samples.value(families, "akash_provider_gpu_price_usd_per_gpu_hour", labels))
        #expect(Self.close(Samples.value(families, "akash_provider_gpu_price_vs_paid_ratio", labels), price / 1.2))
        // No paid price for an h100 without ram or interface: not the same offered model.
        #expect(Samples.value(families, "akash_provider_gpu_price_vs_paid_ratio",
                              ["provider": ProviderHarness.provider, "vendor": "nvidia", "model": "h100", "ram": "", "interface": ""]) == nil)

        var tenant = LeaseGPUFamilies(blockTime: 6)
        let lease = ActiveLease(owner: "akash1t", dseq: "1", gseq: 1, oseq: 1, provider: "akash1p",
                                price: DecCoin(denom: "uact", amount: ChainDecimal("3000")!))
        let model = GPUAttribute(vendor: "nvidia", model: "h100", ram: "80Gi", interface: "sxm")
        let bid = Bid(id: lease.bidID, state: "active", price: lease.price,
                      offer: [GPUUnit(count: 1, gpusPerReplica: 1, models: [model])])
        tenant.add(owner: "akash1t", leases: [lease], bids: [lease.bidID: bid], groups: nil,
                   pricing: DenomPricing(aktPriceUSD: 0.5), market: nil, paid: network.shared.paidMarket.medians(at: H.pollTime))
        // 3000 uact a block: $1.80 an hour for one GPU, 1.5 × the paid median.
        #expect(Self.close(tenant.vsPaid.samples.first?.value, 1.5))
    }
}

@Suite("Network: bounded by the models, not the chain")
struct PaidIndexBoundTests {
    @Test("made-up model names cannot grow the index past its model cap; the most rented models stay")
    func modelCap() {
        var offers: [BidID: RentedGPUs] = [:]
        var leases: [ActiveLease] = []
        for index in 0..<(PaidIndexFamilies.maxModels + 50) {
            let lease = ActiveLease(owner: "akash1t", dseq: String(index), gseq: 1, oseq: 1, provider: "akash1p",
                                    price: DecCoin(denom: "uact", amount: ChainDecimal("1000")!))
            // The real model is rented 8 at a time; the made-up ones one each.
            let model = index == 0 ? GPUAttribute(vendor: "nvidia", model: "h100") : GPUAttribute(vendor: "nvidia", model: "fake\(index)")
            offers[lease.bidID] = .single(RentedModel(model: model, gpus: index == 0 ? 8 : 1))
            leases.append(lease)
        }
        let index = PaidIndex(PaidJoin(leases: leases, offers: offers), pricing: DenomPricing(aktPriceUSD: nil), blockTime: 6)
        let families = PaidIndexFamilies(index, bids: nil, blockTime: 6)
        #expect(families.gpus.samples.count == PaidIndexFamilies.maxModels)
        #expect(families.gpus.samples.contains { $0.labels.contains(Label("model", "h100")) })
        #expect(Samples.value(families.all, "akash_gpu_paid_network_leases", ["kind": "gpu"]) == Double(leases.count))
    }
}

@Suite("Network: quantiles of weighted samples")
struct PaidQuantileTests {
    @Test("as PromQL quantile() over the expanded samples: rank q × (n − 1), linear between the closest ranks")
    func quantiles() throws {
        // 1, 2, 2, 2, 4 expanded: p25 rank 1 → 2; p10 rank 0.4 → 1.4; p90 rank 3.6 → 2 + 2 × 0.6.
        let stats = try #require(WeightedSample.stats([.init(value: 4, weight: 1), .init(value: 1, weight: 1), .init(value: 2, weight: 3)],
                                                      mean: 0))
        #expect(stats.min == 1 && stats.max == 4)
        #expect(abs(stats.p10 - 1.4) < 1e-12)
        #expect(stats.p25 == 2 && stats.median == 2 && stats.p75 == 2)
        #expect(abs(stats.p90 - 3.2) < 1e-12)
        let one = try #require(WeightedSample.stats([.init(value: 0.9, weight: 1)], mean: 0.9))
        #expect(one.p10 == 0.9 && one.median == 0.9 && one.p90 == 0.9)
        #expect(WeightedSample.stats([], mean: 0) == nil)
    }
}
