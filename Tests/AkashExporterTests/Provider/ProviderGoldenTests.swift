@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Synchronization
import Testing
import TestSupport

/// The whole provider exposition from the recorded bodies in `Tests/Fixtures/chain/provider-*.json` (see the
/// README there), AKT at $0.50, 6 s blocks (600 a hour).
@Suite("Provider: golden exposition and hand-computed figures")
struct ProviderGoldenTests {
    typealias H = ProviderHarness

    /// Every family after one poll of the recorded bodies, each source up.
    static func recordedFamilies() async throws -> [MetricFamily] {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.serveRecorded()
        #expect(await harness.pollAll().isEmpty)
        return harness.collect()
    }

    static func renderRecorded(aktPriceUSD: Double?) async throws -> String {
        let harness = try H(aktPriceUSD: { _ in aktPriceUSD })
        defer { harness.chain.stop() }
        harness.serveRecorded()
        let failures = await harness.pollAll()
        #expect(failures.isEmpty, "\(failures)")
        return try harness.render()
    }

    @Test("with AKT at $0.50: matches Tests/Fixtures/golden/provider.prom")
    func golden() async throws {
        try Golden.compare(try await Self.renderRecorded(aktPriceUSD: 0.5), "provider.prom")
    }

    @Test("without an AKT price: the revenue and every figure touching a uakt lease or bid are absent, the rest stays")
    func goldenWithoutAKTPrice() async throws {
        let rendered = try await Self.renderRecorded(aktPriceUSD: nil)
        try Golden.compare(rendered, "provider-no-akt-price.prom")
        let withPrice = try await Self.renderRecorded(aktPriceUSD: 0.5)
        let missing = Set(withPrice.split(separator: "\n")).subtracting(rendered.split(separator: "\n"))
            .filter { !$0.hasPrefix("#") }
        let p = H.provider
        #expect(missing == [
            "akash_provider_revenue_usd_per_hour{provider=\"\(p)\"} 17.88",
            "akash_provider_gpu_price_usd_per_gpu_hour{provider=\"\(p)\",vendor=\"nvidia\",model=\"a100\",ram=\"80Gi\",interface=\"\"} 1.5",
            "akash_provider_gpu_price_vs_market_ratio{provider=\"\(p)\",vendor=\"nvidia\",model=\"a100\",ram=\"80Gi\",interface=\"\"} 1.0135135135135136",
            "akash_provider_open_bid_min_usd_per_gpu_hour{provider=\"\(p)\",vendor=\"nvidia\",model=\"h100\",ram=\"80Gi\",interface=\"sxm\"} 2.1",
            // The reclaimer's revenue and unwithdrawn balance each have a uakt part.
            "akash_provider_revenue_usd_per_hour{provider=\"\(H.reclaimer)\"} 1.5",
            "akash_provider_unwithdrawn_usd{provider=\"\(H.reclaimer)\"} 0.10100050000000001",
        ])
    }

    @Test("lease states: reclaiming leases earn, overdrawn ones do not; unwithdrawn balances summed over every open lease")
    func leaseStates() async throws {
        let families = try await Self.recordedFamilies()
        func value(_ name: String, _ labels: [String: String]) -> Double? { Samples.value(families, name, labels) }
        let r = ["provider": H.reclaimer]
        #expect(value("akash_provider_active_leases", r) == 1)
        #expect(value("akash_provider_reclaiming_leases", r) == 2)
        #expect(value("akash_provider_overdrawn_leases", r) == 1)
        // 1000 uact (active) + 500 uact and 2000 uakt (reclaiming); the 300 uact overdrawn lease pays nothing.
        #expect(value("akash_provider_revenue_per_block", r.merging(["denom": "uact"]) { $1 }) == 1500)
        #expect(value("akash_provider_revenue_per_block", r.merging(["denom": "uakt"]) { $1 }) == 2000)
        // (1500 × 600 + 2000 × 600 × 0.5) / 10^6
        #expect(value("akash_provider_revenue_usd_per_hour", r) == 1.5)
        // 60000.5 + 12000 + 9000 uact, 40000 uakt: (81000.5 + 40000 × 0.5) / 10^6 USD.
        #expect(value("akash_provider_unwithdrawn", r.merging(["denom": "uact"]) { $1 }) == 81_000.5)
        #expect(value("akash_provider_unwithdrawn", r.merging(["denom": "uakt"]) { $1 }) == 40_000)
        #expect(abs(value("akash_provider_unwithdrawn_usd", r)! - 0.1010005) < 1e-12)
        // A provider with no lease in those states: counts of 0, not absent.
        #expect(value("akash_provider_reclaiming_leases", ["provider": H.provider]) == 0)
        #expect(value("akash_provider_overdrawn_leases", ["provider": H.provider]) == 0)
    }

    @Test("figures checked by hand against the recorded bodies")
    func handComputed() async throws {
        let families = try await Self.recordedFamilies()
        func value(_ name: String, _ labels: [String: String]) -> Double? { Samples.value(families, name, labels) }
        func close(_ actual: Double?, _ expected: Double) -> Bool { actual.map { abs($0 - expected) < 1e-9 } ?? false }
        let p = H.provider
        func gpu(_ model: String, _ ram: String, _ interface: String) -> [String: String] {
            ["provider": p, "vendor": "nvidia", "model": model, "ram": ram, "interface": interface]
        }

        // Eight active leases over three pages of four tenants; the closed one on page 3 is not counted.
        #expect(value("akash_provider_active_leases", ["provider": p]) == 8)
        // 26,800 uact + 6,000 uakt a block, × 600 / 10^6, AKT at $0.5: 16.08 + 1.80.
        #expect(close(value("akash_provider_revenue_usd_per_hour", ["provider": p]), 17.88))
        #expect(value("akash_provider_revenue_per_block", ["provider": p, "denom": "uact"]) == 26_800)
        #expect(value("akash_provider_revenue_per_block", ["provider": p, "denom": "uakt"]) == 6_000)

        // h100 sxm: 1 + 2×2 (bseq 1: the join uses it) + 1 of the mixed lease. a100: 1 + 1 of the mixed lease.
        // The lease whose bid has no resources_offer is counted nowhere; the CPU-only ones have no GPU series.
        #expect(value("akash_provider_leased_gpus", gpu("h100", "80Gi", "sxm")) == 6)
        #expect(value("akash_provider_leased_gpus", gpu("a100", "80Gi", "")) == 2)
        #expect(value("akash_provider_leased_gpus", gpu("h100", "", "")) == 1)
        #expect(Samples.count(families, "akash_provider_leased_gpus") == 3)

        // Weighted by GPUs: (4,500 + 16,000) uact × 600 / 10^6 = $12.30 over 5 GPUs; the mixed lease is left out.
        #expect(close(value("akash_provider_gpu_price_usd_per_gpu_hour", gpu("h100", "80Gi", "sxm")), 2.46))
        #expect(close(value("akash_provider_gpu_price_vs_market_ratio", gpu("h100", "80Gi", "sxm")), 2.46 / 2.56))
        // 5,000 uakt × 600 / 10^6 × $0.5 for one GPU; the only a100 80Gi row is SXM4 at $1.48.
        #expect(close(value("akash_provider_gpu_price_usd_per_gpu_hour", gpu("a100", "80Gi", "")), 1.5))
        #expect(close(value("akash_provider_gpu_price_vs_market_ratio", gpu("a100", "80Gi", "")), 1.5 / 1.48))
        // An h100 with no ram or interface matches the SXM5 and the PCIe rows: a price, but no ratio.
        #expect(close(value("akash_provider_gpu_price_usd_per_gpu_hour", gpu("h100", "", "")), 0.72))
        #expect(value("akash_provider_gpu_price_vs_market_ratio", gpu("h100", "", "")) == nil)

        // Seven open bids over two pages (the lost one on page 2 is not); the cheapest per GPU wins per model,
        // across denoms: h100 uact 8,000 for 2 GPUs ($2.40) loses to 7,000 uakt for 1 ($2.10).
        #expect(value("akash_provider_open_bids", ["provider": p]) == 7)
        #expect(close(value("akash_provider_open_bid_min_usd_per_gpu_hour", gpu("h100", "80Gi", "sxm")), 2.1))
        #expect(close(value("akash_provider_open_bid_min_usd_per_gpu_hour", gpu("a100", "80Gi", "")), 0.9))
        #expect(close(value("akash_provider_open_bid_min_usd_per_gpu_hour", gpu("rtx4090", "", "")), 0.3))

        // The quiet provider: one CPU-only lease, and no open bid is a true 0.
        let q = ["provider": H.quiet]
        #expect(value("akash_provider_active_leases", q) == 1)
        #expect(close(value("akash_provider_revenue_usd_per_hour", q), 0.6))
        #expect(value("akash_provider_open_bids", q) == 0)
    }

    @Test("every page is followed with its key percent-encoded, and each request names the provider and state")
    func pagination() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.serveRecorded()
        #expect(await harness.pollAll().isEmpty)
        let leases = harness.chain.requests(LeasesPage.path)
        // 3 active pages + 1 reclaiming + 1 insufficient_funds; the quiet provider 3; the reclaimer 1 + 2 + 1.
        #expect(leases.count == 12)
        #expect(leases.allSatisfy { $0.query?.contains("pagination.key=cHJvdmlkZXIvbGVhc2VzLzI+") != true })
        let bids = harness.chain.requests(ProviderBidsSource.path).map(FakeChain.queryItems)
        #expect(bids.count == 7)
        #expect(bids.filter { $0["filters.provider"] == H.provider && $0["filters.state"] == "open" }.count == 2)
    }

    @Test("chain down: no revenue is made up; the last good figures stay until their max age, then go")
    func chainDown() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.route(LeasesPage.path, .closeImmediately)
        harness.chain.route(ProviderBidsSource.path, .closeImmediately)
        harness.chain.route(BlockSource.path, .closeImmediately)
        let failures = await harness.pollAll()
        #expect(Set(failures.keys) == ["akash_provider_leases", "akash_provider_bids", "akash_block"])
        #expect(failures.values.allSatisfy { $0.reason == .connection })
        let nothing = harness.collect().allSatisfy { $0.isEmpty }
        #expect(nothing)

        harness.serveRecorded()
        #expect(await harness.pollAll().isEmpty)
        harness.chain.route(LeasesPage.path, .status(503))
        let later = H.pollTime.addingTimeInterval(60)
        #expect(await harness.pollAll(at: later).keys.sorted() == ["akash_provider_leases"])
        let stillFresh = harness.collect(at: later)
        #expect(Samples.value(stillFresh, "akash_provider_active_leases", ["provider": H.provider]) == 8)
        // Three intervals after the last success the leases are dropped; the bids, polled fine, stay.
        let stale = harness.collect(at: H.pollTime.addingTimeInterval(181))
        #expect(Samples.count(stale, "akash_provider_revenue_usd_per_hour") == 0)
        #expect(Samples.count(stale, "akash_provider_active_leases") == 0)
        #expect(Samples.count(stale, "akash_provider_leased_gpus") == 0)
        #expect(Samples.value(stale, "akash_provider_open_bids", ["provider": H.quiet]) == 0)
    }

    @Test("a page key repeated by the server fails the poll instead of looping")
    func repeatedKey() async throws {
        let harness = try H(providers: [H.provider])
        defer { harness.chain.stop() }
        harness.serveRecorded()
        harness.chain.route(LeasesPage.path, .fixture("chain/provider-leases-page1.json"))
        let failure = await AreaTesting.poll(harness.source("akash_provider_leases"), via: harness.upstream, at: H.pollTime)
        #expect(failure?.reason == .decode)
        #expect(failure?.message.contains("repeated pagination key") == true)
    }
}
