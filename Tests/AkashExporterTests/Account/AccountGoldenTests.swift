@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Synchronization
import Testing
import TestSupport

/// The whole account exposition from the recorded bodies in `Tests/Fixtures/chain/` (two owners, leases in
/// uact, uakt, legacy USDC and an unknown denom, height 27001000).
@Suite("Account: golden exposition and hand-computed figures")
struct AccountGoldenTests {
    typealias H = AccountHarness

    /// A harness whose fake chain serves the recorded bodies, page by page and owner by owner.
    static func recordedChain(aktPriceUSD: @escaping @Sendable (Date) -> Double?, blockTime: BlockTime = BlockTime()) throws -> H {
        let harness = try H(owners: [H.tenant, H.secondOwner, H.statesOwner], aktPriceUSD: aktPriceUSD, blockTime: blockTime)
        harness.chain.route(FakeChain.leasesPath) { request in
            let query = FakeChain.queryItems(request)
            if query["filters.owner"] == H.statesOwner {
                switch (query["filters.state"], query["pagination.key"]) {
                case ("active", nil): return .fixture("chain/leases-states-owner-active.json")
                case ("reclaiming", nil): return .fixture("chain/leases-states-owner-reclaiming-page1.json")
                case ("reclaiming", "cmVjbGFpbS8y/+8="): return .fixture("chain/leases-states-owner-reclaiming-page2.json")
                case ("insufficient_funds", nil): return .fixture("chain/leases-states-owner-insufficient-funds-page1.json")
                case ("insufficient_funds", "b3ZlcmRyYXduLzI+/w=="):
                    return .fixture("chain/leases-states-owner-insufficient-funds-page2.json")
                default: return .status(400)
                }
            }
            switch (query["filters.owner"], query["pagination.key"]) {
            case (H.tenant, nil): return .fixture("chain/leases-tenant-page1.json")
            case (H.tenant, "++//AQA="): return .fixture("chain/leases-tenant-page2.json")
            case (H.secondOwner, nil): return .fixture("chain/leases-second-owner.json")
            default: return .status(400)
            }
        }
        harness.chain.route(FakeChain.deploymentsPath) { request in
            switch FakeChain.queryItems(request)["filters.owner"] {
            case H.tenant: .fixture("chain/deployments-tenant.json")
            case H.statesOwner: .fixture("chain/deployments-states-owner.json")
            default: .fixture("chain/deployments-second-owner.json")
            }
        }
        harness.chain.route(FakeChain.latestBlockPath, .fixture("chain/block-latest.json"))
        return harness
    }

    static func renderRecorded(aktPriceUSD: Double?) async throws -> String {
        let harness = try recordedChain(aktPriceUSD: { _ in aktPriceUSD })
        defer { harness.chain.stop() }
        let failures = await harness.pollAll()
        #expect(failures.isEmpty, "\(failures)")
        return try harness.render()
    }

    @Test("with AKT at $0.50: matches Tests/Fixtures/golden/account.prom")
    func golden() async throws {
        try Golden.compare(try await Self.renderRecorded(aktPriceUSD: 0.5), "account.prom")
    }

    @Test("without an AKT price: the uakt figures are absent, the rest is the same; matches golden/account-no-akt-price.prom")
    func goldenWithoutAKTPrice() async throws {
        let rendered = try await Self.renderRecorded(aktPriceUSD: nil)
        try Golden.compare(rendered, "account-no-akt-price.prom")
        let withPrice = try await Self.renderRecorded(aktPriceUSD: 0.5)
        // Exactly the uakt lease, its deployment's spend and balance, and the tenant's total go missing.
        let missing = Set(withPrice.split(separator: "\n")).subtracting(rendered.split(separator: "\n"))
            .filter { !$0.hasPrefix("#") }
        #expect(missing == [
            #"akash_lease_price_usd_per_hour{owner="akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq",dseq="26000000",gseq="1",oseq="1",provider="akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63"} 0.07515"#,
            #"akash_deployment_spend_usd_per_hour{owner="akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq",dseq="26000000"} 0.07515"#,
            #"akash_deployment_escrow_balance_usd{owner="akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq",dseq="26000000"} 0.487475"#,
            #"akash_account_spend_usd_per_hour{owner="akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq"} 0.1519959618"#,
            // The states owner's reclaiming uakt lease, its deployment and the owner's total.
            #"akash_lease_price_usd_per_hour{owner="akash1pas6v0905jgyznpvnjhg7tsthuyqek60gkz7uf",dseq="26100001",gseq="1",oseq="1",provider="akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"} 0.06"#,
            #"akash_deployment_spend_usd_per_hour{owner="akash1pas6v0905jgyznpvnjhg7tsthuyqek60gkz7uf",dseq="26100001"} 0.06"#,
            #"akash_deployment_escrow_balance_usd{owner="akash1pas6v0905jgyznpvnjhg7tsthuyqek60gkz7uf",dseq="26100001"} 0.95"#,
            #"akash_account_spend_usd_per_hour{owner="akash1pas6v0905jgyznpvnjhg7tsthuyqek60gkz7uf"} 0.15"#,
        ])
    }

    @Test("figures checked by hand against the recorded bodies")
    func handComputed() async throws {
        let harness = try Self.recordedChain(aktPriceUSD: { _ in 0.5 })
        defer { harness.chain.stop() }
        #expect(await harness.pollAll().isEmpty)
        let families = harness.collect()
        func value(_ name: String, _ labels: [String: String]) -> Double? { Samples.value(families, name, labels) }
        func close(_ actual: Double?, _ expected: Double) -> Bool { actual.map { abs($0 - expected) < 1e-9 } ?? false }
        let tenant = H.tenant, second = H.secondOwner

        // The closed lease on page 2 is not counted: 3 + 1 active.
        #expect(value("akash_account_active_leases", ["owner": tenant]) == 4)
        #expect(value("akash_account_active_leases", ["owner": second]) == 2)
        // (4.826603 + 120) uact + 250.5 uakt × $0.5 + 3.25 USDC, per block, × 600 / 10^6.
        #expect(close(value("akash_account_spend_usd_per_hour", ["owner": tenant]), 0.1519959618))
        // The second owner pays one lease in a denom without a price: no total rather than a partial one.
        #expect(value("akash_account_spend_usd_per_hour", ["owner": second]) == nil)

        // dseq 25880666: 292317.57 uact settled 1000 blocks ago at 124.826603 a block.
        let busy = ["owner": tenant, "dseq": "25880666"]
        #expect(close(value("akash_deployment_escrow_balance_usd", busy), 0.167490967))
        #expect(close(value("akash_deployment_escrow_runway_seconds", busy), 167_490.967 / 124.826603 * 6))
        #expect(value("akash_deployment_escrow_balance", busy.merging(["denom": "uact"]) { $1 }) == 167_490.967)
        // dseq 26000000: 1 AKT settled 100 blocks ago at 250.5 uakt a block; AKT at $0.5.
        let akt = ["owner": tenant, "dseq": "26000000"]
        #expect(close(value("akash_deployment_escrow_balance_usd", akt), 0.487475))
        #expect(close(value("akash_deployment_escrow_runway_seconds", akt), 974_950 / 250.5 * 6))
        // dseq 26000001: 2000 USDC micro-units, 2000 blocks at 3.25: overdrawn, the alerts must see 0.
        let overdrawn = ["owner": tenant, "dseq": "26000001"]
        #expect(value("akash_deployment_escrow_balance_usd", overdrawn) == 0)
        #expect(value("akash_deployment_escrow_runway_seconds", overdrawn) == 0)
        // dseq 26000002: no lease yet; 5 ACT waiting, nothing spent, no runway.
        let idle = ["owner": tenant, "dseq": "26000002"]
        #expect(value("akash_deployment_escrow_balance_usd", idle) == 5)
        #expect(value("akash_deployment_spend_usd_per_hour", idle) == 0)
        #expect(value("akash_deployment_escrow_runway_seconds", idle) == nil)
        // The real escrow of deployment-info.json, 100 blocks at 584.63514 uact: exactly 400 blocks left.
        let real = ["owner": second, "dseq": "16122570"]
        #expect(close(value("akash_deployment_escrow_balance_usd", real), 0.233854056))
        #expect(value("akash_deployment_escrow_runway_seconds", real) == 2400)
        // An unknown denom: no USD anywhere, but the runway (a count of blocks) is still known.
        let foreign = ["owner": second, "dseq": "26000003"]
        #expect(value("akash_deployment_spend_usd_per_hour", foreign) == nil)
        #expect(value("akash_deployment_escrow_balance_usd", foreign) == nil)
        #expect(value("akash_deployment_escrow_runway_seconds", foreign) == 54_000)
    }

    @Test("the reachability view is told of the leases that pay (active, reclaiming), never of overdrawn ones")
    func paidLeasesForTheProbe() async throws {
        let harness = try Self.recordedChain(aktPriceUSD: { _ in 0.5 })
        defer { harness.chain.stop() }
        #expect(await harness.pollAll().isEmpty)
        let statesOwner = harness.shared.paidLeases.leases(at: H.pollTime).filter { $0.owner == H.statesOwner }
        // 1 active and 2 reclaiming of the 5 open leases; the 2 insufficient_funds ones (26100002) pay nothing.
        #expect(statesOwner.map { "\($0.dseq)/\($0.gseq)" }.sorted() == ["26100000/1", "26100000/2", "26100001/1"])
    }

    @Test("lease states: reclaiming leases pay, overdrawn ones do not; reclamation notices, escrow paid out, groups waiting for a bid")
    func leaseStates() async throws {
        let harness = try Self.recordedChain(aktPriceUSD: { _ in 0.5 })
        defer { harness.chain.stop() }
        #expect(await harness.pollAll().isEmpty)
        let families = harness.collect()
        func value(_ name: String, _ labels: [String: String]) -> Double? { Samples.value(families, name, labels) }
        let owner = H.statesOwner, p0 = H.providers[0], p1 = H.providers[1]
        func lease(_ dseq: String, _ gseq: Int, _ provider: String) -> [String: String] {
            ["owner": owner, "dseq": dseq, "gseq": String(gseq), "oseq": "1", "provider": provider]
        }
        // Every page of every state: 1 active, 2 reclaiming, 2 insufficient_funds.
        #expect(Samples.count(families, "akash_lease_info") == 5 + 4 + 2)
        #expect(value("akash_lease_info", lease("26100000", 1, p0).merging(["state": "active"]) { $1 }) == 1)
        #expect(value("akash_lease_info", lease("26100000", 2, p0).merging(["state": "reclaiming"]) { $1 }) == 1)
        #expect(value("akash_lease_info", lease("26100001", 1, p1).merging(["state": "reclaiming"]) { $1 }) == 1)
        #expect(value("akash_lease_info", lease("26100002", 2, p0).merging(["state": "insufficient_funds"]) { $1 }) == 1)
        // The deadline only where reclamation started; the window wherever the bid offered one.
        #expect(value("akash_lease_reclamation_deadline_timestamp_seconds", lease("26100000", 2, p0)) == 1_784_340_000)
        #expect(Samples.count(families, "akash_lease_reclamation_deadline_timestamp_seconds") == 1)
        #expect(value("akash_lease_reclamation_window_seconds", lease("26100000", 1, p0)) == 172_800)
        #expect(value("akash_lease_reclamation_window_seconds", lease("26100000", 2, p0)) == 86_400)
        #expect(value("akash_lease_reclamation_window_seconds", lease("26100001", 1, p1)) == 3600)
        #expect(value("akash_lease_reclamation_window_seconds", lease("26100002", 1, p0)) == nil)
        // Active leases are those in state active; spend counts the reclaiming ones too:
        // (100 + 50) uact × 600 / 10^6 + 200 uakt × 600 / 10^6 × 0.5 = 0.09 + 0.06.
        #expect(value("akash_account_active_leases", ["owner": owner]) == 1)
        #expect(value("akash_account_spend_usd_per_hour", ["owner": owner]) == 0.15)
        // 1,000,000 uact settled 1000 blocks ago at 150 a block: 850,000 left, 5666.67 blocks × 6 s.
        let both = ["owner": owner, "dseq": "26100000"]
        #expect(value("akash_deployment_escrow_balance", both.merging(["denom": "uact"]) { $1 }) == 850_000)
        #expect(abs(value("akash_deployment_escrow_runway_seconds", both)! - 34_000) < 1e-6)
        // The overdrawn deployment: no lease pays, so no spend and no runway; its balance is 0.
        let dry = ["owner": owner, "dseq": "26100002"]
        #expect(value("akash_deployment_spend_usd_per_hour", dry) == 0)
        #expect(value("akash_deployment_escrow_runway_seconds", dry) == nil)
        #expect(value("akash_deployment_escrow_balance_usd", dry) == 0)
        // Paid out so far, per denom, as the chain says (zero included).
        #expect(value("akash_deployment_escrow_transferred_total", both.merging(["denom": "uact"]) { $1 }) == 500_000.25)
        #expect(value("akash_deployment_escrow_transferred_total", both.merging(["denom": "uakt"]) { $1 }) == 0)
        #expect(value("akash_deployment_escrow_transferred_total", dry.merging(["denom": "uact"]) { $1 }) == 2_000_000)
        // Groups waiting: 26100003 has one open group without a lease (its paused group does not count); the
        // leased open groups of 26100000 and 26100001 and the overdrawn ones of 26100002 are not waiting.
        #expect(value("akash_deployment_open_groups", ["owner": owner, "dseq": "26100003"]) == 1)
        #expect(value("akash_deployment_open_groups", both) == 0)
        #expect(value("akash_deployment_open_groups", ["owner": owner, "dseq": "26100001"]) == 0)
        #expect(value("akash_deployment_open_groups", dry) == 0)
    }

    @Test("the AKT price is read at collect time: a price arriving after the chain poll fills the uakt figures in")
    func priceArrivesLater() async throws {
        let price = Mutex<Double?>(nil)
        let harness = try Self.recordedChain(aktPriceUSD: { _ in price.withLock { $0 } })
        defer { harness.chain.stop() }
        #expect(await harness.pollAll().isEmpty)
        let lease = ["owner": H.tenant, "dseq": "26000000", "gseq": "1", "oseq": "1", "provider": H.providers[2]]
        #expect(Samples.value(harness.collect(), "akash_lease_price_usd_per_hour", lease) == nil)
        price.withLock { $0 = 0.5 }
        #expect(Samples.value(harness.collect(), "akash_lease_price_usd_per_hour", lease) == 0.07515)
    }

    @Test("the chain going down keeps the last good leases priced with the current AKT price")
    func chainDownMarketUp() async throws {
        let price = Mutex<Double?>(0.5)
        let harness = try Self.recordedChain(aktPriceUSD: { _ in price.withLock { $0 } })
        defer { harness.chain.stop() }
        #expect(await harness.pollAll().isEmpty)
        for path in [FakeChain.leasesPath, FakeChain.deploymentsPath, FakeChain.latestBlockPath] {
            harness.chain.route(path, .closeImmediately)
        }
        let later = H.pollTime.addingTimeInterval(60)
        let failures = await harness.pollAll(at: later)
        #expect(Set(failures.keys) == ["akash_leases", "akash_deployments", "akash_block"])
        #expect(failures.values.allSatisfy { $0.reason == .connection })

        // AKT doubles while the chain is unreachable: the uakt lease and escrow follow, the uact ones do not move.
        price.withLock { $0 = 1 }
        let families = harness.collect(at: later)
        let lease = ["owner": H.tenant, "dseq": "26000000", "gseq": "1", "oseq": "1", "provider": H.providers[2]]
        #expect(Samples.value(families, "akash_lease_price_usd_per_hour", lease) == 0.1503)
        #expect(Samples.value(families, "akash_deployment_escrow_balance_usd", ["owner": H.tenant, "dseq": "26000000"]) == 0.97495)
        #expect(Samples.value(families, "akash_deployment_escrow_balance_usd", ["owner": H.tenant, "dseq": "26000002"]) == 5)
    }
}
