@testable import AkashExporter
import Testing

/// The pure sums behind the provider figures, on leases and bids built in place.
@Suite("Provider: revenue, leased GPUs and open bids (pure)")
struct ProviderBookTests {
    static let provider = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"
    static let h100 = GPUAttribute(vendor: "nvidia", model: "h100", ram: "80Gi", interface: "sxm")
    static let a100 = GPUAttribute(vendor: "nvidia", model: "a100", ram: "80Gi")
    static let pricing = DenomPricing(aktPriceUSD: 0.5)
    static let noAKT = DenomPricing(aktPriceUSD: nil)

    static func coin(_ denom: String, _ amount: Int64) -> DecCoin { DecCoin(denom: denom, amount: ChainDecimal(amount)) }

    static func lease(_ dseq: String, _ denom: String, _ amount: Int64, bseq: Int64 = 0) -> ActiveLease {
        ActiveLease(owner: "tenant", dseq: dseq, gseq: 1, oseq: 1, provider: provider, bseq: bseq, price: coin(denom, amount))
    }

    /// A bid on the order of `lease(dseq)`, offering `units` as (replicas, GPUs each, model); nil: no offer at all.
    static func bid(_ dseq: String, _ denom: String, _ amount: Int64, _ units: [(Int64, Int64, GPUAttribute?)]?,
                    state: String = "active", bseq: Int64 = 0) -> Bid {
        Bid(id: BidID(owner: "tenant", dseq: dseq, gseq: 1, oseq: 1, provider: provider, bseq: bseq), state: state,
            price: coin(denom, amount),
            offer: units.map { $0.map { GPUUnit(count: $0.0, gpusPerReplica: $0.1, models: $0.2.map { [$0] } ?? []) } })
    }

    @Test("revenue: every active lease, CPU-only ones too, summed per denom; USD only when every denom has a price")
    func revenue() {
        let revenue = ProviderRevenue([Self.lease("1", "uact", 4500), Self.lease("2", "uact", 100), Self.lease("3", "uakt", 5000)])
        #expect(revenue.activeLeases == 3)
        #expect(revenue.perBlock == ["uact": ChainDecimal(4600), "uakt": ChainDecimal(5000)])
        // 4,600 × 600 / 10^6 + 5,000 × 600 / 10^6 × 0.5
        #expect(revenue.perBlock.flatMap { Self.pricing.usdPerHour(perBlock: $0, blockTime: 6) } == 2.76 + 1.5)
        #expect(revenue.perBlock.flatMap { Self.noAKT.usdPerHour(perBlock: $0, blockTime: 6) } == nil)
        #expect(ProviderRevenue([]).perBlock == [:])
    }

    @Test("revenue: a sum leaving the Int128 range is unknown, not wrapped")
    func revenueOverflow() {
        let huge = DecCoin(denom: "uact", amount: ChainDecimal(scaled: .max / 2 + 1))
        let leases = [1, 2].map { ActiveLease(owner: "t", dseq: "\($0)", gseq: 1, oseq: 1, provider: Self.provider, price: huge) }
        #expect(ProviderRevenue(leases).perBlock == nil)
        #expect(ProviderRevenue(leases).activeLeases == 2)
    }

    @Test("leased GPUs: joined on the full bid id (bseq included), by offered model; mixed leases counted, not priced")
    func leasedGPUs() {
        let leases = [Self.lease("1", "uact", 4500), Self.lease("2", "uact", 16000, bseq: 1), Self.lease("3", "uact", 3000),
                      Self.lease("4", "uact", 2000), Self.lease("5", "uact", 100), Self.lease("6", "uact", 700)]
        let bids = [
            Self.bid("1", "uact", 4500, [(1, 1, Self.h100)]),
            Self.bid("2", "uact", 16000, [(2, 2, Self.h100)], bseq: 1),
            Self.bid("2", "uact", 99, [(1, 8, Self.h100)], bseq: 0),        // an earlier bid on the same order
            Self.bid("3", "uact", 3000, [(1, 1, Self.h100), (1, 1, Self.a100)]),
            Self.bid("4", "uact", 2000, nil),                              // no resources_offer: unknown
            Self.bid("5", "uact", 100, [(1, 0, nil)]),                     // CPU-only
        ]                                                                  // lease 6: no bid at all
        let leased = ProviderLeasedGPUs(leases: leases, offers: ProviderBids(active: bids, open: []).activeOffers)
        #expect(leased.gpus == [Self.h100: 6, Self.a100: 1])
        #expect(leased.priced == [Self.h100: PricedGPUs(perBlock: ["uact": ChainDecimal(20500)], gpus: 5)])
        // GPU-weighted: $12.30 over 5 GPUs, not the plain mean of $2.70 and $2.40.
        #expect(leased.priced[Self.h100]?.usdPerGPUHour(Self.pricing, blockTime: 6) == 2.46)
    }

    @Test("per-GPU price: absent when one lease of the model is in a denom without a price")
    func gpuPriceNeedsEveryDenom() {
        var priced = PricedGPUs.empty
        priced.add(Self.coin("uact", 1000), gpus: 1)
        priced.add(Self.coin("uakt", 1000), gpus: 1)
        #expect(priced.usdPerGPUHour(Self.pricing, blockTime: 6) == (0.6 + 0.3) / 2)
        #expect(priced.usdPerGPUHour(Self.noAKT, blockTime: 6) == nil)
        #expect(PricedGPUs.empty.usdPerGPUHour(Self.pricing, blockTime: 6) == nil)
    }

    @Test("open bids: counted (CPU-only too); the lowest per GPU wins per model, compared across denoms at today's AKT price")
    func openBids() {
        let open = ProviderOpenBids([
            Self.bid("11", "uact", 5000, [(1, 1, Self.h100)], state: "open"),
            Self.bid("12", "uact", 8000, [(1, 2, Self.h100)], state: "open"),
            Self.bid("13", "uakt", 7000, [(1, 1, Self.h100)], state: "open"),
            Self.bid("14", "uact", 6000, [(2, 2, Self.a100)], state: "open"),
            Self.bid("15", "uact", 50, [(1, 0, nil)], state: "open"),
            Self.bid("16", "uact", 1, [(1, 1, Self.h100), (1, 1, Self.a100)], state: "open"),   // mixed: no per-GPU price
        ])
        #expect(open.count == 6)
        #expect(open.minUSDPerGPUHour(Self.h100, Self.pricing, blockTime: 6) == 2.1)
        #expect(open.minUSDPerGPUHour(Self.h100, DenomPricing(aktPriceUSD: 1), blockTime: 6) == 2.4)
        // The uakt bid might be the lowest: without an AKT price there is no minimum rather than a wrong one.
        #expect(open.minUSDPerGPUHour(Self.h100, Self.noAKT, blockTime: 6) == nil)
        #expect(open.minUSDPerGPUHour(Self.a100, Self.noAKT, blockTime: 6) == 0.9)
    }

    @Test("no open bid is a count of 0 and no minimum")
    func noOpenBids() {
        let open = ProviderOpenBids([])
        #expect(open.count == 0)
        #expect(open.cheapest.isEmpty)
    }

    @Test("families: bids without leases give the open-bid figures only; leases without bids give no GPU figures")
    func partialData() {
        var families = ProviderFamilies(blockTime: 6)
        families.add(provider: "a", leases: nil, bids: ProviderBids(active: [], open: []), pricing: Self.pricing, median: { _ in 2 })
        families.add(provider: "b", leases: [Self.lease("1", "uact", 1000)], bids: nil, pricing: Self.pricing, median: { _ in 2 })
        let all = families.all
        #expect(Samples.value(all, "akash_provider_open_bids", ["provider": "a"]) == 0)
        #expect(Samples.value(all, "akash_provider_active_leases", ["provider": "a"]) == nil)
        #expect(Samples.value(all, "akash_provider_revenue_usd_per_hour", ["provider": "b"]) == 0.6)
        #expect(Samples.value(all, "akash_provider_open_bids", ["provider": "b"]) == nil)
        #expect(Samples.count(all, "akash_provider_leased_gpus") == 0)
    }

    @Test("ratio: the per-GPU price over the matched median; none for an unmatched model or a zero median")
    func ratio() {
        let leases = [Self.lease("1", "uact", 4000), Self.lease("2", "uact", 2000)]
        let bids = ProviderBids(active: [Self.bid("1", "uact", 4000, [(1, 1, Self.h100)]),
                                         Self.bid("2", "uact", 2000, [(1, 1, Self.a100)])], open: [])
        var families = ProviderFamilies(blockTime: 6)
        families.add(provider: "p", leases: leases, bids: bids, pricing: Self.pricing,
                     median: { $0 == Self.h100 ? 4.8 : $0 == Self.a100 ? 0 : nil })
        let all = families.all
        let h100 = ["provider": "p", "vendor": "nvidia", "model": "h100", "ram": "80Gi", "interface": "sxm"]
        let a100 = ["provider": "p", "vendor": "nvidia", "model": "a100", "ram": "80Gi", "interface": ""]
        #expect(Samples.value(all, "akash_provider_gpu_price_vs_market_ratio", h100) == 0.5)
        #expect(Samples.value(all, "akash_provider_gpu_price_usd_per_gpu_hour", a100) == 1.2)
        #expect(Samples.value(all, "akash_provider_gpu_price_vs_market_ratio", a100) == nil)
    }
}
