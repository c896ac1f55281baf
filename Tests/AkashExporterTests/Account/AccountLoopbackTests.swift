@testable import AkashExporter
import ExporterKit
import Foundation
import Testing
import TestSupport

/// The sources against a fake chain REST on loopback, through the real HTTP client.
@Suite("Account: sources against a fake chain REST")
struct AccountLoopbackTests {
    typealias H = AccountHarness

    /// `count` active uact leases of `owner`, four per deployment, each 1.5 uact a block.
    static func leases(_ owner: String = H.tenant, count: Int) -> [String] {
        (0..<count).map { index in
            FakeChain.lease(owner: owner, dseq: String(30_000_000 + index / 4), gseq: index % 4 + 1, oseq: 1,
                            provider: H.providers[index % H.providers.count], denom: "uact", amount: "1.500000000000000000")
        }
    }

    @Test("leases over three pages: pagination.key is the previous next_key, percent-encoded, and every lease counts")
    func pagination() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.serveLeases([H.tenant: Self.leases(count: 25)], pageSize: 10)

        #expect(await harness.poll("akash_leases") == nil)

        // Every page of the active leases, then the (here empty) reclaiming and insufficient_funds ones.
        let queries = harness.queries(FakeChain.leasesPath)
        #expect(queries.count == 5)
        #expect(queries.map { $0["pagination.key"] } == [nil, FakeChain.pageKey(1), FakeChain.pageKey(2), nil, nil])
        #expect(queries.map { $0["filters.state"] } == ["active", "active", "active", "reclaiming", "insufficient_funds"])
        #expect(queries.allSatisfy { $0["filters.owner"] == H.tenant })
        // Base64 `+`, `/`, `=` travel percent-encoded: a raw `+` would reach the gateway as a space.
        let second = harness.chain.requests(FakeChain.leasesPath)[1].rawTarget
        #expect(FakeChain.pageKey(1) == "++//AQA=")
        #expect(second.contains("pagination.key=%2B%2B%2F%2FAQA%3D"))

        let families = harness.collect()
        #expect(Samples.value(families, "akash_account_active_leases", ["owner": H.tenant]) == 25)
        #expect(Samples.count(families, "akash_lease_price_usd_per_hour") == 25)
        // 25 × 1.5 uact a block × 600 blocks an hour = 22500 uact = $0.0225 an hour.
        let spend = try #require(Samples.value(families, "akash_account_spend_usd_per_hour", ["owner": H.tenant]))
        #expect(abs(spend - 0.0225) < 1e-12)
    }

    @Test("2,000 leases over 10 pages are all collected in one poll, with 10 requests and one for each other state")
    func twoThousandLeases() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.serveLeases([H.tenant: Self.leases(count: 2000)], pageSize: 200)

        #expect(await harness.poll("akash_leases") == nil)
        #expect(harness.queries(FakeChain.leasesPath).count == 10 + 2)
        let families = harness.collect()
        #expect(Samples.value(families, "akash_account_active_leases", ["owner": H.tenant]) == 2000)
        #expect(Samples.count(families, "akash_lease_price_usd_per_hour") == 2000)
        #expect(Samples.count(families, "akash_deployment_spend_usd_per_hour") == 500)
        let spend = try #require(Samples.value(families, "akash_account_spend_usd_per_hour", ["owner": H.tenant]))
        #expect(abs(spend - 1.8) < 1e-12)
    }

    @Test("a server that repeats a pagination key fails the poll with a decode failure instead of looping")
    func repeatedKey() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        let page = #"{"leases":[],"pagination":{"next_key":"c2FtZQ==","total":"0"}}"#
        harness.chain.route(FakeChain.leasesPath, .json(Data(page.utf8)))

        let failure = try #require(await harness.poll("akash_leases"))
        #expect(failure.reason == .decode)
        #expect(failure.message.contains("repeated pagination key"))
        // The first page gives the key, the second repeats it: two requests, then stop.
        #expect(harness.queries(FakeChain.leasesPath).count == 2)
        #expect(Samples.value(harness.collect(), "akash_account_active_leases", ["owner": H.tenant]) == nil)
    }

    @Test("deployments are paginated the same way and give every active escrow")
    func deploymentsPagination() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        let deployments = (0..<7).map {
            FakeChain.deployment(owner: H.tenant, dseq: String(30_000_000 + $0), funds: [("uact", "1000000.000000000000000000")],
                                 settledAt: 27_000_000)
        }
        harness.chain.serveDeployments([H.tenant: deployments], pageSize: 3)
        harness.chain.serveLeases([H.tenant: []])
        harness.chain.serveLatestBlock(height: 27_000_100)

        #expect(await harness.pollAll().isEmpty)
        #expect(harness.queries(FakeChain.deploymentsPath).map { $0["pagination.key"] }
            == [nil, FakeChain.pageKey(1), FakeChain.pageKey(2)])
        let families = harness.collect()
        // No lease pays, so each escrow keeps its 1 ACT, costs nothing per hour and has no runway.
        #expect(Samples.count(families, "akash_deployment_escrow_balance_usd") == 7)
        #expect(Samples.value(families, "akash_deployment_escrow_balance_usd", ["owner": H.tenant, "dseq": "30000006"]) == 1)
        #expect(Samples.value(families, "akash_deployment_spend_usd_per_hour", ["owner": H.tenant, "dseq": "30000006"]) == 0)
        #expect(Samples.count(families, "akash_deployment_escrow_runway_seconds") == 0)
        #expect(Samples.value(families, "akash_account_spend_usd_per_hour", ["owner": H.tenant]) == 0)
    }

    @Test("the chain failing keeps the last good data until three intervals have passed, then drops it")
    func lastGoodUntilMaxAge() async throws {
        let harness = try H(interval: 60)
        defer { harness.chain.stop() }
        harness.chain.serveLeases([H.tenant: Self.leases(count: 4)])
        harness.chain.serveDeployments([H.tenant: [FakeChain.deployment(owner: H.tenant, dseq: "30000000",
                                                                       funds: [("uact", "6000.000000000000000000")], settledAt: 100)]])
        harness.chain.serveLatestBlock(height: 100)
        #expect(await harness.pollAll().isEmpty)

        for path in [FakeChain.leasesPath, FakeChain.deploymentsPath, FakeChain.latestBlockPath] {
            harness.chain.route(path, .status(502, body: Data("bad gateway".utf8)))
        }
        let later = H.pollTime.addingTimeInterval(120)
        let failures = await harness.pollAll(at: later)
        #expect(failures.count == 3)
        #expect(failures.values.allSatisfy { $0.reason == .http })

        // 4 leases × 1.5 uact = 6 uact a block against 6000 uact: 1000 blocks = 6000 s of runway.
        let runway = ["owner": H.tenant, "dseq": "30000000"]
        #expect(Samples.value(harness.collect(at: later), "akash_deployment_escrow_runway_seconds", runway) == 6000)
        #expect(Samples.value(harness.collect(at: H.pollTime.addingTimeInterval(180)), "akash_account_active_leases", ["owner": H.tenant]) == 4)
        let stale = harness.collect(at: H.pollTime.addingTimeInterval(181))
        #expect(stale.allSatisfy { $0.isEmpty })
    }

    @Test("one owner's failure leaves the other owner's data fresh, and the source reports the failure")
    func ownersAreIndependent() async throws {
        let harness = try H(owners: [H.tenant, H.secondOwner])
        defer { harness.chain.stop() }
        let good = FakeChain.pagedList(listKey: "leases", itemsByOwner: [H.tenant: Self.leases(count: 2)], pageSize: 100)
        harness.chain.route(FakeChain.leasesPath) { request in
            FakeChain.queryItems(request)["filters.owner"] == H.secondOwner ? .status(500) : good(request)
        }

        let failure = try #require(await harness.poll("akash_leases"))
        #expect(failure.reason == .http)
        #expect(failure.message.contains(H.secondOwner))
        let families = harness.collect()
        #expect(Samples.value(families, "akash_account_active_leases", ["owner": H.tenant]) == 2)
        #expect(Samples.value(families, "akash_account_active_leases", ["owner": H.secondOwner]) == nil)
    }

    @Test("a lease the server lists although it is closed is not billed")
    func closedLeaseIgnored() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.serveLeases([H.tenant: Self.leases(count: 1) + [
            FakeChain.lease(owner: H.tenant, dseq: "1", provider: H.providers[0], denom: "uact", amount: "99.0", state: "closed"),
        ]])
        #expect(await harness.poll("akash_leases") == nil)
        #expect(Samples.value(harness.collect(), "akash_account_active_leases", ["owner": H.tenant]) == 1)
    }

    @Test("a malformed amount or a block without height is a decode failure, and nothing is stored")
    func malformed() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.serveLeases([H.tenant: [FakeChain.lease(owner: H.tenant, dseq: "1", provider: H.providers[0],
                                                              denom: "uact", amount: "4.8e3")]])
        harness.chain.route(FakeChain.latestBlockPath, .json(Data(#"{"block":{"header":{"height":"0"}}}"#.utf8)))
        #expect(await harness.poll("akash_leases")?.reason == .decode)
        #expect(await harness.poll("akash_block")?.reason == .decode)
        #expect(harness.collect().allSatisfy { $0.isEmpty })
    }
}
